/**
 * A page shows card A (`detect()`), the user swaps in card B, and the page calls `sign()` without a slot with the
 * PIN typed for A. `sign()` detects again just before signing, and that `/pkcs11info` makes B the card twpki agent
 * expects, so the agent's own swap check let A's PIN reach B: a wrong try on B (three lock it). The client now
 * refuses B before the PIN leaves the page (`COMPONENT_CARD_CHANGED`), and the next `sign()` goes to B.
 *
 * Headless Chromium, the bundled client in a page, `twpki agent` with the in-process virtual card; cards are
 * swapped in the emulated reader between calls.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, RetCode, startAgent, type AgentServer } from '../../src/agent/index.js';
import type { ComponentPresent, SignResult } from '../../src/browser/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, type VirtualHiCOSCard } from '../../src/testing/index.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { errorOf, inPage, valueOf } from './support/page-driver.js';
import { openClientPage, startTestPage, type TestPageServer } from './support/page-server.js';

const PIN_A = '111111';
const PIN_B = '222222';
const VERIFY = 0x20;

const verifies = (card: VirtualHiCOSCard): number => card.log.filter((e) => e.command[1] === VERIFY).length;

describe.runIf(chromiumAvailable())('twpki/browser sign() without a slot after the card was swapped', () => {
  let browser: Browser;
  let agent: AgentServer;
  let site: TestPageServer;
  let reader: EmulatorReader;
  let a: VirtualHiCOSCard;
  let b: VirtualHiCOSCard;
  /** A's card number on another card (other keys and certificates), with A's PIN. */
  let twin: VirtualHiCOSCard;
  let page: Page;

  beforeAll(async () => {
    const pki = await createTestPki();
    a = await createVirtualHiCOSCard({ pki, generation: 2, pin: PIN_A, cardNumber: 'TP03000015150001' });
    b = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN_B, cardNumber: 'TP03000015150002' });
    twin = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN_A, cardNumber: 'TP03000015150001' });
    reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    site = await startTestPage();
    agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [site.url], port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await site?.close();
  });

  beforeEach(async () => {
    if (reader.cardPresent) reader.remove();
    reader.insert(a);
    // A fresh page: the client's memory of channels and detections is per page.
    page = await openClientPage(browser, site);
  });

  afterEach(async () => {
    await page?.close();
    // Every case leaves the cards as it found them: a try spent here is the failure this file is about.
    for (const card of [a, b, twin]) expect(card.pinTriesLeft).toBe(3);
  });

  const direct = (): Record<string, unknown> => ({ url: agent.url });

  function swap(to: VirtualHiCOSCard): void {
    reader.remove();
    reader.insert(to);
    for (const card of [a, b, twin]) card.clearLog();
  }

  async function shown(options = direct()): Promise<ComponentPresent> {
    const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options }));
    expect(found.token?.serialNumber).toBe(a.cardNumber);
    return found;
  }

  it('refuses card B before the PIN typed for A reaches it; the next sign() signs with B', async () => {
    await shown();
    swap(b);
    const refused = errorOf(await inPage(page, 'sign', { request: { tbs: 'swapped', pin: PIN_A }, options: direct() }));
    expect(refused).toMatchObject({ isComponentError: true, code: 'COMPONENT_CARD_CHANGED' });
    expect(refused.messages.zhTW).toContain('PIN碼未送出');
    expect(verifies(b)).toBe(0);
    expect(b.pinTriesLeft).toBe(3);
    // The page shows B and asks for B's PIN: the next sign() is not refused again.
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'swapped', pin: PIN_B }, options: direct() }));
    expect(signed).toMatchObject({ channel: 'direct', cardNumber: b.cardNumber });
    expect(verifies(b)).toBe(1);
  });

  it('refuses with withCardSN: false too, and a card with A’s number but other certificates', async () => {
    await shown();
    swap(b);
    const unchecked = errorOf(await inPage(page, 'sign', { request: { tbs: 'x', pin: PIN_A, withCardSN: false }, options: direct() }));
    expect(unchecked.code).toBe('COMPONENT_CARD_CHANGED');
    expect(verifies(b)).toBe(0);

    swap(a);
    await shown();
    swap(twin);
    const other = errorOf(await inPage(page, 'sign', { request: { tbs: 'x', pin: PIN_A }, options: direct() }));
    expect(other.code).toBe('COMPONENT_CARD_CHANGED');
    expect(verifies(twin)).toBe(0);
  });

  it('signs with the same card taken out and put back', async () => {
    await shown();
    swap(a);
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'back', pin: PIN_A }, options: direct() }));
    expect(signed.cardNumber).toBe(a.cardNumber);
  });

  it('signs as before when the page detected nothing first', async () => {
    swap(b);
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'first', pin: PIN_B }, options: direct() }));
    expect(signed.cardNumber).toBe(b.cardNumber);
  });

  it('with a slot, unchanged: the agent refuses the swap (未插入IC卡); without a slot the client refuses the PIN typed for A once, then signs', async () => {
    const found = await shown();
    swap(b);
    const refused = errorOf(await inPage(page, 'sign', { request: { tbs: 'slot', pin: PIN_A, slot: found.slot }, options: direct() }));
    expect(refused).toMatchObject({ code: 'COMPONENT_FAILED', retCode: RetCode.NO_CARD });
    expect(refused.componentMessage).toMatch(/changed since the page read it/);
    expect(verifies(b)).toBe(0);
    // The page still shows A: the PIN typed for it is refused before it reaches B, once.
    const again = errorOf(await inPage(page, 'sign', { request: { tbs: 'slot', pin: PIN_A }, options: direct() }));
    expect(again).toMatchObject({ code: 'COMPONENT_CARD_CHANGED' });
    expect(verifies(b)).toBe(0);
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'slot', pin: PIN_B }, options: direct() }));
    expect(signed.cardNumber).toBe(b.cardNumber);
  });

  it('through the popup after a direct detect(): refused in the one popup that finds B, which the next popup signs with', async () => {
    await shown();
    swap(b);
    let popups = 0;
    page.on('popup', () => popups++);
    const popup = { url: agent.url, mode: 'popup' };
    const refused = errorOf(await inPage(page, 'sign', { request: { tbs: 'popup', pin: PIN_A }, options: popup }));
    expect(refused.code).toBe('COMPONENT_CARD_CHANGED');
    expect(popups).toBe(1);
    expect(verifies(b)).toBe(0);
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'popup', pin: PIN_B }, options: popup }));
    expect(signed).toMatchObject({ channel: 'popup', cardNumber: b.cardNumber });
    expect(popups).toBe(2);
  });
});
