import { verify, X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentOptions, type AgentServer, type CardSlots, type Pkcs11Info, type Pkcs11TokenInfo, type SignResponse } from '../../src/agent/index.js';
import { READ_CHUNK } from '../../src/apdu/advanced.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, minimumReadApdus, type TestPki, type VirtualHiCOSCard } from '../../src/testing/index.js';

const TRUSTED = 'https://www.example.gov.tw';
const PIN = '246810';
let pki: TestPki;
let agent: AgentServer | undefined;

beforeAll(async () => {
  pki = await createTestPki();
}, 60_000);

afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

const card = (cardNumber: string, generation: 1 | 2 = 1): Promise<VirtualHiCOSCard> => createVirtualHiCOSCard({ pki, generation, pin: PIN, cardNumber });

async function info(): Promise<Pkcs11TokenInfo | 'unknown token' | null | undefined> {
  const doc = (await (await fetch(`http://127.0.0.1:${agent!.port}/pkcs11info`, { headers: { Origin: TRUSTED } })).json()) as Pkcs11Info;
  return doc.slots[0]?.token;
}

async function sign(tbs: string, signatureType: 'PKCS1' | 'PKCS7' = 'PKCS1', pin = PIN): Promise<SignResponse> {
  const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType, tbs, tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin })}`;
  return (await (await fetch(`http://127.0.0.1:${agent!.port}/sign`, { method: 'POST', body, headers: { Origin: TRUSTED } })).json()) as SignResponse;
}

/** Puts `inserted` in a fresh reader and starts the agent on it (through `wrap`, when given). */
async function agentOn(inserted: VirtualHiCOSCard, options: Partial<AgentOptions> = {}, wrap: (slots: EmulatorCardSlots) => CardSlots = (x) => x): Promise<EmulatorReader> {
  const reader = new EmulatorReader();
  reader.insert(inserted);
  agent = await startAgent({ slots: wrap(new EmulatorCardSlots(reader)), trusted: [TRUSTED], port: 0, ...options });
  return reader;
}

/** A reader source whose presence token never changes: as if every reader event were missed. */
class MissedEventSlots implements CardSlots {
  public constructor(private readonly inner: EmulatorCardSlots) {}
  public async list(): Promise<Awaited<ReturnType<CardSlots['list']>>> {
    return (await this.inner.list()).map((s) => ({ ...s, presence: 'never changes' }));
  }
  public withCard: CardSlots['withCard'] = (slot, fn) => this.inner.withCard(slot, fn);
  public close(): Promise<void> {
    return this.inner.close();
  }
}

describe.each([1, 2] as const)('warm agent, Gen%i card', (generation) => {
  it('reads the card once at the minimum APDU count, then answers /pkcs11info with no APDU while the card stays in', async () => {
    const c = await card(`TP0300001111000${generation}`, generation);
    await agentOn(c);
    c.clearLog();
    expect(await info()).toMatchObject({ serialNumber: c.cardNumber });
    expect(c.apduCount).toBe(minimumReadApdus(c, { includeVersion: true }));
    c.clearLog();
    for (let i = 0; i < 5; i++) expect(await info()).toMatchObject({ serialNumber: c.cardNumber });
    expect(c.apduCount).toBe(0);
  }, 60_000);
});

