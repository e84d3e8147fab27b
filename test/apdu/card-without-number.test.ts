/**
 * A card without the card-number EF (0900/0903), which no document says every HiCOS card has, or with the EF blank
 * (never written: no bytes, or every byte 00, or every byte FF). Its PIN tries are counted under a digest of its SIGN
 * certificate, so it verifies and signs with the last-try guard intact; a read of the card number that fails for
 * any reason other than "not there" or "blank" (malformed content included) still stops before any VERIFY.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileRetryCounterStore, HiCOSCard, RetryCounterStore, retryCounterKey } from '../../src/apdu/index.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import { toHex } from '../../src/shared/bytes.js';
import { HiCOSFile } from '../../src/apdu/commands/file-id.js';
import { READ_CHUNK } from '../../src/apdu/commands/read-binary.js';
import { splitTlvRecords } from '../../src/apdu/pkcs15/tlv-records.js';
import type { VirtualCardCredentials, VirtualHiCOSCardOptions } from '../../src/testing/hicos/virtual-card-options.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { plainCommandsDuringSession, testCredentials } from './support/virtual-cards.js';

beforeAll(async () => {
  await testCredentials();
}, 60_000);

const CARDS = [
  { name: 'Gen1', generation: 1, mode: {} },
  { name: 'Gen2 (plain commands during SM accepted)', generation: 2, mode: { plainCommandsDuringSecureMessaging: 'accept' } },
  { name: 'Gen2 (plain commands during SM refused)', generation: 2, mode: { plainCommandsDuringSecureMessaging: 'refuse' } },
] as const;

const verifies = (card: VirtualHiCOSCard, from = 0): number => card.log.slice(from).filter((e) => e.command[1] === 0x20).length;
const isSelectOf = (command: Uint8Array, fid: number): boolean =>
  command[1] === 0xa4 && command[2] === 0x00 && command[4] === 2 && command[5] === fid >> 8 && command[6] === (fid & 0xff);

/** A virtual card whose answers to some commands are replaced (how another card could answer them). */
class Answering implements CardEmulator {
  public constructor(
    public readonly inner: VirtualHiCOSCard,
    private readonly answer: (command: Uint8Array) => Uint8Array | undefined,
  ) {}
  public reset(): Uint8Array {
    return this.inner.reset();
  }
  public process(command: Uint8Array): Uint8Array {
    return this.answer(command) ?? this.inner.process(command);
  }
}

/** The same keys with SIGN and KEYX swapped: another card, whose KEYX certificate is the first one's SIGN. */
function swapped(c: VirtualCardCredentials): VirtualCardCredentials {
  return { sign: c.keyx, keyx: c.sign, caCertificates: c.caCertificates };
}

