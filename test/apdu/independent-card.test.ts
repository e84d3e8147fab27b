import { constants, verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { CardRemovedError } from '../../src/pcsc/errors.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import { toHex } from '../../src/shared/bytes.js';
import type { VirtualCardCredentials } from '../../src/testing/hicos/virtual-card-options.js';
import { type IndependentCardBehaviour, IndependentGen1Card } from './support/independent-card.js';
import { insertVirtualCard, testCredentials } from './support/virtual-cards.js';

/*
 * The host against a card written apart from the project's virtual card
 * (test/apdu/support/independent-card.ts): legal ISO 7816-4 answers that
 * differ from the virtual card's wherever the standard leaves room.
 */

let credentials: VirtualCardCredentials;
beforeAll(async () => {
  credentials = await testCredentials();
}, 60_000);

function insert(behaviour: IndependentCardBehaviour = {}, store = new RetryCounterStore()) {
  const card = new IndependentGen1Card(credentials, behaviour);
  const reader = new EmulatorReader();
  reader.insert(card);
  return { card, reader, store, open: () => HiCOSCard.open(reader.connect(), { retryStore: store }) };
}

const expectedCertificates = (): string[] =>
  [credentials.sign.certificate, credentials.keyx.certificate, ...credentials.caCertificates!].map(toHex);

describe('reading an independently written Gen1 card', () => {
  it.each<[string, IndependentCardBehaviour]>([
    ['6282 + the rest at the end, 6B00 past it', {}],
    ['9000 + the rest at the end (no warning), 6B00 past it', { straddle: '9000' }],
    ['9000 + the rest at the end, 6A86 past it', { straddle: '9000', pastEnd: '6a86' }],
    ['9000 + the rest at the end, empty 6282 past it', { straddle: '9000', pastEnd: '6282' }],
    ['9000 + the rest at the end, empty 9000 past it', { straddle: '9000', pastEnd: '9000' }],
    ['6Cxx when Le runs past the end', { straddle: '6c' }],
    ['at most 128 bytes per READ BINARY with 9000 (fewer than asked, no warning)', { maxRead: 128, straddle: '9000' }],
    ['at most 77 bytes per READ BINARY, 6A86 past the end', { maxRead: 77, straddle: '9000', pastEnd: '6a86' }],
    ['61xx chaining, GET RESPONSE in 50-byte pieces (several 61xx in a row)', { chaining: { piece: 50 } }],
    ['6100 ("more, ask with Le 00") chaining in 90-byte pieces', { chaining: { piece: 90, announce: '6100' } }],
    ['61xx chaining where GET RESPONSE must carry CLA 80 (6E00 to CLA 00)', { chaining: { piece: 50 }, getResponseCla: 0x80 }],
    ['an FCI on SELECT', { selectFci: true }],
    ['an FCI on SELECT through 61xx', { selectFci: true, chaining: { piece: 8 } }],
    ['6A88 for an absent file', { absentFile: '6a88' }],
    ['data on error status words', { errorData: true, straddle: '9000', pastEnd: '6a86' }],
    // A short 9000 may be the card's way of saying "that was the end": what it answers after is not depended on.
    ['9000 + the rest at the end, 6700 past it', { straddle: '9000', pastEnd: '6700' }],
    ['at most 77 bytes per READ BINARY, 6700 past the end', { maxRead: 77, straddle: '9000', pastEnd: '6700' }],
    // 6C08 re-sent with Le 8 reads as a short answer; past the end 6C00, whose re-send with Le 00 the transport refuses.
    ['6Cxx when Le runs past the end, 6C00 past it', { straddle: '6c', pastEnd: '6c00' }],
    // The CDF's length is the card's word; each certificate is as long as its own DER header says.
    ['CDF lengths covering each 0x700 slot (the DER, then 00 padding)', { cdfLength: 'slot' }],
    ['CDF lengths 40 bytes short of each DER (the file holds it all)', { cdfLength: 'short' }],
    ['no version file, its SELECT answered 6A86', { versionSelect6a86: true }],
  ])('%s: info, keys and a signature are exact', async (_name, behaviour) => {
    const { card, open } = insert(behaviour);
    const hicos = await open();
    expect(hicos.generation).toBe(1);
    const info = await hicos.info();
    expect(info.cardNumber).toBe(card.cardNumber);
    expect(info.version).toBe(behaviour.versionSelect6a86 ? '' : card.version);
    expect(info.certificates.map((c) => c.label)).toEqual(['cert1', 'cert2', 'CACert', 'ROOTCACert']);
    expect(info.certificates.map((c) => toHex(c.der))).toEqual(expectedCertificates());
    const keys = await hicos.privateKeys();
    expect(keys.map((k) => [k.usage, k.keyRef, k.modulusBits])).toEqual([
      ['SIGN', 0x05, 2048],
      ['KEYX', 0x11, 2048],
    ]);
    const signature = await hicos.sign(new Uint8Array([1, 2, 3]), { pin: '123456' });
    const key = new X509Certificate(credentials.sign.certificate).publicKey;
    expect(verify('sha256', new Uint8Array([1, 2, 3]), { key, padding: constants.RSA_PKCS1_PADDING }, signature)).toBe(true);
    expect(card.verifies).toBe(1);
    expect(card.triesLeft).toBe(3);
  });

  it.each<[string, IndependentCardBehaviour]>([
    ['with 6282', {}],
    ['with a short 9000', { straddle: '9000' }],
  ])('a CDF that ends inside a record (%s) is a typed error, not fewer certificates', async (_name, behaviour) => {
    const { open } = insert({ ...behaviour, cutCdf: 10 });
    const hicos = await open();
    await expect(hicos.certificates()).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE', message: expect.stringContaining('CDF') });
  });
});

describe('PIN answers of an independently written Gen1 card', () => {
  it('6300 (wrong PIN, no counter) is a wrong PIN: the count steps down from the last known one and the guard holds', async () => {
    const { card, open } = insert({ wrongPin: '6300' });
    const hicos = await open();
    expect(await hicos.verifyPin('123456')).toEqual({ status: 'ok', retriesLeft: 3 });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    expect(hicos.lastKnownRetries).toBe(2);
    await expect(hicos.sign(new Uint8Array([1]), { pin: '000000' })).rejects.toMatchObject({ code: 'WRONG_PIN', retriesLeft: 1, statusWord: '6300' });
    expect(hicos.lastKnownRetries).toBe(1);
    const sent = card.verifies;
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(card.verifies).toBe(sent);
    expect(card.triesLeft).toBe(1);
  });

  it('6300 with no count known: a wrong PIN with tries left unknown (not a card error)', async () => {
    const { open } = insert({ wrongPin: '6300' });
    const hicos = await open();
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: undefined });
    expect(hicos.lastKnownRetries).toBeUndefined();
    const error = await hicos.sign(new Uint8Array([1]), { pin: '000000' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WRONG_PIN', retriesLeft: undefined, statusWord: '6300' });
    expect((error as Error).message).not.toContain('000000');
  });

  it('6Cxx to VERIFY: the VERIFY is sent once (never again with another Le), and the error is typed', async () => {
    const { card, open } = insert({ verifyWrongLe: true });
    const hicos = await open();
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'CARD_ERROR', statusWord: '6C10' });
    expect(card.verifies).toBe(1);
    expect(card.triesLeft).toBe(2);
  });

  it('an answer no rule knows (6Cxx after counting the try) steps the known count down: the guard is not a try behind', async () => {
    const behaviour: IndependentCardBehaviour = {};
    const { card, open } = insert(behaviour);
    const hicos = await open();
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    behaviour.verifyWrongLe = true;
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'CARD_ERROR', statusWord: '6C10' });
    expect(card.triesLeft).toBe(1);
    expect(hicos.lastKnownRetries).toBe(1);
    // The last try is not spent unless the caller allows it.
    const sent = card.verifies;
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(card.verifies).toBe(sent);
    expect(card.triesLeft).toBe(1);
  });

  it('the status probe read like a VERIFY: a bare 6300 or an unknown answer steps the known count down', async () => {
    const { card, reader } = insert();
    const process = card.process.bind(card);
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore(), enableStatusProbe: true });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    // A card that takes the probe for a wrong PIN and answers 6300.
    card.process = (bytes: Uint8Array) => (bytes[1] === 0x20 && bytes[4] === undefined ? (card.triesLeft--, Uint8Array.of(0x63, 0x00)) : process(bytes));
    expect(await hicos.probePinStatus()).toEqual({ verified: false, retriesLeft: 1, locked: false });
    expect(hicos.lastKnownRetries).toBe(1);
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(card.triesLeft).toBe(1);
  });

  it('61xx to VERIFY is success (ISO: processing completed normally)', async () => {
    const { card, open } = insert({ verifySuccess61: true });
    const hicos = await open();
    expect(await hicos.verifyPin('123456')).toEqual({ status: 'ok', retriesLeft: 3 });
    expect(card.verifies).toBe(1);
    const signature = await hicos.sign(new Uint8Array([5]));
    expect(verify('sha256', new Uint8Array([5]), new X509Certificate(credentials.sign.certificate).publicKey, signature)).toBe(true);
  });

  it('a card pulled during VERIFY: the try may be spent, so the last known count steps down and the guard holds', async () => {
    const store = new RetryCounterStore();
    const { card, reader, open } = insert({}, store);
    const hicos = await open();
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    const process = card.process.bind(card);
    card.process = (bytes: Uint8Array) => {
      const answer = process(bytes);
      if (bytes[1] === 0x20) reader.remove();
      return answer;
    };
    await expect(hicos.verifyPin('000000')).rejects.toBeInstanceOf(CardRemovedError);
    expect(card.triesLeft).toBe(1);
    expect(hicos.lastKnownRetries).toBe(1);
    // Re-inserted: the store still remembers, so a third wrong PIN is not sent without allowLastTry.
    card.process = process;
    reader.insert(card);
    const again = await HiCOSCard.open(reader.connect(), { retryStore: store });
    await expect(again.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(card.triesLeft).toBe(1);
    // Pulled again during the allowed last try: an inferred count never drops to "locked" (0), which the
    // guard lets through; it stays 1 until the card itself says more.
    card.process = (bytes: Uint8Array) => {
      const answer = process(bytes);
      if (bytes[1] === 0x20) reader.remove();
      return answer;
    };
    await expect(again.verifyPin('123456', { allowLastTry: true })).rejects.toBeInstanceOf(CardRemovedError);
    expect(store.get(card.cardNumber)).toBe(1);
    card.process = process;
    reader.insert(card);
    const third = await HiCOSCard.open(reader.connect(), { retryStore: store });
    await expect(third.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(await third.verifyPin('123456', { allowLastTry: true })).toEqual({ status: 'ok', retriesLeft: 3 });
  });

  it('the opt-in status probe is sent once: 6Cxx is not followed by a second VERIFY', async () => {
    const { card, reader } = insert();
    const process = card.process.bind(card);
    card.process = (bytes: Uint8Array) => (bytes[1] === 0x20 ? (process(bytes), Uint8Array.of(0x6c, 0x0a)) : process(bytes));
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore(), enableStatusProbe: true });
    await expect(hicos.probePinStatus()).rejects.toMatchObject({ code: 'CARD_ERROR', statusWord: '6C0A' });
    expect(card.verifies).toBe(1);
  });
});

