/**
 * Interop defects found by a new-user walk, in headless Chromium against
 * `twpki agent`: long Chinese text over direct requests (the body must stay
 * under the agent's limit, and a refusal must be read, not called garbage),
 * a page's multipart FormData, /p11Image.bmp read through a canvas (ASCII,
 * rows in order), and the popup's answer to an unknown func (routed by
 * `func` as pages route it).
 */
import { verify, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, RetCode, startAgent, type AgentServer, type Pkcs11Info } from '../../src/agent/index.js';
import { jsonAsBmp } from '../../src/agent/p11-image.js';
import type { SignResult } from '../../src/browser/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, type VirtualHiCOSCard } from '../../src/testing/index.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { errorOf, inPage, valueOf } from './support/page-driver.js';
import { openClientPage, startTestPage, type TestPageServer } from './support/page-server.js';
import { originOf, servePage } from './pages/serve-page.js';

const PIN = '135790';
const CARD_NUMBER = 'TP03000077770004';
const NAME = '王小明';

// A page that routes the popup's replies by func, as government pages do (anything else is ignored).
const ROUTING_PAGE = `<!doctype html><meta charset="utf-8"><title>routing page</title>
<script>
window.ask = function (agentUrl, request) {
  return new Promise(function (resolve) {
    var popup = window.open(agentUrl + '/popupForm', 'p', 'width=300,height=200');
    setTimeout(function () { resolve({ routed: 'nothing' }); }, 5000);
    window.addEventListener('message', function (event) {
      if (event.origin !== agentUrl) return;
      var ret = JSON.parse(event.data);
      if (ret.func == 'getTbs') popup.postMessage(JSON.stringify(request), '*');
      else if (ret.func == 'sign') resolve({ routed: 'sign', ret: ret });
      else if (ret.func == 'pkcs11info') resolve({ routed: 'pkcs11info', ret: ret });
    });
  });
};
</script>`;

/** Reads an image through a canvas, one character per byte (B, G, R of each pixel), as canvas-reading pages do. */
async function readThroughCanvas(page: Page, src: string): Promise<{ width: number; height: number; text: string }> {
  // Run as page script text: the package's type check has no DOM library.
  const script = `new Promise((resolve, reject) => {
    const img = new Image();
    img.crossOrigin = 'anonymous';
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const cx = canvas.getContext('2d');
      cx.drawImage(img, 0, 0);
      const d = cx.getImageData(0, 0, img.width, img.height).data;
      let s = '';
      for (let i = 0; i < d.length; i += 4) s += String.fromCharCode(d[i + 2], d[i + 1], d[i]);
      resolve({ width: img.width, height: img.height, text: s.replace(/\\0+$/, '') });
    };
    img.onerror = () => reject(new Error('image did not load'));
    img.src = ${JSON.stringify(src)};
  })`;
  return page.evaluate(script) as Promise<{ width: number; height: number; text: string }>;
}