describe.each(CARDS)('a $name card without a card-number EF', ({ generation, mode }) => {
  const used: VirtualHiCOSCard[] = [];
  afterEach(() => {
    // Reading the certificates for the key never put a plain command into an open secure session.
    for (const card of used.splice(0)) expect(plainCommandsDuringSession(card.log)).toEqual([]);
  });
  const insert = async (options: Partial<VirtualHiCOSCardOptions> = {}, store: RetryCounterStore = new RetryCounterStore()) => {
    const card = new VirtualHiCOSCard({ generation, ...mode, credentials: await testCredentials(), cardNumberFile: 'no-ef', ...options });
    used.push(card);
    const reader = new EmulatorReader();
    reader.insert(card);
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: store });
    return { card, reader, hicos, store };
  };

  const WITHOUT = ['no-ef', 'no-df', 'blank-00', 'blank-ff', 'empty'] as const;

  it.each(WITHOUT)('%s: info() and cardNumber() report no card number instead of failing', async (cardNumberFile) => {
    const { hicos } = await insert({ cardNumberFile });
    const info = await hicos.info();
    expect(info.cardNumber).toBe('');
    expect(info.certificates).toHaveLength(4);
    expect(await hicos.cardNumber()).toBe('');
  });

  it.each(WITHOUT)('%s: verifies and signs, each call with exactly one VERIFY', async (cardNumberFile) => {
    const { card, hicos } = await insert({ cardNumberFile });
    expect(await hicos.verifyPin('123456')).toEqual({ status: 'ok', retriesLeft: 3 });
    expect(verifies(card)).toBe(1);
    expect(hicos.lastKnownRetries).toBe(3);
    let before = card.log.length;
    const signature = await hicos.sign(new Uint8Array([1, 2, 3]), { pin: '123456' });
    expect(verifies(card, before)).toBe(1);
    const cert = new X509Certificate((await testCredentials()).sign.certificate);
    expect(verify('sha256', new Uint8Array([1, 2, 3]), cert.publicKey, signature)).toBe(true);
    before = card.log.length;
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    expect(verifies(card, before)).toBe(1);
  });

  it.each(WITHOUT)('%s: the count is kept under the SIGN certificate\'s digest, never under a card number', async (cardNumberFile) => {
    const { card, hicos, store } = await insert({ cardNumberFile });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    const key = `cert-sha256:${createHash('sha256').update((await testCredentials()).sign.certificate).digest('hex')}`;
    expect(store.get(key)).toBe(2);
    expect(store.get(card.cardNumber)).toBeUndefined();
    expect(store.get('')).toBeUndefined();
    expect(retryCounterKey(await hicos.info())).toBe(key);
  });

  it('the last-try guard stops at one try left, for verifyPin and sign, and sends one VERIFY when allowed', async () => {
    const { card, hicos } = await insert({ pin: '246810' });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 1 });
    expect(hicos.lastKnownRetries).toBe(1);
    const before = card.log.length;
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    await expect(hicos.sign(new Uint8Array([1]), { pin: '246810' })).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(verifies(card, before)).toBe(0);
    expect(card.pinTriesLeft).toBe(1);
    expect(await hicos.verifyPin('246810', { allowLastTry: true })).toEqual({ status: 'ok', retriesLeft: 3 });
    expect(verifies(card, before)).toBe(1);
  });

  it('the guard holds for a fresh card object and a fresh session (the key is read again, the same)', async () => {
    const { card, reader, store } = await insert();
    const first = await HiCOSCard.open(reader.connect(), { retryStore: store });
    await first.verifyPin('000000');
    await first.verifyPin('000000');
    const again = await HiCOSCard.open(reader.connect(), { retryStore: store });
    const before = card.log.length;
    await expect(again.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(verifies(card, before)).toBe(0);
  });

  it('two such cards do not share a count, and neither key can be a card number', async () => {
    const store = new RetryCounterStore();
    const a = await insert({}, store);
    const b = await insert({ credentials: swapped(await testCredentials()) }, store);
    await a.hicos.verifyPin('000000');
    await a.hicos.verifyPin('000000');
    await expect(a.hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    // B is not A: its count is its own, and it starts unknown.
    expect(b.hicos.lastKnownRetries).toBeUndefined();
    expect(await b.hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    expect(a.hicos.lastKnownRetries).toBe(1);
    expect(b.hicos.lastKnownRetries).toBe(2);
    const key = (creds: VirtualCardCredentials) => `cert-sha256:${createHash('sha256').update(creds.sign.certificate).digest('hex')}`;
    const creds = await testCredentials();
    expect(store.get(key(creds))).toBe(1);
    expect(store.get(key(swapped(creds)))).toBe(2);
    // A card number is at most 16 characters; these keys are 76.
    expect(key(creds)).toHaveLength(76);
  });

  it('the file store keeps the key, so the guard holds in the next process too', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twpki-cardkey-')), 'pin-retries.json');
    const { card, reader } = await insert({}, new FileRetryCounterStore(path));
    const run = () => HiCOSCard.open(reader.connect(), { retryStore: new FileRetryCounterStore(path) });
    await (await run()).verifyPin('000000');
    await (await run()).verifyPin('000000');
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
    expect(Object.entries(saved)).toEqual([[expect.stringMatching(/^cert-sha256:[0-9a-f]{64}$/), 1]]);
    const before = card.log.length;
    await expect((await run()).verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(verifies(card, before)).toBe(0);
  });
});

describe.each([1, 2] as const)('Gen%i: how the card says the card number is not there', (generation) => {
  it.each([
    ['6A86 to SELECT 0903', 0x0903, 0x6a86],
    ['6A88 to SELECT 0903', 0x0903, 0x6a88],
    ['6A86 to SELECT 0900', 0x0900, 0x6a86],
    ['6A88 to SELECT 0900', 0x0900, 0x6a88],
  ])('%s: no card number; the PIN is verified once', async (_name, fid, sw) => {
    const inner = new VirtualHiCOSCard({ generation, credentials: await testCredentials() });
    const reader = new EmulatorReader();
    reader.insert(new Answering(inner, (c) => (isSelectOf(c, fid) ? Uint8Array.of(sw >> 8, sw & 0xff) : undefined)));
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    expect(await hicos.verifyPin('123456')).toMatchObject({ status: 'ok' });
    expect(verifies(inner)).toBe(1);
    expect(await hicos.cardNumber()).toBe('');
  });
});

describe.each([1, 2] as const)('Gen%i: a card that has its card number, selected elsewhere under the host\'s feet', (generation) => {
  it('is not taken for one without: the card number keys the guard, which stops the last try', async () => {
    const card = new VirtualHiCOSCard({ generation, credentials: await testCredentials() });
    const reader = new EmulatorReader();
    reader.insert(card);
    const store = new RetryCounterStore();
    store.set(card.cardNumber, 1);
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: store });
    // Another program (or a reset the transport did not see) leaves the card in DF 5030, where SELECT 0900 finds
    // nothing, while the host still takes the root for current.
    const select5030 = generation === 1 ? [0x80, 0xa4, 0x00, 0x00, 0x02, 0x50, 0x30] : [0x00, 0xa4, 0x00, 0x04, 0x02, 0x50, 0x30, 0x00];
    expect(toHex(card.process(Uint8Array.from(select5030)).subarray(-2))).toBe('9000');
    const before = card.log.length;
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(verifies(card, before)).toBe(0);
    expect(card.pinTriesLeft).toBe(3);
    expect(await hicos.cardNumber()).toBe(card.cardNumber);
  });
});

