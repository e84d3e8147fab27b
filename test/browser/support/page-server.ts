import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { bundleBrowserModule } from './browser-bundle.js';

/** A web page origin serving the bundled client at `/twpki-browser.js`. */
export interface TestPageServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

// The page loads the module as a plain <script type="module"> and exposes it for the test.
// With ?run=<mode>, it calls detect on load (no user activation: a popup is blocked).
const PAGE = `<!doctype html><meta charset="utf-8"><title>憑證登入 (test)</title><h1>憑證登入</h1>
<script type="module">
import * as twpki from '/twpki-browser.js';
window.twpki = twpki;
const params = new URLSearchParams(location.search);
if (params.has('run')) {
  twpki.detect({ url: params.get('url'), mode: params.get('run'), popupHandshakeMs: 2000 })
    .then((r) => { window.onLoadResult = { present: r.present }; },
          (e) => { window.onLoadResult = { code: e.code, zhTW: e.messages.zhTW }; });
}
window.twpkiReady = true;
</script>`;

/** Starts the page server on 127.0.0.1 (a free port). */
export async function startTestPage(): Promise<TestPageServer> {
  const bundle = await bundleBrowserModule();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/twpki-browser.js') {
      res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      res.end(bundle.code);
      return;
    }
    if (path === '/') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(PAGE);
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound and released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A fresh page of the test site with the module loaded (a fresh module: nothing learned). */
export async function openClientPage(browser: Browser, site: TestPageServer): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${site.url}/`);
  await page.waitForFunction('window.twpkiReady === true');
  return page;
}