/** A card whose answers to commands with INS `ins` pass through `rewrite` (status word, data). */
function rewriting(inner: CardEmulator, ins: number, rewrite: (sw: number, data: Uint8Array) => [number, Uint8Array]): CardEmulator {
  return {
    reset: () => inner.reset(),
    process: async (bytes) => {
      const answer = await inner.process(bytes);
      if (bytes[1] !== ins) return answer;
      const [sw, data] = rewrite((answer[answer.length - 2]! << 8) | answer[answer.length - 1]!, answer.subarray(0, -2));
      return Uint8Array.from([...data, sw >> 8, sw & 0xff]);
    },
  };
}

describe.each(['accept', 'refuse'] as const)('a Gen2 applet with other answers (plain commands during SM: %s)', (mode) => {
  it.each([
    ['READ BINARY giving at most 100 bytes with 9000 (fewer than asked, no warning)', true, false, false],
    ['6A88 for absent files (the version EF is under the root)', false, true, false],
    ['every successful SELECT answered 6284 (a warning) instead of 9000, the re-SELECTs ending a session too', false, false, true],
  ])('%s: info and a signature are exact', async (_name, cap, notFound6A88, selectWarning) => {
    const { card } = await insertVirtualCard({ generation: 2, plainCommandsDuringSecureMessaging: mode, versionLocation: 'root' });
    const reader = new EmulatorReader();
    let variant: CardEmulator = card;
    if (cap) variant = rewriting(variant, 0xb0, (sw, data) => (sw === 0x9000 || sw === 0x6282 ? [0x9000, data.subarray(0, 100)] : [sw, data]));
    if (notFound6A88) variant = rewriting(variant, 0xa4, (sw, data) => [sw === 0x6a82 ? 0x6a88 : sw, data]);
    if (selectWarning) variant = rewriting(variant, 0xa4, (sw, data) => [sw === 0x9000 ? 0x6284 : sw, data]);
    reader.insert(variant);
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    const info = await hicos.info();
    expect(info.cardNumber).toBe(card.cardNumber);
    expect(info.version).toBe('CHT GPPKI');
    expect(info.certificates.map((c) => toHex(c.der))).toEqual(expectedCertificates());
    const signature = await hicos.sign(new Uint8Array([8]), { pin: '123456' });
    expect(verify('sha256', new Uint8Array([8]), new X509Certificate(credentials.sign.certificate).publicKey, signature)).toBe(true);
  });

  it('6Cxx to EXTERNAL AUTHENTICATE: sent once (GlobalPlatform counts failed authentications), a typed error', async () => {
    const { card } = await insertVirtualCard({ generation: 2, plainCommandsDuringSecureMessaging: mode });
    const reader = new EmulatorReader();
    reader.insert(rewriting(card, 0x82, (sw, data) => [sw === 0x9000 ? 0x6c08 : sw, data]));
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    await expect(hicos.verifyPin('123456')).rejects.toMatchObject({ code: 'SECURE_CHANNEL_FAILED', statusWord: '6C08' });
    expect(card.log.filter((e) => e.command[1] === 0x82)).toHaveLength(1);
    expect(card.log.some((e) => e.command[1] === 0x20)).toBe(false);
  });

  it('6300 to the secured VERIFY is a wrong PIN with the count stepped down, and the guard holds', async () => {
    const { card } = await insertVirtualCard({ generation: 2, plainCommandsDuringSecureMessaging: mode });
    const reader = new EmulatorReader();
    reader.insert(rewriting(card, 0x20, (sw, data) => [(sw & 0xfff0) === 0x63c0 ? 0x6300 : sw, data]));
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    expect((await hicos.verifyPin('123456')).status).toBe('ok');
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 1 });
    await expect(hicos.sign(new Uint8Array([1]), { pin: '000000' })).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(card.pinTriesLeft).toBe(1);
  });
});