/** READ BINARY answered from `content` as an EF holding it would answer: the bytes asked, fewer with 6282, 6B00 past the end. */
function readOf(content: Uint8Array, command: Uint8Array): Uint8Array {
  const offset = (command[2]! << 8) | command[3]!;
  const le = command[4] || 256;
  if (offset >= content.length) return Uint8Array.of(0x6b, 0x00);
  const data = content.subarray(offset, offset + le);
  return Uint8Array.from([...data, ...(data.length < le ? [0x62, 0x82] : [0x90, 0x00])]);
}

/** The virtual card with EF 0903 answering READ BINARY by `read` (the EF's SELECT is the card's own). */
function cardNumberEfAnswering(inner: VirtualHiCOSCard, read: (command: Uint8Array) => Uint8Array): Answering {
  let in0903 = false;
  return new Answering(inner, (c) => {
    if (c[1] === 0xa4) in0903 = isSelectOf(c, 0x0903);
    else if (in0903 && c[1] === 0xb0) return read(c);
    return undefined;
  });
}

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'ascii')] : p)));

describe.each([1, 2] as const)('Gen%i: what counts as a blank card-number EF', (generation) => {
  const blank: Array<[string, (command: Uint8Array) => Uint8Array]> = [
    ['8 bytes of FF (the file ends inside the 16-byte read: 6282)', (c) => readOf(new Uint8Array(8).fill(0xff), c)],
    ['40 bytes of 00 (longer than the 16 read)', (c) => readOf(new Uint8Array(40), c)],
    ['one 00 byte', (c) => readOf(Uint8Array.of(0), c)],
    ['no bytes, answered 9000 with no data', () => Uint8Array.of(0x90, 0x00)],
    ['no bytes, answered 6282 with no data', () => Uint8Array.of(0x62, 0x82)],
  ];
  it.each(blank)('%s: no card number, keyed by the SIGN certificate, one VERIFY', async (_name, read) => {
    const inner = new VirtualHiCOSCard({ generation, credentials: await testCredentials() });
    const reader = new EmulatorReader();
    reader.insert(cardNumberEfAnswering(inner, read));
    const store = new RetryCounterStore();
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: store });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    expect(verifies(inner)).toBe(1);
    expect(await hicos.cardNumber()).toBe('');
    expect(store.get(`cert-sha256:${createHash('sha256').update((await testCredentials()).sign.certificate).digest('hex')}`)).toBe(2);
  });

  const notBlank: Array<[string, Uint8Array, string]> = [
    ['00 and FF mixed', bytes([0, 0, 0xff, 0xff, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'only 00 and FF bytes, mixed'],
    ['padding before a number', bytes([0, 0, 0, 0], 'TP0300001234'), 'not printable ASCII'],
    ['FF padding before a number', bytes([0xff, 0xff], 'TP03000012345'), 'not printable ASCII'],
    ['a number with a 00 inside', bytes('TP0300', [0], '001234567'), 'not printable ASCII'],
  ];
  it.each(notBlank)('%s: malformed, every PIN call stops before any VERIFY', async (_name, content, message) => {
    const inner = new VirtualHiCOSCard({ generation, credentials: await testCredentials() });
    const reader = new EmulatorReader();
    reader.insert(cardNumberEfAnswering(inner, (c) => readOf(content, c)));
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    await expect(hicos.verifyPin('123456')).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE', message: expect.stringContaining(message) });
    await expect(hicos.sign(new Uint8Array([1]), { pin: '123456' })).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
    await expect(hicos.cardNumber()).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
    expect(verifies(inner)).toBe(0);
    expect(inner.pinTriesLeft).toBe(3);
  });

  it.each([
    ['00', 0x00],
    ['FF', 0xff],
  ])('a number followed by %s padding is that number, and keys the count', async (_name, pad) => {
    const inner = new VirtualHiCOSCard({ generation, credentials: await testCredentials() });
    const reader = new EmulatorReader();
    reader.insert(cardNumberEfAnswering(inner, (c) => readOf(bytes('TP030000123', new Array<number>(5).fill(pad)), c)));
    const store = new RetryCounterStore();
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: store });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    expect(await hicos.cardNumber()).toBe('TP030000123');
    expect(store.get('TP030000123')).toBe(2);
  });
});