describe.runIf(chromiumAvailable())('agent interop in headless Chromium', () => {
  let browser: Browser;
  let agent: AgentServer;
  let site: TestPageServer;
  let routing: Server;
  let images: Server;
  let card: VirtualHiCOSCard;
  let page: Page;
  const variants = new Map<string, Buffer>();

  beforeAll(async () => {
    const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    card = await createVirtualHiCOSCard({ pki: await createTestPki(), pin: PIN, cardNumber: CARD_NUMBER, commonName: NAME });
    reader.insert(card);
    site = await startTestPage();
    routing = await servePage(ROUTING_PAGE);
    images = createServer((req, res) => {
      const body = variants.get(req.url ?? '');
      res.statusCode = body ? 200 : 404;
      res.setHeader('Content-Type', 'image/bmp');
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.end(body);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', () => resolve()));
    agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [site.url, originOf(routing)], port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await site?.close();
    routing?.close();
    images?.closeAllConnections();
    images?.close();
  });

  beforeEach(async () => {
    page = await openClientPage(browser, site);
  });

  afterEach(async () => {
    await page?.close();
  });

  const key = (): X509Certificate['publicKey'] => new X509Certificate(Buffer.from(card.credentials.sign.certificate)).publicKey;

  it('signs 150 000 Chinese characters over a direct request (450 KB of UTF-8, 1.35 MB percent-encoded)', async () => {
    const tbs = '中'.repeat(150_000);
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs, pin: PIN, signatureType: 'PKCS1' }, options: { url: agent.url, mode: 'direct' } }));
    expect(signed.channel).toBe('direct');
    expect(verify('sha256', Buffer.from(tbs, 'utf8'), key(), Buffer.from(signed.signature, 'base64'))).toBe(true);
  });

  it('keeps form syntax characters (+ & = ;) exact over a direct request', async () => {
    const tbs = 'a+b&c=d;e 中文 #?';
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs, pin: PIN, signatureType: 'PKCS1' }, options: { url: agent.url, mode: 'direct' } }));
    expect(verify('sha256', Buffer.from(tbs, 'utf8'), key(), Buffer.from(signed.signature, 'base64'))).toBe(true);
  });

  it('a body over the agent\'s limit is reported as the agent\'s refusal (0x7600000C, too large), not a bad reply', async () => {
    const refused = errorOf(await inPage(page, 'sign', { request: { tbs: '中'.repeat(400_000), pin: PIN }, options: { url: agent.url, mode: 'direct' } }));
    expect(refused).toMatchObject({ isComponentError: true, code: 'COMPONENT_FAILED', retCode: RetCode.BAD_PARAMETER });
    expect(refused.componentMessage).toMatch(/too large/);
    expect(refused.messages.zhTW).toContain('參數錯誤');
  });

  it('a page\'s FormData (multipart) is signed like the same package in a form', async () => {
    const reply = await page.evaluate(async (url) => {
      const form = new FormData();
      form.append('tbsPackage', JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs: 'a+b 中 %zz', pin: '135790', withCardSN: 'true' }));
      return (await fetch(`${url}/sign`, { method: 'POST', body: form })).json() as Promise<{ ret_code: number; signature: string; cardSN: string }>;
    }, agent.url);
    expect(reply).toMatchObject({ ret_code: 0, cardSN: CARD_NUMBER });
    expect(verify('sha256', Buffer.from('a+b 中 %zz', 'utf8'), key(), Buffer.from(reply.signature, 'base64'))).toBe(true);
  });

  it('/p11Image.bmp read through a canvas gives the JSON in order, as ASCII, with the Chinese name', async () => {
    for (const query of ['', '?withcert=true']) {
      const read = await readThroughCanvas(page, `${agent.url}/p11Image.bmp${query}`);
      expect(read.width).toBe(2000);
      expect(/^[\x20-\x7e]*$/.test(read.text), 'ASCII only').toBe(true);
      const info = JSON.parse(read.text) as Pkcs11Info;
      const token = info.slots[0]?.token;
      if (token === null || typeof token !== 'object' || token === undefined) throw new Error('no token in the image');
      expect(token.serialNumber).toBe(CARD_NUMBER);
      expect(token.certs[0]?.subjectCN).toBe(NAME);
      if (query !== '') {
        expect(read.height).toBeGreaterThan(1); // longer than one 6000-byte row
        expect(Buffer.from(token.certs[0]?.certb64 ?? '', 'base64').equals(Buffer.from(card.credentials.sign.certificate))).toBe(true);
      }
    }
  });

  it('/p11Image.bmp tells an untrusted page 0x76000031 through the canvas, with no card data (it was no image: onerror)', async () => {
    const untrusted = await servePage('<!doctype html><meta charset="utf-8"><title>untrusted site</title>');
    const other = await browser.newPage();
    try {
      await other.goto(`${originOf(untrusted)}/`);
      const read = await readThroughCanvas(other, `${agent.url}/p11Image.bmp?withcert=true`);
      expect(read.width).toBe(2000);
      const info = JSON.parse(read.text) as Pkcs11Info;
      expect(info).toMatchObject({ func: 'pkcs11info', ret_code: RetCode.UNTRUSTED_DOMAIN, slots: [] });
      expect(read.text).not.toContain(CARD_NUMBER);
    } finally {
      await other.close();
      untrusted.close();
    }
  });

  it('a canvas reads a negative-height (top-down) BMP in file order; a bottom-up one comes out last row first', async () => {
    const text = Array.from({ length: 2500 }, (_, i) => String(i).padStart(5, '0')).join(','); // 14 999 bytes, 3 rows
    const topDown = jsonAsBmp(text);
    expect(topDown.readInt32LE(22)).toBe(-3);
    const bottomUp = Buffer.from(topDown);
    bottomUp.writeInt32LE(3, 22);
    variants.set('/top-down.bmp', topDown);
    variants.set('/bottom-up.bmp', bottomUp);
    const imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    expect((await readThroughCanvas(page, `${imagesUrl}/top-down.bmp`)).text).toBe(text);
    const reversed = (await readThroughCanvas(page, `${imagesUrl}/bottom-up.bmp`)).text;
    expect(reversed).not.toBe(text);
    expect(reversed.startsWith(text.slice(12_000))).toBe(true);
  });

  it('the popup answers an unknown func with 0x7600000E as a "sign" reply, which a page routing by func handles', async () => {
    const routed = await browser.newPage();
    try {
      await routed.goto(`${originOf(routing)}/`);
      const answer = (await routed.evaluate(
        ([url]) => (globalThis as unknown as { ask(u: string, r: object): Promise<unknown> }).ask(url as string, { func: 'EncryptData', tbs: 'x' }),
        [agent.url],
      )) as { routed: string; ret?: Record<string, unknown> };
      expect(answer.routed).toBe('sign');
      expect(answer.ret).toMatchObject({ func: 'sign', ret_code: RetCode.UNSUPPORTED_FUNCTION, last_error: 0, signature: '', certb64: '', cardSN: '' });
    } finally {
      await routed.close();
    }
  });
});
