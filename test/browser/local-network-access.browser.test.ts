/**
 * A public site and Chrome's Local Network Access: a page on a public address
 * may not reach localhost unless the user allowed it. The direct request and
 * the no-cors probe both fail then, as if nothing listened; `auto` mode must
 * still reach the component through the /popupForm bridge (a top-level
 * window, which Local Network Access does not block). The page is made
 * public with --ip-address-space-overrides and served under a non-loopback
 * name (a page on localhost is never kept from localhost), treated as a
 * secure context as a government https page is.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer } from '../../src/agent/index.js';
import type { ComponentPresent, SignResult } from '../../src/browser/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard } from '../../src/testing/index.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { errorOf, inPage, valueOf } from './support/page-driver.js';
import { startTestPage, unusedPort, type TestPageServer } from './support/page-server.js';

const PIN = '135790';
const CARD_NUMBER = 'TP03000077770003';
const PUBLIC_HOST = 'public-site.twpki.test';

describe.runIf(chromiumAvailable())('twpki/browser on a public site under Local Network Access', () => {
  let browser: Browser;
  let agent: AgentServer;
  let site: TestPageServer;
  let pageOrigin: string;

  beforeAll(async () => {
    const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    reader.insert(await createVirtualHiCOSCard({ pin: PIN, cardNumber: CARD_NUMBER }));
    site = await startTestPage();
    const port = new URL(site.url).port;
    pageOrigin = `http://${PUBLIC_HOST}:${port}`;
    agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [pageOrigin], port: 0 });
    browser = await launchChromium([
      `--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1`,
      `--ip-address-space-overrides=127.0.0.1:${port}=public`,
      `--unsafely-treat-insecure-origin-as-secure=${pageOrigin}`,
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await site?.close();
  });

  /** A fresh profile (no permission decided yet) with the client page open. */
  async function openPublicPage(setup?: (context: BrowserContext) => Promise<void>): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    await setup?.(context);
    const page = await context.newPage();
    await page.goto(`${pageOrigin}/`);
    await page.waitForFunction('window.twpkiReady === true');
    return { context, page };
  }

  async function state(page: Page): Promise<string> {
    return page.evaluate(async () => {
      const nav = (globalThis as unknown as { navigator: { permissions: { query(d: { name: string }): Promise<{ state: string }> } } }).navigator;
      return (await nav.permissions.query({ name: 'loopback-network' })).state;
    });
  }

  it('the page is public and a secure context: direct requests to the agent are blocked', async () => {
    const { context, page } = await openPublicPage();
    try {
      expect(await page.evaluate(() => (globalThis as unknown as { isSecureContext: boolean }).isSecureContext)).toBe(true);
      expect(await state(page)).toBe('prompt');
      const raw = await page.evaluate(async (url) => fetch(`${url}/pkcs11info`).then((r) => `HTTP ${r.status}`, (e: unknown) => String(e)), agent.url);
      expect(raw).toMatch(/TypeError/);
      // Headless Chromium answers the permission prompt with "block".
      expect(await state(page)).toBe('denied');
    } finally {
      await context.close();
    }
  });

  it('auto mode (the default) reaches the agent through the popup, for detect and sign', async () => {
    const { context, page } = await openPublicPage();
    try {
      const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: { url: agent.url } }));
      expect(found).toMatchObject({ present: true, channel: 'popup' });
      expect(found.token?.serialNumber).toBe(CARD_NUMBER);
      const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'public login', pin: PIN, slot: found.slot }, options: { url: agent.url } }));
      expect(signed).toMatchObject({ channel: 'popup', cardNumber: CARD_NUMBER });
      // Direct mode names the cause: the browser keeps the page from the component.
      const direct = errorOf(await inPage(page, 'detect', { options: { url: agent.url, mode: 'direct' } }));
      expect(direct.code).toBe('COMPONENT_DIRECT_REFUSED');
    } finally {
      await context.close();
    }
  });

  it('with the permission granted, auto mode goes direct', async () => {
    const { context, page } = await openPublicPage((c) => c.grantPermissions(['local-network-access'], { origin: pageOrigin }));
    try {
      expect(await state(page)).toBe('granted');
      const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: { url: agent.url } }));
      expect(found).toMatchObject({ present: true, channel: 'direct' });
    } finally {
      await context.close();
    }
  });

  it('no component behind the address: absent, after the popup found nobody', async () => {
    const { context, page } = await openPublicPage();
    try {
      const url = `http://localhost:${await unusedPort()}`;
      const popupOpened = context.waitForEvent('page', { timeout: 5_000 }).then(() => true, () => false);
      const outcome = await page.evaluate(async (u) => {
        const w = globalThis as unknown as { twpki: { detect(o: object): Promise<{ present: boolean; error?: { code: string } }> } };
        const found = await w.twpki.detect({ url: u, popupHandshakeMs: 1000 });
        return { present: found.present, code: found.error?.code };
      }, url);
      expect(outcome).toEqual({ present: false, code: 'COMPONENT_ABSENT' });
      // The page could not tell "nothing listens" from "blocked", so the popup was tried.
      expect(await popupOpened).toBe(true);
      // Headless Chromium blocks what would prompt, whether or not anything listens.
      expect(await state(page)).toBe('denied');
      await expect.poll(() => context.pages().length).toBe(1);
    } finally {
      await context.close();
    }
  });
});