describe.each([1, 2] as const)('Gen%i: a card that has its card number, moved under the host\'s feet to a blank EF of the same FIDs', (generation) => {
  it('is not taken for a blank one: the EF is read again from the root, and the card number keys the guard', async () => {
    const inner = new VirtualHiCOSCard({ generation, credentials: await testCredentials() });
    // Another program leaves the card in DF 5030, which here holds a DF 0900 with a blank EF 0903 of its own.
    let in5030 = false;
    let other: 'none' | 'df' | 'ef' = 'none';
    const card = new Answering(inner, (c) => {
      if (c[1] === 0xb0) return other === 'ef' ? readOf(new Uint8Array(16), c) : undefined;
      if (c[1] !== 0xa4) return undefined;
      if (in5030 && other === 'none' && isSelectOf(c, 0x0900)) {
        other = 'df';
        return Uint8Array.of(0x90, 0x00);
      }
      if (other === 'df' && isSelectOf(c, 0x0903)) {
        other = 'ef';
        return Uint8Array.of(0x90, 0x00);
      }
      in5030 = isSelectOf(c, 0x5030);
      other = 'none';
      return undefined;
    });
    const reader = new EmulatorReader();
    reader.insert(card);
    const store = new RetryCounterStore();
    store.set(inner.cardNumber, 1);
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: store });
    const select5030 = generation === 1 ? [0x80, 0xa4, 0x00, 0x00, 0x02, 0x50, 0x30] : [0x00, 0xa4, 0x00, 0x04, 0x02, 0x50, 0x30, 0x00];
    expect(toHex(card.process(Uint8Array.from(select5030)).subarray(-2))).toBe('9000');
    // The first read after the move finds the other EF blank; the card's own is read from the root.
    expect(await hicos.cardNumber()).toBe(inner.cardNumber);
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(verifies(inner)).toBe(0);
    expect(inner.pinTriesLeft).toBe(3);
  });
});