describe('warm agent: what ends the warm state', () => {
  it('drops the card on removal and reads the next card in full', async () => {
    const a = await card('TP03000022220001');
    const b = await card('TP03000022220002');
    const reader = await agentOn(a);
    expect(await info()).toMatchObject({ serialNumber: a.cardNumber });
    reader.remove();
    expect(await info()).toBeNull();
    reader.insert(b);
    expect(await info()).toMatchObject({ serialNumber: b.cardNumber });
    expect(b.apduCount).toBe(minimumReadApdus(b, { includeVersion: true }));
    // The same card put back is read again too: it may have been changed while out.
    reader.remove();
    a.clearLog();
    reader.insert(a);
    expect(await info()).toMatchObject({ serialNumber: a.cardNumber });
    expect(a.apduCount).toBe(minimumReadApdus(a, { includeVersion: true }));
  }, 60_000);

  it('a wrong or short PIN says nothing about the card: what was kept stays', async () => {
    const a = await card('TP03000022220005');
    await agentOn(a);
    await info();
    for (const pin of ['999999', '12']) expect((await sign('x', 'PKCS1', pin)).ret_code).toBe(0x76100006);
    a.clearLog();
    expect(await info()).toMatchObject({ serialNumber: a.cardNumber });
    expect(a.apduCount).toBe(0);
  }, 60_000);

  it('with warmCache: false reads the card on every request', async () => {
    const a = await card('TP03000022220003');
    await agentOn(a, { warmCache: false });
    await info();
    a.clearLog();
    await info();
    expect(a.apduCount).toBe(minimumReadApdus(a, { includeVersion: true }));
  }, 60_000);

  it('a failed card operation drops what was kept', async () => {
    const reader = new EmulatorReader();
    const a = await card('TP03000022220004');
    reader.insert(a);
    const slots = new EmulatorCardSlots(reader);
    let failNext = false;
    const flaky: CardSlots = {
      list: () => slots.list(),
      withCard: (slot, fn) => (failNext ? ((failNext = false), Promise.reject(new Error('reader hiccup'))) : slots.withCard(slot, fn)),
      close: () => slots.close(),
    };
    agent = await startAgent({ slots: flaky, trusted: [TRUSTED], port: 0 });
    await info();
    failNext = true;
    expect((await sign('x')).ret_code).not.toBe(0);
    a.clearLog();
    await info();
    expect(a.apduCount).toBe(minimumReadApdus(a, { includeVersion: true }));
  }, 60_000);
});

describe('warm agent: identity is confirmed before anything kept is reused for a signature', () => {
  it.each(['PKCS1', 'PKCS7'] as const)('another card under an unchanged presence token is detected by its card number (%s)', async (signatureType) => {
    const a = await card('TP03000033330001');
    const b = await card('TP03000033330002');
    // The cache's own check is what is tested: with the swap check on, the page shown a would be refused before
    // b signs (swapped-card.test.ts).
    const reader = await agentOn(a, { refuseSwappedCard: false }, (x) => new MissedEventSlots(x));
    expect(await info()).toMatchObject({ serialNumber: a.cardNumber });
    reader.remove();
    reader.insert(b);
    const signed = await sign('who-are-you', signatureType);
    expect(signed).toMatchObject({ ret_code: 0, cardSN: b.cardNumber });
    expect(Buffer.from(signed.certb64, 'base64').equals(Buffer.from(b.credentials.sign.certificate))).toBe(true);
    if (signatureType === 'PKCS1') {
      expect(verify('sha256', Buffer.from('who-are-you'), new X509Certificate(Buffer.from(signed.certb64, 'base64')).publicKey, Buffer.from(signed.signature, 'base64'))).toBe(true);
    }
    // What the signature found is what /pkcs11info now shows.
    expect(await info()).toMatchObject({ serialNumber: b.cardNumber });
  }, 60_000);

  it.each(['PKCS1', 'PKCS7'] as const)('a card with the same number but another certificate is detected by the card\'s signature (%s)', async (signatureType) => {
    const a = await card('TP03000033330003');
    const renewed = await card('TP03000033330003');
    const reader = await agentOn(a, {}, (x) => new MissedEventSlots(x));
    await info();
    reader.remove();
    reader.insert(renewed);
    const signed = await sign('renewed?', signatureType);
    expect(signed.ret_code).toBe(0);
    expect(Buffer.from(signed.certb64, 'base64').equals(Buffer.from(renewed.credentials.sign.certificate))).toBe(true);
    const certs = (await info()) as Pkcs11TokenInfo;
    expect(certs.certs[0]?.sn).toBe(new X509Certificate(Buffer.from(renewed.credentials.sign.certificate)).serialNumber);
  }, 60_000);

  it('the same card is reused after confirmation: a warm signature reads no certificate', async () => {
    const reader = new EmulatorReader();
    const a = await card('TP03000033330005');
    reader.insert(a);
    const cold = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [TRUSTED], port: 0, warmCache: false });
    agent = cold;
    a.clearLog();
    expect((await sign('cold')).ret_code).toBe(0);
    const coldCount = a.apduCount;
    await cold.close();
    agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [TRUSTED], port: 0 });
    await info();
    a.clearLog();
    expect((await sign('warm')).ret_code).toBe(0);
    const creds = a.credentials;
    const certChunks = [creds.sign.certificate, creds.keyx.certificate, ...(creds.caCertificates ?? [])].reduce((n, c) => n + Math.ceil(c.length / READ_CHUNK), 0);
    // Only the card number (identity), the key directory, the PIN and the key operation went to the card.
    expect(coldCount - a.apduCount).toBeGreaterThanOrEqual(certChunks);
  }, 60_000);
});
