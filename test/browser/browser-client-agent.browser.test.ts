/**
 * twpki/browser in headless Chromium against `twpki agent` (startAgent with
 * the in-process emulator card): detect, PKCS#1 and PKCS#7 signatures over
 * direct requests and the /popupForm bridge, a wrong PIN with the tries left,
 * and a site the agent does not trust.
 */
import { verify, X509Certificate } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, LastError, RetCode, startAgent, type AgentServer } from '../../src/agent/index.js';
import { nameValue, type ComponentPresent, type SignResult } from '../../src/browser/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, type VirtualHiCOSCard } from '../../src/testing/index.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { errorOf, inPage, valueOf } from './support/page-driver.js';
import { openClientPage, startTestPage, type TestPageServer } from './support/page-server.js';

const PIN = '135790';
const CARD_NUMBER = 'TP03000077770002';

describe.runIf(chromiumAvailable())('twpki/browser against twpki agent', () => {
  let browser: Browser;
  let agent: AgentServer;
  let site: TestPageServer;
  let card: VirtualHiCOSCard;
  let page: Page;

  beforeAll(async () => {
    const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    card = await createVirtualHiCOSCard({ pin: PIN, cardNumber: CARD_NUMBER });
    reader.insert(card);
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
    page = await openClientPage(browser, site);
  });

  afterEach(async () => {
    await page?.close();
  });

  const userCertificate = (): Buffer => Buffer.from(card.credentials.sign.certificate);

  it('detect finds the agent, the reader, the card and its certificates', async () => {
    const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: { url: agent.url, certificates: true } }));
    expect(found).toMatchObject({ present: true, version: '1.3.4.3', channel: 'direct' });
    expect(found.slot?.description).toBe('Virtual PCD 00 00');
    expect(found.token?.serialNumber).toBe(CARD_NUMBER);
    const user = found.token?.userCertificate;
    expect(user?.label).toBe('cert1');
    expect(user?.usage).toEqual(['digitalSignature']);
    expect(Buffer.from(user?.certificate ?? '', 'base64').equals(userCertificate())).toBe(true);
    const x509 = new X509Certificate(userCertificate());
    expect(user?.notAfter?.getTime()).toBe(new Date(x509.validTo).getTime());
    expect(user?.subjectName).toBeTruthy();
    expect(nameValue(user?.subject ?? { text: '', attributes: [] }, 'CN')).toBe(user?.subjectName);
    expect(user?.idHint).toMatch(/^\d{4}$/);
    expect(found.token?.certificates[1]?.usage).toEqual(['keyEncipherment', 'dataEncipherment']);
  });

  it('a PKCS#1 signature over a direct request verifies with the card’s certificate', async () => {
    const tbs = [0x74, 0x77, 0x70, 0x6b, 0x69, 0x00, 0xff];
    const signed = valueOf(
      await inPage<SignResult>(page, 'sign', { request: { pin: PIN, signatureType: 'PKCS1' }, tbsBytes: tbs, options: { url: agent.url }, slotFromDetect: true }),
    );
    expect(signed).toMatchObject({ channel: 'direct', cardNumber: CARD_NUMBER, signatureType: 'PKCS1' });
    expect(Buffer.from(signed.certificate, 'base64').equals(userCertificate())).toBe(true);
    const key = new X509Certificate(userCertificate()).publicKey;
    expect(verify('sha256', Buffer.from(tbs), key, Buffer.from(signed.signature, 'base64'))).toBe(true);
  });

  it('a PKCS#7 signature through the popup carries the challenge and verifies', async () => {
    const challenge = '{"origin":"http://127.0.0.1","nonce":"q+/%20"}';
    const signed = valueOf(
      await inPage<SignResult>(page, 'sign', { request: { tbs: challenge, pin: PIN, nonce: 'n-42' }, options: { url: agent.url, mode: 'popup' }, slotFromDetect: true }),
    );
    expect(signed).toMatchObject({ channel: 'popup', cardNumber: CARD_NUMBER, signatureType: 'PKCS7' });
    const der = Buffer.from(signed.signature, 'base64');
    const content = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(der).buffer).result });
    const signedData = new pkijs.SignedData({ schema: content.content });
    const econtent = signedData.encapContentInfo.eContent?.getValue();
    expect(Buffer.from(econtent ?? new ArrayBuffer(0)).toString('utf8')).toBe(challenge);
    const ok = await signedData.verify({ signer: 0, checkChain: false, data: undefined });
    expect(ok).toBe(true);
  });

  // The agent's popup relays the page's origin; it used to be believed only from http://localhost:<port>, so a
  // page that named the agent http://127.0.0.1:<port> was refused as untrusted in popup mode.
  it('popup mode works with the agent named 127.0.0.1 as well as localhost', async () => {
    const url = `http://127.0.0.1:${agent.port}`;
    const found = valueOf(await inPage<{ present: boolean; channel: string; slot: { description: string } | null }>(page, 'detect', { options: { url, mode: 'popup' } }));
    expect(found).toMatchObject({ present: true, channel: 'popup', slot: { description: 'Virtual PCD 00 00' } });
    const signed = valueOf(
      await inPage<SignResult>(page, 'sign', { request: { tbs: 'via 127.0.0.1', pin: PIN }, options: { url, mode: 'popup' }, slotFromDetect: true }),
    );
    expect(signed).toMatchObject({ channel: 'popup', cardNumber: CARD_NUMBER });
  });

  it('a slot of null (what detect() reports before a card is in) signs with the only card; a slot that is no reader is refused', async () => {
    const signed = valueOf(
      await inPage<SignResult>(page, 'sign', { request: { tbs: 't', pin: PIN, signatureType: 'PKCS1', slot: null }, options: { url: agent.url } }),
    );
    expect(signed).toMatchObject({ cardNumber: CARD_NUMBER, signatureType: 'PKCS1' });
    expect(signed.slot.description).toBe('Virtual PCD 00 00');
    const refused = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: PIN, slot: 'Virtual PCD 00 00' }, options: { url: agent.url } }));
    expect(refused).toMatchObject({ isComponentError: true, code: 'COMPONENT_BAD_REQUEST', field: 'slot', retCode: RetCode.BAD_PARAMETER });
  });

  // Pages send tbs both plain and percent-encoded, so a component decodes text that looks encoded: "%41"
  // was signed as "A". The client sends such text as its UTF-8 bytes in base64: what is signed is the text.
  it('text with % signs is signed as written, directly and through the popup', async () => {
    // Each reads as a complete percent-encoding, which the agent (like pages' components) decodes when sent plain.
    for (const [text, mode] of [['%41', 'direct'], ['100%25', 'popup'], ['a%2Bb%E4%B8%AD', 'direct']] as const) {
      const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: text, pin: PIN }, options: { url: agent.url, mode }, slotFromDetect: true }));
      const content = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(Buffer.from(signed.signature, 'base64')).buffer).result });
      const econtent = new pkijs.SignedData({ schema: content.content }).encapContentInfo.eContent?.getValue();
      expect(Buffer.from(econtent ?? new ArrayBuffer(0)).toString('utf8'), `${text} ${mode}`).toBe(text);
    }
  });

  it('a wrong PIN reports the tries left the card gave, and the right PIN then works', async () => {
    const wrong = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: '000000' }, options: { url: agent.url } }));
    expect(wrong).toMatchObject({ isComponentError: true, code: 'COMPONENT_FAILED', lastError: LastError.PIN_INCORRECT_2_LEFT, triesLeft: 2 });
    expect(wrong.messages.zhTW).toContain('PIN碼錯誤，剩餘兩次機會');
    expect(card.pinTriesLeft).toBe(2);
    const right = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 't', pin: PIN }, options: { url: agent.url } }));
    expect(right.cardNumber).toBe(CARD_NUMBER);
    expect(card.pinTriesLeft).toBe(3);
  });

  it('a site the agent does not trust gets 0x76000031, directly and through the popup', async () => {
    const untrusted = await startAgent({ slots: new EmulatorCardSlots(new EmulatorReader({ name: 'Empty' })), port: 0 });
    try {
      const direct = errorOf(await inPage(page, 'detect', { options: { url: untrusted.url } }));
      expect(direct).toMatchObject({ code: 'COMPONENT_FAILED', retCode: RetCode.UNTRUSTED_DOMAIN });
      const viaPopup = errorOf(await inPage(page, 'detect', { options: { url: untrusted.url, mode: 'popup' } }));
      expect(viaPopup).toMatchObject({ code: 'COMPONENT_FAILED', retCode: RetCode.UNTRUSTED_DOMAIN });
    } finally {
      await untrusted.close();
    }
  });
});