describe.each([1, 2] as const)('Gen%i: a card-number read that fails for another reason', (generation) => {
  const cases: Array<[string, Partial<VirtualHiCOSCardOptions>, ((c: Uint8Array) => Uint8Array | undefined) | undefined, string, string | undefined]> = [
    ['READ BINARY refused (6982)', { cardNumberFile: 'unreadable' }, undefined, 'CARD_ERROR', '6982'],
    ['SELECT 0903 refused (6982)', {}, (c) => (isSelectOf(c, 0x0903) ? Uint8Array.of(0x69, 0x82) : undefined), 'CARD_ERROR', '6982'],
    ['SELECT 0900 refused (6985)', {}, (c) => (isSelectOf(c, 0x0900) ? Uint8Array.of(0x69, 0x85) : undefined), 'CARD_ERROR', '6985'],
    ['an unprintable card number', {}, undefined, 'MALFORMED_RESPONSE', undefined],
  ];
  it.each(cases)('%s: every PIN call stops before any VERIFY', async (_name, options, answer, code, statusWord) => {
    const inner = new VirtualHiCOSCard({ generation, credentials: await testCredentials(), ...options });
    const reader = new EmulatorReader();
    let readsOf0903 = false;
    reader.insert(
      new Answering(inner, (c) => {
        if (code === 'MALFORMED_RESPONSE') {
          if (isSelectOf(c, 0x0903)) readsOf0903 = true;
          else if (readsOf0903 && c[1] === 0xb0) return Uint8Array.of(0x01, 0x02, 0x90, 0x00);
          else readsOf0903 = false;
        }
        return answer?.(c);
      }),
    );
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore(), enableStatusProbe: true });
    for (const call of [() => hicos.verifyPin('123456'), () => hicos.sign(new Uint8Array([1]), { pin: '123456' }), () => hicos.probePinStatus()]) {
      const error = (await call().catch((e: unknown) => e)) as { code?: string; statusWord?: string; message?: string };
      expect([error.code, error.statusWord]).toEqual([code, statusWord]);
      expect(error.message).toMatch(/^no PIN was sent: a PIN operation first reads the card number \(EF 0900\/0903; without one, the card's SIGN certificate\).*tries left/);
      expect(error.message).not.toContain('123456');
    }
    expect(verifies(inner)).toBe(0);
    expect(inner.pinTriesLeft).toBe(3);
    // Reading without a PIN fails too: the card number is not known to be absent.
    await expect(hicos.cardNumber()).rejects.toMatchObject({ code });
  });
});

describe.each([1, 2] as const)('Gen%i: a card with neither a card number nor a user certificate', (generation) => {
  it('has nothing to keep its count by: every PIN call stops before any VERIFY', async () => {
    const inner = new VirtualHiCOSCard({ generation, credentials: await testCredentials(), cardNumberFile: 'no-ef' });
    const reader = new EmulatorReader();
    let inCdf = false;
    reader.insert(
      new Answering(inner, (c) => {
        if (c[1] === 0xa4) inCdf = isSelectOf(c, 0x4104);
        // An empty CDF: padding only.
        else if (inCdf && c[1] === 0xb0) return Uint8Array.from([...new Uint8Array(c[4] || 256).fill(0xff), 0x90, 0x00]);
        return undefined;
      }),
    );
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore(), enableStatusProbe: true });
    expect((await hicos.info()).certificates).toEqual([]);
    for (const call of [() => hicos.verifyPin('123456'), () => hicos.sign(new Uint8Array([1]), { pin: '123456' }), () => hicos.probePinStatus()]) {
      await expect(call()).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringMatching(/^no PIN was sent: the card has no card number .* and no SIGN or KEYX certificate/) });
    }
    expect(verifies(inner)).toBe(0);
    expect(hicos.lastKnownRetries).toBeUndefined();
  });
});

/**
 * Offsets of the READ BINARYs of EF 08F2 (the certificates) from `log[from]` on, in order. The selection is followed
 * from the start of the log: a read may go to the EF an earlier call left selected.
 */
function certificateReads(card: VirtualHiCOSCard, from = 0): number[] {
  let in08f2 = false;
  const offsets: number[] = [];
  card.log.forEach(({ command }, i) => {
    if (command[1] === 0xa4) in08f2 = isSelectOf(command, HiCOSFile.CERTIFICATES);
    else if (in08f2 && command[1] === 0xb0 && i >= from) offsets.push((command[2]! << 8) | command[3]!);
  });
  return offsets;
}

/** 200-byte reads from offset 0 that a file of `length` bytes takes. */
const chunksOf = (length: number): number[] => Array.from({ length: Math.ceil(length / READ_CHUNK) }, (_, i) => i * READ_CHUNK);

