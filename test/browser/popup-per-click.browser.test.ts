/**
 * One popup per click. Browsers differ in how many popups one user gesture
 * may open (Chromium opened two from a click, Firefox and a script-made
 * gesture one). Here Chromium's popup blocker is on and each call runs
 * under a gesture that allows one: a `sign()` without a slot on the popup
 * channel needed two (find the card, then sign) and failed on every click;
 * it now signs with the card the last detection found, and finds the card
 * again when that one is gone.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer } from '../../src/agent/index.js';
import type { ComponentPresent, SignResult } from '../../src/browser/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, type VirtualHiCOSCard } from '../../src/testing/index.js';
import { CHROMIUM, chromiumAvailable } from './chromium.js';
import { errorOf, inPage, valueOf } from './support/page-driver.js';
import { openClientPage, startTestPage, type TestPageServer } from './support/page-server.js';

const PIN = '135790';
const FIRST = 'TP03000077770011';
const SECOND = 'TP03000077770012';

describe.runIf(chromiumAvailable())('twpki/browser through the popup, one popup per gesture', () => {
  let browser: Browser;
  let agent: AgentServer;
  let site: TestPageServer;
  let reader: EmulatorReader;
  let first: VirtualHiCOSCard;
  let second: VirtualHiCOSCard;
  let page: Page;

  beforeAll(async () => {
    reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    first = await createVirtualHiCOSCard({ pin: PIN, cardNumber: FIRST });
    second = await createVirtualHiCOSCard({ pin: PIN, cardNumber: SECOND });
    site = await startTestPage();
    agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [site.url], port: 0 });
    // The shared launcher turns the popup blocker off; this test needs it on.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      ignoreDefaultArgs: ['--disable-popup-blocking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await site?.close();
  });

  beforeEach(async () => {
    reader.remove();
    reader.insert(first);
    // A fresh page: the client's memory of channels and detections is per page.
    await page?.close();
    page = await openClientPage(browser, site);
  });

  const popupOptions = (): Record<string, unknown> => ({ url: agent.url, mode: 'popup' });

  it('a gesture here opens one popup, not two (what the rest of the file relies on)', async () => {
    const opened = await page.evaluate("[window.open('about:blank') !== null, window.open('about:blank') !== null]");
    expect(opened).toEqual([true, false]);
  });

  it('a sign() without a slot after detect() opens one popup and signs', async () => {
    const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: popupOptions() }));
    expect(found).toMatchObject({ present: true, channel: 'popup' });
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'one click', pin: PIN }, options: popupOptions() }));
    expect(signed).toMatchObject({ channel: 'popup', cardNumber: FIRST });
  });

  it('a first sign() that needs two popups is blocked once; the next click signs', async () => {
    const blocked = errorOf(await inPage(page, 'sign', { request: { tbs: 'first click', pin: PIN }, options: popupOptions() }));
    expect(blocked.code).toBe('COMPONENT_POPUP_BLOCKED');
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'second click', pin: PIN }, options: popupOptions() }));
    expect(signed).toMatchObject({ channel: 'popup', cardNumber: FIRST });
  });

  it('a swapped card is refused by the agent before the PIN is sent; the next click finds the card and refuses it in the same popup, then the next signs', async () => {
    valueOf(await inPage<ComponentPresent>(page, 'detect', { options: popupOptions() }));
    reader.remove();
    reader.insert(second);
    second.clearLog();
    // The agent was asked for the card through this page's popup (detect): it refuses the PIN for another card with
    // 未插入IC卡 (no VERIFY), which the client takes, like COMPONENT_CARD_MISMATCH, as the card having moved.
    const mismatch = errorOf(await inPage(page, 'sign', { request: { tbs: 'swapped', pin: PIN }, options: popupOptions() }));
    expect(mismatch).toMatchObject({ code: 'COMPONENT_FAILED', retCode: 0x76000006 });
    expect(second.log.some((e) => e.command[1] === 0x20)).toBe(false);
    // The popup shortcut is forgotten, the card the page showed is not: this click finds the card (its one popup)
    // and, it being another card than the one shown, refuses it there, before the PIN is sent…
    const changed = errorOf(await inPage(page, 'sign', { request: { tbs: 'finds it', pin: PIN }, options: popupOptions() }));
    expect(changed.code).toBe('COMPONENT_CARD_CHANGED');
    expect(second.log.some((e) => e.command[1] === 0x20)).toBe(false);
    // …and the next one signs, in one popup, with the card now in the reader.
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'signs', pin: PIN }, options: popupOptions() }));
    expect(signed).toMatchObject({ channel: 'popup', cardNumber: SECOND });
  });

  it('a removed card is forgotten too', async () => {
    valueOf(await inPage<ComponentPresent>(page, 'detect', { options: popupOptions() }));
    reader.remove();
    const noCard = errorOf(await inPage(page, 'sign', { request: { tbs: 'no card', pin: PIN }, options: popupOptions() }));
    expect(noCard.retCode).toBe(0x76000006);
    reader.insert(first);
    const again = errorOf(await inPage(page, 'sign', { request: { tbs: 'finds it', pin: PIN }, options: popupOptions() }));
    expect(again.code).toBe('COMPONENT_POPUP_BLOCKED');
  });
});
