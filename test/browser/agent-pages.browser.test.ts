import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as pkijs from 'pkijs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer, type SignResponse } from '../../src/agent/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, type VirtualHiCOSCard } from '../../src/testing/index.js';
import { artifactPath, chromiumAvailable, launchChromium } from './chromium.js';
import { originOf, servePage } from './pages/serve-page.js';

// Our own page fixture, written from the facts sheet: it behaves as government login pages do.
const FIXTURE = readFileSync(new URL('./pages/card-login.html', import.meta.url), 'utf8');
const PIN = '246810';


interface CardView {
  ok: boolean;
  func: string;
  userLabel: string;
  name: string;
  serialNumber: string;
  country: string;
  caFound: boolean;
  caUsage: string;
  caIssuedUser: boolean;
  caCertb64: string;
}

interface LoginResult {
  ok: boolean;
  reply: SignResponse;
}

describe.runIf(chromiumAvailable())('real-page behaviour against the agent, in headless Chromium', () => {
  let browser: Browser;
  let agent: AgentServer;
  let trusted: Server;
  let untrusted: Server;
  let reader: EmulatorReader;
  let card: VirtualHiCOSCard;
  let page: Page;
  let alerts: string[];

  beforeAll(async () => {
    const pki = await createTestPki();
    card = await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: 'TP03000044440001', commonName: '王小明' });
    reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    trusted = await servePage(FIXTURE);
    untrusted = await servePage(FIXTURE);
    agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [originOf(trusted)], port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    trusted?.close();
    untrusted?.close();
  });

  beforeEach(() => {
    if (!reader.cardPresent) reader.insert(card);
  });

  async function open(server: Server): Promise<Page> {
    page = await browser.newPage();
    alerts = [];
    page.on('dialog', (dialog) => {
      alerts.push(dialog.message());
      void dialog.accept();
    });
    await page.goto(`${originOf(server)}/?agent=${encodeURIComponent(agent.url)}`);
    return page;
  }

  async function onPage(server: Server, fn: (p: Page) => Promise<void>): Promise<void> {
    const p = await open(server);
    try {
      await fn(p);
    } finally {
      await p.close();
    }
  }

  async function readCard(p: Page): Promise<CardView> {
    return (await p.evaluate(() => (globalThis as unknown as { readCard(): Promise<unknown> }).readCard())) as CardView;
  }

  async function login(p: Page, pin: string, challenge: string, withCardSN = ''): Promise<LoginResult> {
    return (await p.evaluate(
      ([pinArg, tbs, sn]) => (globalThis as unknown as { login(a: string, b: string, c: string): Promise<unknown> }).login(pinArg, tbs, sn),
      [pin, challenge, withCardSN] as const,
    )) as LoginResult;
  }

  it('reads the holder through GetUserCert: the "CA Cert" lookup and the page\'s own DN splitting work', async () => {
    await onPage(trusted, async (p) => {
      const view = await readCard(p);
      expect(view).toMatchObject({ ok: true, func: 'pkcs11info', userLabel: 'cert1', name: '王小明', country: 'TW', caFound: true, caUsage: 'keyCertSign|cRLSign', caIssuedUser: true });
      expect(view.serialNumber).toMatch(/^\w{16}$/);
      expect(view.caCertb64.length).toBeGreaterThan(100);
      expect(await p.textContent('#name')).toBe('王小明');
      expect(alerts).toEqual([]);
      await p.screenshot({ path: artifactPath('agent-pages-read-card.png') });
    });
  });

  it('logs in with optional fields sent as "" and an encodeURIComponent-ed PIN; the card number matches', async () => {
    await onPage(trusted, async (p) => {
      await readCard(p);
      const empty = await login(p, PIN, 'challenge+one/two=');
      expect(empty.ok).toBe(true);
      expect(empty.reply).toMatchObject({ func: 'sign', ret_code: 0, last_error: 0, cardSN: '' });
      const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(Buffer.from(empty.reply.signature, 'base64')).content });
      expect(Buffer.from(sd.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0)).toString()).toBe('challenge+one/two=');
      expect(await sd.verify({ signer: 0, checkChain: false })).toBe(true);
      const withSn = await login(p, PIN, 'challenge-two', 'true');
      expect(withSn).toMatchObject({ ok: true, reply: { cardSN: 'TP03000044440001' } });
      expect(alerts).toEqual([]);
    });
  });

  it('after two wrong PINs the page\'s alerts decode the official codes, and the third attempt with the right PIN logs in', async () => {
    await onPage(trusted, async (p) => {
      await readCard(p);
      expect((await login(p, '999999', 'c1')).ok).toBe(false);
      expect(alerts).toEqual(['IC卡登入失敗', 'PIN碼錯誤，剩餘兩次機會']);
      expect((await login(p, '999999', 'c2')).ok).toBe(false);
      expect(alerts.slice(2)).toEqual(['IC卡登入失敗', 'PIN碼錯誤，剩餘一次機會']);
      const third = await login(p, PIN, 'c3');
      expect(third.ok).toBe(true);
      expect(alerts).toHaveLength(4);
      expect(card.pinTriesLeft).toBe(3);
      await p.screenshot({ path: artifactPath('agent-pages-third-attempt.png') });
    });
  });

  it('a short PIN shows the PIN-length reason', async () => {
    await onPage(trusted, async (p) => {
      expect((await login(p, '1234', 'c')).ok).toBe(false);
      expect(alerts).toEqual(['IC卡登入失敗', 'PIN碼長度錯誤']);
    });
  });

  it('with no card the page says 未插入IC卡, not a bare hex code', async () => {
    reader.remove();
    await onPage(trusted, async (p) => {
      try {
        const view = await readCard(p);
        expect(view.ok).toBe(false);
        expect(alerts).toEqual(['請插入自然人憑證']);
        expect((await login(p, PIN, 'c')).ok).toBe(false);
        expect(alerts.slice(1)).toEqual(['未插入IC卡']);
      } finally {
        reader.insert(card);
      }
    });
  });

  it('an untrusted origin is told so through the code table and gets no card data', async () => {
    await onPage(untrusted, async (p) => {
      const view = await readCard(p);
      expect(view.ok).toBe(false);
      expect(JSON.stringify(view)).not.toContain('TP0300');
      expect((await login(p, PIN, 'c')).ok).toBe(false);
      expect(alerts).toEqual(['呼叫網頁非受信任網站', '呼叫網頁非受信任網站']);
    });
  });

  it('an unknown func gets 不支援的方法 from the popup', async () => {
    await onPage(trusted, async (p) => {
      await p.evaluate(() => (globalThis as unknown as { askUnknown(): Promise<unknown> }).askUnknown());
      expect(alerts).toEqual(['不支援的方法']);
    });
  });
});
