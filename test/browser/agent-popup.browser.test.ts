import type { Server } from 'node:http';
import { verify, X509Certificate } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, RetCode, startAgent, type AgentServer, type SignResponse } from '../../src/agent/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard } from '../../src/testing/index.js';
import { artifactPath, chromiumAvailable, launchChromium } from './chromium.js';
import { originOf, servePage } from './pages/serve-page.js';

// The page does what government pages do: open the agent's popup, answer its
// {"func":"getTbs"} with the request, and wait for the reply (JSON strings both ways).
const PAGE = `<!doctype html><meta charset="utf-8"><title>政府網站 (test)</title><h1>憑證登入</h1><pre id="out"></pre>
<script>
window.runSign = function (agentUrl, pin, tbs) {
  return new Promise(function (resolve) {
    var popup = window.open(agentUrl + '/popupForm', 'sign', 'width=300,height=200');
    window.addEventListener('message', function handler(event) {
      if (event.origin !== agentUrl) return;
      var msg = JSON.parse(event.data);
      if (msg.func === 'getTbs') {
        popup.postMessage(JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs: tbs, tbsEncoding: 'NONE',
          hashAlgorithm: 'SHA256', withCardSN: 'true', pin: pin }), '*');
        return;
      }
      window.removeEventListener('message', handler);
      document.getElementById('out').textContent = 'ret_code=' + msg.ret_code + ' cardSN=' + msg.cardSN;
      resolve(msg);
    });
  });
};
</script>`;


