import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { officialPkcs11Info, officialSignSuccess, CARD_NUMBER, OFFICIAL_VERSION } from './official-shapes.js';

/** One request the stub received (test-only: it records the PIN to check what was sent). */
export interface StubRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  /** The body as received. */
  readonly body: string;
  /** The parsed `tbsPackage` of a `/sign` request. */
  readonly tbsPackage?: Record<string, unknown>;
}

/**
 * A stand-in for the official component answering with its shapes
 * (official-shapes.ts), with the official popup's string protocol. Tests set
 * its behaviour between calls.
 */
export interface OfficialStub {
  /** `http://localhost:<port>`. */
  readonly url: string;
  /** What `/pkcs11info` answers (given `withcert`). */
  pkcs11info: (withCert: boolean) => Record<string, unknown>;
  /** What `/sign` answers for a request. */
  sign: (tbsPackage: Record<string, unknown>) => Record<string, unknown>;
  /** Whether direct requests from pages get CORS headers (false: only the popup works). */
  cors: boolean;
  /** Paths that never answer (timeouts). */
  readonly hang: Set<string>;
  /** Requests received, in order. */
  readonly requests: StubRequest[];
  /** Back to the defaults: the official answers, CORS on, nothing hanging, no requests recorded. */
  reset(): void;
  close(): Promise<void>;
}

// The official popup's contract: announce with the string {"func":"getTbs"} to the opener (target *),
// read the request as a JSON string (JSON.parse of an object fails, as on the real page), map the
// func to an endpoint, post the reply as a string with func added, close.
const POPUP = `<!doctype html><meta charset="utf-8"><title>HiPKI</title><p>HiPKILocalSignServer</p>
<script>
(function () {
  var routes = { MakeSignature: ['/sign', 'sign'], GetUserCert: ['/pkcs11info?withcert=true', 'pkcs11info'], CheckEnvir: ['/pkcs11info', 'pkcs11info'] };
  function reply(obj) { window.opener.postMessage(JSON.stringify(obj), '*'); window.close(); }
  window.addEventListener('message', function (event) {
    if (typeof event.data !== 'string') { reply({ func: 'unknown', ret_code: 0x7600000B, last_error: 0, message: 'not a string' }); return; }
    var request = JSON.parse(event.data);
    var route = routes[request.func];
    if (!route) { reply({ func: request.func, ret_code: 0x7600000E, last_error: 0, message: '' }); return; }
    fetch(route[0], { method: 'POST', headers: { 'Content-Type': 'text/plain' },
      body: route[1] === 'sign' ? 'tbsPackage=' + event.data : '' })
      .then(function (r) { return r.json(); })
      .then(function (answer) { answer.func = route[1]; reply(answer); });
  });
  window.opener.postMessage(JSON.stringify({ func: 'getTbs' }), '*');
})();
</script>`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tbsPackageOf(body: string, contentType: string): Record<string, unknown> {
  const json = contentType.includes('application/x-www-form-urlencoded')
    ? (new URLSearchParams(body).get('tbsPackage') ?? '')
    : body.replace(/^tbsPackage=/, '');
  return JSON.parse(json) as Record<string, unknown>;
}

/** Starts the stub on 127.0.0.1, addressed as `http://localhost:<port>`. */
export async function startOfficialStub(): Promise<OfficialStub> {
  const stub: Omit<OfficialStub, 'url' | 'close'> = {
    pkcs11info: officialPkcs11Info,
    sign: () => officialSignSuccess(CARD_NUMBER),
    cors: true,
    hang: new Set<string>(),
    requests: [],
    reset() {
      stub.pkcs11info = officialPkcs11Info;
      stub.sign = () => officialSignSuccess(CARD_NUMBER);
      stub.cors = true;
      stub.hang.clear();
      stub.requests.length = 0;
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const contentType = req.headers['content-type'] ?? '';
    const body = req.method === 'POST' ? await readBody(req) : '';
    if (stub.cors && req.headers.origin) res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
    const path = url.pathname;
    if (path === '/favicon.ico') {
      res.statusCode = 404;
      res.end();
      return;
    }
    stub.requests.push({
      method: req.method ?? '',
      path,
      contentType,
      body,
      ...(path === '/sign' ? { tbsPackage: tbsPackageOf(body, contentType) } : {}),
    });
    if (stub.hang.has(path)) return; // never answers
    const json = (value: unknown): void => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(value));
    };
    if (path === '/') {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`HiPKILocalSignServer version:${OFFICIAL_VERSION}`);
    } else if (path === '/popupForm') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(POPUP);
    } else if (path === '/pkcs11info') {
      json(stub.pkcs11info(url.searchParams.get('withcert') === 'true'));
    } else if (path === '/sign') {
      json(stub.sign(tbsPackageOf(body, contentType)));
    } else {
      res.statusCode = 404;
      res.end();
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(stub, {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