describe.each([1, 2] as const)('Gen%i: the first PIN operation of a card without a number reads only its SIGN certificate', (generation) => {
  const insert = async (cardNumberFile: 'no-ef' | 'blank-ff') => {
    const card = new VirtualHiCOSCard({ generation, credentials: await testCredentials(), cardNumberFile });
    const reader = new EmulatorReader();
    reader.insert(card);
    const store = new RetryCounterStore();
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: store });
    card.clearLog();
    return { card, hicos, store };
  };

  it.each(['no-ef', 'blank-ff'] as const)('%s: the CDF and the SIGN certificate\'s chunks, no other certificate', async (cardNumberFile) => {
    const { card, hicos } = await insert(cardNumberFile);
    const sign = (await testCredentials()).sign.certificate;
    expect(await hicos.verifyPin('123456')).toEqual({ status: 'ok', retriesLeft: 3 });
    // The SIGN certificate sits at offset 0 of EF 08F2 (the CDF lists it first); the others, from 0x700 on, are not read.
    expect(certificateReads(card)).toEqual(chunksOf(sign.length));
    // Every APDU, step by step. The card number: Gen1 asks from the root it remembers (SELECT 0900, 0903, then READ
    // for a blank file), finds none and asks again from the root (SELECT 3F00 as well); Gen2 first reads the
    // PrKDF (SELECT 5030, 4100, READ) and so asks from the root at once (applet AID, 0900, 0903 [, READ]).
    const read = cardNumberFile === 'blank-ff' ? 1 : 0;
    const cardNumber = generation === 1 ? 2 + read + (3 + read) : 3 + (3 + read);
    // The key certificate: root, 5030, CDF, the CDF's chunks until its padding, SELECT 08F2, the certificate's chunks.
    const cdf = card.fileContent([HiCOSFile.PKCS15_DF, HiCOSFile.CDF])!;
    const cdfReads = Math.floor(splitTlvRecords(cdf).records.reduce((n, r) => n + r.length, 0) / READ_CHUNK) + 1;
    const keyCertificate = 3 + cdfReads + 1 + chunksOf(sign.length).length;
    // The VERIFY: Gen1 SELECT 0810 and VERIFY; Gen2 the SCP03 session (applet, GET DATA, applet, INITIALIZE UPDATE,
    // EXTERNAL AUTHENTICATE) and VERIFY.
    const verify = generation === 1 ? 2 : 6;
    expect(card.apduCount).toBe(cardNumber + keyCertificate + verify);
    expect(verifies(card)).toBe(1);
  });

  it('info() afterwards reads the other certificates, not the CDF or the SIGN certificate again, and gives the same key', async () => {
    const { card, hicos, store } = await insert('no-ef');
    const creds = await testCredentials();
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    const before = card.log.length;
    const info = await hicos.info();
    expect(info.certificates.map((c) => Buffer.from(c.der))).toEqual([creds.sign.certificate, creds.keyx.certificate, ...creds.caCertificates!].map((d) => Buffer.from(d)));
    expect(certificateReads(card, before)).not.toContain(0);
    expect(card.log.slice(before).some((e) => isSelectOf(e.command, HiCOSFile.CDF))).toBe(false);
    const key = retryCounterKey(info)!;
    expect(store.get(key)).toBe(2);
    expect(hicos.lastKnownRetries).toBe(2);
  });

  it('after info(), a PIN operation reads no certificate', async () => {
    const { card, hicos } = await insert('no-ef');
    await hicos.info();
    const before = card.log.length;
    expect(await hicos.verifyPin('123456')).toEqual({ status: 'ok', retriesLeft: 3 });
    expect(certificateReads(card, before)).toEqual([]);
    expect(card.log.slice(before).some((e) => isSelectOf(e.command, HiCOSFile.CDF))).toBe(false);
  });
});

describe('a normal card', () => {
  it.each([1, 2] as const)('Gen%i: verifyPin sends what it sent before: the card number read, then the VERIFY', async (generation) => {
    const card = new VirtualHiCOSCard({ generation, credentials: await testCredentials() });
    const reader = new EmulatorReader();
    reader.insert(card);
    const store = new RetryCounterStore();
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: store });
    await hicos.privateKeys();
    card.clearLog();
    await hicos.verifyPin('123456');
    const trace = card.log.map((e) => toHex(e.command.subarray(0, 2)));
    expect(trace).toEqual(
      generation === 1
        ? ['80a4', '80a4', '80a4', '80b0', '80a4', '80a4', '80a4', '8c20']
        : ['00a4', '00a4', '00a4', '00b0', '00a4', '80ca', '00a4', '8050', '8482', '0420'],
    );
    expect(store.get(card.cardNumber)).toBe(3);
  });
});