describe.runIf(chromiumAvailable())('agent popup bridge in headless Chromium', () => {
  let browser: Browser;
  let agent: AgentServer;
  let trustedPage: Server;
  let untrustedPage: Server;

  beforeAll(async () => {
    const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    reader.insert(await createVirtualHiCOSCard({ pin: '123456', cardNumber: 'TP03000077770001' }));
    trustedPage = await servePage(PAGE);
    untrustedPage = await servePage(PAGE);
    const trustedOrigin = originOf(trustedPage);
    agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [trustedOrigin], port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    trustedPage?.close();
    untrustedPage?.close();
  });

  async function signFrom(server: Server, shot: string): Promise<SignResponse> {
    const page = await browser.newPage();
    try {
      await page.goto(`${originOf(server)}/`);
      const reply = (await page.evaluate(
        ([url, tbs]) => (globalThis as unknown as { runSign(u: string, p: string, t: string): Promise<unknown> }).runSign(url, '123456', tbs),
        [agent.url, 'login-challenge-123'] as const,
      )) as SignResponse;
      await page.screenshot({ path: artifactPath(shot) });
      return reply;
    } finally {
      await page.close();
    }
  }

  it('a trusted page gets a signature through /popupForm that verifies with the card certificate', async () => {
    const reply = await signFrom(trustedPage, 'agent-popup-trusted.png');
    expect(reply).toMatchObject({ func: 'sign', ret_code: 0, cardSN: 'TP03000077770001' });
    const key = new X509Certificate(Buffer.from(reply.certb64, 'base64')).publicKey;
    expect(verify('sha256', Buffer.from('login-challenge-123'), key, Buffer.from(reply.signature, 'base64'))).toBe(true);
  });

  it('an untrusted page gets 0x76000031 through the same popup', async () => {
    const reply = await signFrom(untrustedPage, 'agent-popup-untrusted.png');
    expect(reply.ret_code).toBe(RetCode.UNTRUSTED_DOMAIN);
    expect(reply.signature ?? '').toBe('');
  });

  it('when the agent stops after the popup loaded, the reply has the whole answer shape (slots, signature) with 0x7600000D', async () => {
    // The page opens the popup and waits for its {"func":"getTbs"}; it sends its request only when told to.
    const waiting = await servePage(`<!doctype html><meta charset="utf-8"><script>
window.open2 = function (agentUrl) {
  return new Promise(function (ready) {
    var popup = window.open(agentUrl + '/popupForm', 'p', 'width=300,height=200');
    window.addEventListener('message', function (event) {
      if (event.origin !== agentUrl) return;
      var msg = JSON.parse(event.data);
      if (msg.func === 'getTbs') ready(true);
      else window.reply(msg);
    });
    window.send = function (request) {
      return new Promise(function (resolve) { window.reply = resolve; popup.postMessage(JSON.stringify(request), '*'); });
    };
  });
};
</script>`);
    const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    reader.insert(await createVirtualHiCOSCard({ pin: '123456', cardNumber: 'TP03000077770003' }));
    type Driven = { open2(u: string): Promise<boolean>; send(r: object): Promise<Record<string, unknown>> };
    try {
      for (const [request, shape] of [
        [{ func: 'CheckEnvir' }, { func: 'pkcs11info', slots: [], serverVersion: expect.any(String) }],
        [{ func: 'MakeSignature', tbs: 'x', pin: '123456' }, { func: 'sign', signature: '', certb64: '', cardSN: '', message2: '' }],
      ] as const) {
        const stopping = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [originOf(waiting)], port: 0 });
        const page = await browser.newPage();
        try {
          await page.goto(`${originOf(waiting)}/`);
          expect(await page.evaluate((url) => (globalThis as unknown as Driven).open2(url), stopping.url)).toBe(true);
          await stopping.close();
          const reply = await page.evaluate((r) => (globalThis as unknown as Driven).send(r), request as object);
          expect(reply).toMatchObject({ ...shape, ret_code: RetCode.EXECUTION_ERROR });
        } finally {
          await page.close();
          await stopping.close();
        }
      }
    } finally {
      waiting.close();
    }
  });

  it('the signed reply goes to the origin that asked: a page that takes over the window while the card works gets nothing', async () => {
    // A slow card (a real one VERIFYs and signs for about a second), so the takeover happens while it works.
    const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    reader.insert(await createVirtualHiCOSCard({ pin: '123456', cardNumber: 'TP03000077770002' }));
    const slots = new EmulatorCardSlots(reader);
    let signing: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (signing = resolve));
    const withCard = slots.withCard.bind(slots);
    slots.withCard = async (slot, fn) => {
      signing();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return withCard(slot, fn);
    };
    // The hostile page opens the trusted login page, then points that window at a page of its own.
    const hostile = await servePage(`<!doctype html><script>window.got = []; addEventListener('message', function (e) { window.got.push(String(e.data)); });</script>`);
    const slow = await startAgent({ slots, trusted: [originOf(trustedPage)], port: 0 });
    const context = await browser.newContext();
    try {
      const opener = await context.newPage();
      await opener.goto(`${originOf(hostile)}/`);
      const [victim] = await Promise.all([
        context.waitForEvent('page'),
        opener.evaluate((url) => {
          const g = globalThis as unknown as { w: unknown; open(u: string): unknown };
          g.w = g.open(`${url}/`);
        }, originOf(trustedPage)),
      ]);
      await victim.waitForLoadState();
      void victim
        .evaluate(([url]) => (globalThis as unknown as { runSign(u: string, p: string, t: string): Promise<unknown> }).runSign(url, '123456', 'login-challenge-of-the-victim'), [slow.url] as const)
        .catch(() => undefined);
      await arrived;
      await opener.evaluate((url) => {
        (globalThis as unknown as { w: { location: { href: string } } }).w.location.href = `${url}/`;
      }, originOf(hostile));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const got: string[] = await opener.evaluate(() => ((globalThis as unknown as { w: { got?: string[] } }).w.got ?? []).slice());
      // Before: the popup posted {func:"sign", ret_code:0, signature, certb64, cardSN} to '*', so this page had it.
      expect(got.filter((m) => m.includes('"signature"'))).toEqual([]);
    } finally {
      await context.close();
      await slow.close();
      hostile.close();
    }
  });
});
