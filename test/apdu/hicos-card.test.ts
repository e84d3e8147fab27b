import { constants, publicEncrypt, verify, X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { HiCOSError } from '../../src/apdu/errors.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { CardRemovedError } from '../../src/pcsc/errors.js';
import { toHex } from '../../src/shared/bytes.js';
import { minimumReadApdus } from '../../src/testing/hicos/minimum-read-apdus.js';
import { type InsertedCard, insertVirtualCard as insertCard, plainCommandsDuringSession, testCredentials } from './support/virtual-cards.js';

beforeAll(async () => {
  await testCredentials();
}, 60_000);

const ins = (entry: { command: Uint8Array }): string => toHex(entry.command.subarray(0, 2));

/**
 * Every Gen2 test runs against both plausible answers to a plain command
 * during secure messaging (unknown for real cards): processed, or refused
 * with 6982 and the session dropped.
 */
const CARDS = [
  { name: 'Gen1', generation: 1, card: {} },
  { name: 'Gen2 (plain commands during SM accepted)', generation: 2, card: { plainCommandsDuringSecureMessaging: 'accept' } },
  { name: 'Gen2 (plain commands during SM refused)', generation: 2, card: { plainCommandsDuringSecureMessaging: 'refuse' } },
] as const;

describe.each(CARDS)('HiCOSCard on a virtual $name card', ({ generation, card: cardMode }) => {
  const used: InsertedCard[] = [];
  const insertVirtualCard = async (options: Parameters<typeof insertCard>[0] = {}) => {
    const inserted = await insertCard({ ...cardMode, ...options });
    used.push(inserted);
    return inserted;
  };
  afterEach(() => {
    // Whatever a test did, the host never sent a plain command into an open secure session.
    for (const { card } of used.splice(0)) expect(plainCommandsDuringSession(card.log)).toEqual([]);
  });
  const open = async (options: Parameters<typeof insertVirtualCard>[0] = {}) => {
    const inserted = await insertVirtualCard({ generation, ...options });
    const hicos = await HiCOSCard.open(inserted.transport, { retryStore: new RetryCounterStore() });
    return { ...inserted, hicos };
  };

  it('detects the generation in the middleware order whatever the ATR: one APDU on Gen2, the refused AID and SELECT MF on Gen1', async () => {
    const { card, hicos } = await open();
    expect(hicos.generation).toBe(generation);
    expect(card.log.map((e) => toHex(e.command.subarray(0, 4)))).toEqual(generation === 1 ? ['00a4040c', '80a40000'] : ['00a4040c']);
  });

  it('reads card number, version and certificates that match the credentials', async () => {
    const { hicos } = await open({ cardNumber: 'TP03000099990001' });
    const info = await hicos.info();
    const creds = await testCredentials();
    expect(info.generation).toBe(generation);
    expect(info.cardNumber).toBe('TP03000099990001');
    expect(info.version).toBe(generation === 1 ? 'CHT V32N' : 'CHT GPPKI');
    expect(info.certificates.map((c) => [c.label, c.usage, c.id])).toEqual([
      ['cert1', 'SIGN', '5349474e'],
      ['cert2', 'KEYX', '4b455958'],
      ['CACert', 'CA', toHex(Buffer.from('CACert'))],
      ['ROOTCACert', 'CA', toHex(Buffer.from('ROOTCACert'))],
    ]);
    expect(toHex(info.certificates[0]!.der)).toBe(toHex(creds.sign.certificate));
    expect(toHex(info.certificates[1]!.der)).toBe(toHex(creds.keyx.certificate));
    expect(toHex(info.certificates[3]!.der)).toBe(toHex(creds.caCertificates![1]!));
  });

  it('reads everything with the minimum number of APDUs and caches it for the session', async () => {
    const fresh = await open();
    await fresh.hicos.certificates();
    await fresh.hicos.cardNumber();
    expect(fresh.card.apduCount).toBe(minimumReadApdus(fresh.card));

    const { card, hicos } = await open();
    card.clearLog();
    await hicos.info();
    // The minimum less detection (sent before the log was cleared).
    expect(card.apduCount).toBe(minimumReadApdus(card, { includeVersion: true }) - (generation === 1 ? 2 : 1));
    expect(card.log.filter((e) => ins(e).endsWith('a4')).length).toBe(7);
    // Reading never presents or probes the PIN.
    expect(card.log.some((e) => e.command[1] === 0x20)).toBe(false);
    card.clearLog();
    const again = await hicos.info();
    expect(card.apduCount).toBe(0);
    expect(again.certificates).toHaveLength(4);
  });

  it('lists the private keys with key references and sizes', async () => {
    const { hicos } = await open({ keyRefs: { sign: 0x05, keyx: 0x11 } });
    const keys = await hicos.privateKeys();
    expect(keys.map((k) => [k.usage, k.keyRef, k.modulusBits])).toEqual([
      ['SIGN', 0x05, 2048],
      ['KEYX', 0x11, 2048],
    ]);
  });

  it('drops the cache when the card is reset', async () => {
    const { card, hicos, transport } = await open();
    await hicos.cardNumber();
    await transport.reset();
    card.clearLog();
    await hicos.cardNumber();
    // Re-detection (Gen1: the refused AID, then SELECT MF) plus 0900, 0903, READ.
    expect(card.apduCount).toBe(generation === 1 ? 5 : 4);
  });

  it('verifies the right PIN and counts wrong ones down to the lock', async () => {
    const { card, hicos } = await open({ pin: '246810' });
    expect(await hicos.verifyPin('246810')).toEqual({ status: 'ok', retriesLeft: 3 });
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
    expect(hicos.lastKnownRetries).toBe(2);
    expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 1 });
    const before = card.apduCount;
    await expect(hicos.verifyPin('000000')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    await expect(hicos.sign(new Uint8Array([1]), { pin: '000000' })).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect(card.log.slice(before).some((e) => e.command[1] === 0x20)).toBe(false);
    expect(card.pinTriesLeft).toBe(1);
    expect(await hicos.verifyPin('000000', { allowLastTry: true })).toEqual({ status: 'locked', retriesLeft: 0 });
    expect(card.pinTriesLeft).toBe(0);
    // Locked stays locked, even for the right PIN.
    expect(await hicos.verifyPin('246810')).toEqual({ status: 'locked', retriesLeft: 0 });
    expect(hicos.lastKnownRetries).toBe(0);
    await expect(hicos.sign(new Uint8Array([1]), { pin: '246810' })).rejects.toMatchObject({ code: 'PIN_LOCKED', retriesLeft: 0 });
    if (generation === 1) await expect(hicos.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
  });

  it('a correct PIN restores the counter', async () => {
    const { card, hicos } = await open();
    await hicos.verifyPin('999999');
    expect(card.pinTriesLeft).toBe(2);
    expect((await hicos.verifyPin('123456')).status).toBe('ok');
    expect(card.pinTriesLeft).toBe(3);
    expect(hicos.lastKnownRetries).toBe(3);
  });

  it('rejects malformed PINs without sending an APDU', async () => {
    const { card, hicos } = await open();
    card.clearLog();
    for (const bad of ['12345', '123456789', '12 456', '12345é', '', new Uint8Array([0x31, 0x32, 0x33, 0x34, 0x35, 0xff])]) {
      await expect(hicos.verifyPin(bad)).rejects.toMatchObject({ code: 'INVALID_PIN_FORMAT' });
      await expect(hicos.sign(new Uint8Array(1), { pin: bad })).rejects.toMatchObject({ code: 'INVALID_PIN_FORMAT' });
    }
    expect(card.apduCount).toBe(0);
    expect(card.pinTriesLeft).toBe(3);
  });

  it('never puts the PIN in an error message', async () => {
    const { hicos } = await open();
    const error = await hicos.verifyPin('98765x4321').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HiCOSError);
    expect(String((error as Error).message)).not.toContain('98765x4321');
  });

  it('honours a configured PIN policy', async () => {
    const inserted = await insertVirtualCard({ generation, pin: '1234' });
    const hicos = await HiCOSCard.open(inserted.transport, {
      retryStore: new RetryCounterStore(),
      pinPolicy: { minLength: 4, charset: 'digits' },
    });
    expect((await hicos.verifyPin('1234')).status).toBe('ok');
    await expect(hicos.verifyPin('12a4')).rejects.toMatchObject({ code: 'INVALID_PIN_FORMAT' });
  });

  it('sends no APDU for a PIN typed as a date, and sends it when the policy says so', async () => {
    const inserted = await insertVirtualCard({ generation, pin: '79/01/01' });
    const refusing = await HiCOSCard.open(inserted.transport, { retryStore: new RetryCounterStore() });
    inserted.card.clearLog();
    await expect(refusing.verifyPin('79/01/01')).rejects.toMatchObject({ code: 'INVALID_PIN_FORMAT' });
    await expect(refusing.sign(new Uint8Array(1), { pin: '79/01/01' })).rejects.toMatchObject({ code: 'INVALID_PIN_FORMAT' });
    expect(inserted.card.apduCount).toBe(0);
    expect(inserted.card.pinTriesLeft).toBe(3);
    const sending = await HiCOSCard.open(inserted.transport, { retryStore: new RetryCounterStore(), pinPolicy: { dateShaped: 'send' } });
    expect((await sending.verifyPin('79/01/01')).status).toBe('ok');
  });

  it('signs with the SIGN key; the signature verifies with the certificate', async () => {
    const { hicos } = await open();
    const data = new TextEncoder().encode('公文簽核 test document');
    const certs = await hicos.certificates();
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      const signature = await hicos.sign(data, { hash, pin: '123456' });
      expect(signature).toHaveLength(256);
      const key = new X509Certificate(certs[0]!.der).publicKey;
      expect(verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature)).toBe(true);
    }
  });

  it('signs after a separate verifyPin without passing the PIN again', async () => {
    const { hicos } = await open();
    expect((await hicos.verifyPin('123456')).status).toBe('ok');
    const signature = await hicos.sign(new Uint8Array([1, 2, 3]));
    const cert = new X509Certificate((await hicos.certificates())[0]!.der);
    expect(verify('sha256', new Uint8Array([1, 2, 3]), cert.publicKey, signature)).toBe(true);
  });

  it('refuses to sign without a verified PIN', async () => {
    const { hicos } = await open();
    await expect(hicos.sign(new Uint8Array([1]))).rejects.toMatchObject({
      code: generation === 1 ? 'NOT_VERIFIED' : 'PIN_REQUIRED',
    });
  });

  it('HiCOSCard.open refuses what is not a transport (typed), and the retry store refuses counts no card reports', async () => {
    for (const junk of [null, undefined, {}, 'Virtual PCD 00 00']) {
      await expect(HiCOSCard.open(junk as never)).rejects.toMatchObject({ name: 'HiCOSError', code: 'INVALID_CARD_INPUT' });
    }
    const store = new RetryCounterStore();
    for (const bad of [-1, 1.5, Number.NaN, 16, 99]) expect(() => store.set('TP03000012345678', bad)).toThrow(RangeError);
    expect(() => store.set('', 2)).toThrow(RangeError);
    store.set('TP03000012345678', 2);
    expect(store.get('TP03000012345678')).toBe(2);
  });

  it('a wrong PIN passed to sign is a typed error with the tries left', async () => {
    const { hicos } = await open();
    await expect(hicos.sign(new Uint8Array([1]), { pin: '000000' })).rejects.toMatchObject({ code: 'WRONG_PIN', retriesLeft: 2 });
  });

  it('SHA-1 only by option; unknown hashes refused before any APDU', async () => {
    const { card, hicos } = await open();
    card.clearLog();
    await expect(hicos.sign(new Uint8Array([1]), { hash: 'sha1', pin: '123456' })).rejects.toMatchObject({ code: 'UNSUPPORTED_HASH' });
    await expect(hicos.sign(new Uint8Array([1]), { hash: 'md5' as 'sha256', pin: '123456' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_HASH',
    });
    expect(card.apduCount).toBe(0);
    const inserted = await insertVirtualCard({ generation });
    const sha1Card = await HiCOSCard.open(inserted.transport, { retryStore: new RetryCounterStore(), allowSha1: true });
    const signature = await sha1Card.sign(new Uint8Array([1]), { hash: 'sha1', pin: '123456' });
    const cert = new X509Certificate((await sha1Card.certificates())[0]!.der);
    expect(verify('sha1', new Uint8Array([1]), cert.publicKey, signature)).toBe(true);
  });

  it('decrypts with the KEYX key (round trip)', async () => {
    const { hicos } = await open();
    const keyx = (await hicos.certificates())[1]!;
    const secret = new TextEncoder().encode('session key 0123456789abcdef');
    const ciphertext = publicEncrypt({ key: new X509Certificate(keyx.der).publicKey, padding: constants.RSA_PKCS1_PADDING }, secret);
    const plain = await hicos.decrypt(new Uint8Array(ciphertext), { pin: '123456' });
    expect(Buffer.from(plain).toString()).toBe('session key 0123456789abcdef');
  });

  it('the status probe is off unless enabled, and reports the counter when it is', async () => {
    const { card, hicos, transport } = await open();
    card.clearLog();
    await expect(hicos.probePinStatus()).rejects.toMatchObject({ code: 'PROBE_DISABLED' });
    expect(card.apduCount).toBe(0);
    await hicos.verifyPin('000000');
    const probing = await HiCOSCard.open(transport, { retryStore: new RetryCounterStore(), enableStatusProbe: true });
    expect(await probing.probePinStatus()).toEqual({ verified: false, retriesLeft: 2, locked: false });
    expect(card.pinTriesLeft).toBe(2);
  });

  it('card removed in the middle of a certificate read raises CardRemovedError', async () => {
    const { card, reader, hicos } = await open();
    const process = card.process.bind(card);
    let count = 0;
    card.process = (command: Uint8Array) => {
      if (++count === 12) reader.remove();
      return process(command);
    };
    await expect(hicos.info()).rejects.toBeInstanceOf(CardRemovedError);
  });

  it('card removed in the middle of a sign raises CardRemovedError', async () => {
    const { card, reader, hicos } = await open();
    await hicos.privateKeys();
    const process = card.process.bind(card);
    card.process = (command: Uint8Array) => {
      if (command[1] === 0xea) reader.remove();
      return process(command);
    };
    await expect(hicos.sign(new Uint8Array([1]), { pin: '123456' })).rejects.toBeInstanceOf(CardRemovedError);
  });

  it.each([
    ['61xx response chaining', { responseChaining: true }],
    ['6Cxx wrong-length answers', { wrongLengthRetry: true }],
  ])('works with %s', async (_name, quirks) => {
    const { card, hicos } = await open({ quirks });
    const info = await hicos.info();
    expect(info.certificates).toHaveLength(4);
    expect(info.version.length).toBeGreaterThan(0);
    const signature = await hicos.sign(new Uint8Array([7]), { pin: '123456' });
    expect(verify('sha256', new Uint8Array([7]), new X509Certificate(info.certificates[0]!.der).publicKey, signature)).toBe(true);
    const marker = 'responseChaining' in quirks ? '61' : '6c';
    expect(card.log.some((e) => toHex(e.response.subarray(-2)).startsWith(marker))).toBe(true);
  });
});

describe('clear-text VERIFY on the virtual card', () => {
  it('is refused with 6982 and costs a try (Gen1 CLA 80, Gen2 outside SCP03)', async () => {
    for (const generation of [1, 2] as const) {
      const { card, transport } = await insertCard({ generation });
      if (generation === 2) {
        await transport.transmit(Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, 0x10, ...Buffer.from('A000000283000006220169640001010100'.slice(0, 32), 'hex'), 0x00]));
      }
      const cla = generation === 1 ? 0x80 : 0x00;
      const response = await transport.transmit(Uint8Array.from([cla, 0x20, 0x00, 0x01, 0x06, ...Buffer.from('123456')]));
      expect(response.sw.toString()).toBe('6982');
      expect(card.pinTriesLeft).toBe(2);
    }
  });
});

/** INS bytes (hex) of a log, with the SM bit of CLA shown as a `*` prefix. */
const trace = (log: readonly { command: Uint8Array }[]): string[] =>
  log.map((e) => `${(e.command[0]! & 0x04) !== 0 ? '*' : ''}${toHex(e.command.subarray(1, 2))}`);

describe.each(CARDS.filter((c) => c.generation === 2))('Gen2 secure sessions on a virtual $name card', ({ card: cardMode }) => {
  const open = async (options: Parameters<typeof insertCard>[0] = {}, hostOptions: Parameters<typeof HiCOSCard.open>[1] = {}) => {
    const inserted = await insertCard({ generation: 2, ...cardMode, ...options });
    const hicos = await HiCOSCard.open(inserted.transport, { retryStore: new RetryCounterStore(), ...hostOptions });
    return { ...inserted, hicos };
  };
  const verifies = async (hicos: HiCOSCard, signature: Uint8Array, data: Uint8Array) =>
    verify('sha256', data, new X509Certificate((await hicos.certificates())[0]!.der).publicKey, signature);

  it('after a signature, plain reads end the session first; the next signature re-opens it', async () => {
    const { card, hicos } = await open();
    const first = await hicos.sign(new Uint8Array([1]), { pin: '123456' });
    card.clearLog();
    const info = await hicos.info();
    // The session the signature used is ended by re-selecting the applet before the first plain SELECT.
    expect(trace(card.log).slice(0, 2)).toEqual(['a4', 'a4']);
    expect(toHex(card.log[0]!.command.subarray(0, 4))).toBe('00a4040c');
    expect(info.certificates).toHaveLength(4);
    const second = await hicos.sign(new Uint8Array([2]), { pin: '123456' });
    expect(await verifies(hicos, first, new Uint8Array([1]))).toBe(true);
    expect(await verifies(hicos, second, new Uint8Array([2]))).toBe(true);
    expect(card.log.some((e) => toHex(e.response.subarray(-2)) === '6982')).toBe(false);
    expect(plainCommandsDuringSession(card.log)).toEqual([]);
  });

  it('sign takes 11 APDUs cold and 9 warm, the minimum the card allows without depending on unknowns', async () => {
    const { card, hicos } = await open();
    await hicos.privateKeys();
    await hicos.cardNumber();
    card.clearLog();
    await hicos.sign(new Uint8Array([1]), { pin: '123456' });
    // SELECT ISD, GET DATA 0045, SELECT applet | INITIALIZE UPDATE, EXTERNAL AUTHENTICATE | VERIFY | SELECT 5030, 0810 | EA, EA, C1.
    expect(trace(card.log)).toEqual(['a4', 'ca', 'a4', '50', '*82', '*20', '*a4', '*a4', '*ea', '*ea', '*c1']);
    card.clearLog();
    await hicos.sign(new Uint8Array([2]), { pin: '123456' });
    // The previous session may still be open: one applet SELECT ends it before INITIALIZE UPDATE.
    expect(trace(card.log)).toEqual(['a4', '50', '*82', '*20', '*a4', '*a4', '*ea', '*ea', '*c1']);
  });

  it('verifyPin reads the PrKDF first, so the following sign needs no PIN and no plain read', async () => {
    const { card, hicos } = await open();
    expect((await hicos.verifyPin('123456')).status).toBe('ok');
    const before = card.apduCount;
    const signature = await hicos.sign(new Uint8Array([9]));
    expect(trace(card.log.slice(before))).toEqual(['*a4', '*a4', '*ea', '*ea', '*c1']);
    expect(await verifies(hicos, signature, new Uint8Array([9]))).toBe(true);
  });

  it('verifyPin still verifies when the PrKDF cannot be read', async () => {
    const { card, hicos } = await open();
    const process = card.process.bind(card);
    card.process = (command: Uint8Array) => (toHex(command).startsWith('00a40004024100') ? Uint8Array.of(0x6a, 0x82) : process(command));
    expect((await hicos.verifyPin('123456')).status).toBe('ok');
    await expect(hicos.privateKeys()).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('a plain read after verifyPin ends its channel: the next sign asks for the PIN', async () => {
    const { hicos } = await open();
    expect((await hicos.verifyPin('123456')).status).toBe('ok');
    await hicos.certificates();
    await expect(hicos.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
  });

  // Whether the INITIALIZE UPDATE answer carries the card ID as diversification data is unknown.
  it.each([
    ['get-data', 'the card ID', 11],
    ['get-data', 'other bytes', 11],
    // The applet is selected before INITIALIZE UPDATE (the root was not current), so the secured SELECTs are 5030
    // and 0810; with other bytes the card ID is read after all (SELECT ISD, GET DATA, SELECT applet, again).
    ['initialize-update', 'the card ID', 9],
    ['initialize-update', 'other bytes', 13],
  ] as const)('card ID from %s works when the card puts %s in INITIALIZE UPDATE (%i APDUs cold)', async (source, data, apdus) => {
    const cardId = Uint8Array.from({ length: 10 }, (_, i) => 0x30 + i);
    const diversificationData = data === 'the card ID' ? cardId : new Uint8Array(10).fill(0xa5);
    const { card, hicos } = await open({ cardId, diversificationData }, { scp03: { cardIdSource: source } });
    await hicos.privateKeys();
    await hicos.cardNumber();
    card.clearLog();
    const signature = await hicos.sign(new Uint8Array([4]), { pin: '123456' });
    expect(card.apduCount).toBe(apdus);
    expect(await verifies(hicos, signature, new Uint8Array([4]))).toBe(true);
    // A wrong guess is refuted by the card cryptogram: no EXTERNAL AUTHENTICATE with wrong keys is ever sent.
    expect(card.log.filter((e) => e.command[1] === 0x82)).toHaveLength(1);
    expect(card.log.filter((e) => e.command[1] === 0x82).every((e) => toHex(e.response) === '9000')).toBe(true);
  });
});

describe.each(CARDS)('card behaviours the facts leave open, on a virtual $name card', ({ generation, card: cardMode }) => {
  const open = async (options: Parameters<typeof insertCard>[0] = {}) => {
    const inserted = await insertCard({ generation, ...cardMode, ...options });
    const hicos = await HiCOSCard.open(inserted.transport, { retryStore: new RetryCounterStore() });
    return { ...inserted, hicos };
  };

  // The root: Gen1 SELECT 3F00, Gen2 the applet AID (its data starts A000).
  const root = generation === 1 ? '3f00' : 'a000';
  it.each([
    ['card-number-df', 'found with one SELECT after the card number', ['0905', 'read', root]],
    ['root', 'found under the MF after DF 0900 has none', ['0905 6a82', root, '0905', 'read']],
    ['none', 'reported empty when neither place has it', ['0905 6a82', root, '0905 6a82', root]],
  ] as const)('version EF %s: %s', async (versionLocation, _how, lookup) => {
    const { card, hicos } = await open({ versionLocation });
    await hicos.cardNumber();
    card.clearLog();
    const info = await hicos.info();
    expect(info.version).toBe(versionLocation === 'none' ? '' : generation === 1 ? 'CHT V32N' : 'CHT GPPKI');
    expect(info.certificates).toHaveLength(4);
    // Everything before SELECT 5030 is the version lookup.
    const upTo = card.log.findIndex((e) => e.command[1] === 0xa4 && toHex(e.command).includes('025030'));
    const steps = card.log.slice(0, upTo).map((e) => {
      const sw = toHex(e.response.subarray(-2));
      const what = e.command[1] === 0xb0 ? 'read' : toHex(e.command.subarray(5, 7));
      return sw === '6a82' ? `${what} ${sw}` : what;
    });
    expect(steps).toEqual(lookup);
  });

  it('6987 to large reads: asks again for 16 bytes and keeps small reads for that file', async () => {
    const { card, hicos } = await open({ quirks: { refuseLargeReads: true } });
    const info = await hicos.info();
    const creds = await testCredentials();
    expect(toHex(info.certificates[0]!.der)).toBe(toHex(creds.sign.certificate));
    expect(info.cardNumber).toBe('TP03000012345678');
    // One refused read per file at most: card number, version, CDF and the certificate EF.
    expect(card.log.filter((e) => toHex(e.response.subarray(-2)) === '6987').length).toBeLessThanOrEqual(4);
    const signature = await hicos.sign(new Uint8Array([5]), { pin: '123456' });
    expect(verify('sha256', new Uint8Array([5]), new X509Certificate(info.certificates[0]!.der).publicKey, signature)).toBe(true);
  });

  it('6700 when Le runs past the end: the version EF, the directories and the certificates are read exactly', async () => {
    const { card, hicos } = await open({ quirks: { wrongLengthError: true } });
    const info = await hicos.info();
    const creds = await testCredentials();
    expect(info.version).toBe(generation === 1 ? 'CHT V32N' : 'CHT GPPKI');
    expect(info.cardNumber).toBe('TP03000012345678');
    expect(info.certificates.map((c) => toHex(c.der))).toEqual(
      [creds.sign.certificate, creds.keyx.certificate, ...creds.caCertificates!].map((der) => toHex(der)),
    );
    // Only the version EF is read past its end here (the directories are padded, the certificates read exactly):
    // the halving costs it a bounded number of refused reads.
    const refused = card.log.filter((e) => toHex(e.response.subarray(-2)) === '6700');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(10);
    const signature = await hicos.sign(new Uint8Array([6]), { pin: '123456' });
    expect(verify('sha256', new Uint8Array([6]), new X509Certificate(info.certificates[0]!.der).publicKey, signature)).toBe(true);
  });

  it('a version EF that can be selected but not read is reported empty: the version is optional', async () => {
    const { card, hicos } = await open();
    const process = card.process.bind(card);
    let versionSelected = false;
    card.process = (command: Uint8Array) => {
      if (command[1] === 0xa4) versionSelected = toHex(command).includes('020905');
      return versionSelected && command[1] === 0xb0 ? Uint8Array.of(0x69, 0x82) : process(command);
    };
    const info = await hicos.info();
    expect(info.version).toBe('');
    expect(info.certificates).toHaveLength(4);
  });

  it('6A88 to VERIFY (no PIN under reference 01): typed error, no other reference tried (each would burn a try)', async () => {
    const { card, hicos } = await open({ pinReference: 0x81 });
    await expect(hicos.verifyPin('123456')).rejects.toMatchObject({ code: 'CARD_ERROR', statusWord: '6A88' });
    expect(card.log.filter((e) => e.command[1] === 0x20)).toHaveLength(1);
    // The virtual card charges a VERIFY under a reference it has no PIN for, as the facts say real cards may: one
    // try, the only one the SDK sent. The SDK knew no count, and an answer it cannot read teaches it none.
    expect(card.pinTriesLeft).toBe(2);
    expect(hicos.lastKnownRetries).toBeUndefined();
  });

  it('6A88 to the key operation (PrKDF names a key the card lacks): KEY_NOT_FOUND, no other key tried', async () => {
    const { card, hicos } = await open({ keyRefs: { sign: 0x05, keyx: 0x11 }, heldKeyRefs: { sign: 0x01, keyx: 0x11 } });
    await expect(hicos.sign(new Uint8Array([1]), { pin: '123456' })).rejects.toMatchObject({ code: 'KEY_NOT_FOUND', statusWord: '6A88' });
    expect(card.log.filter((e) => e.command[1] === 0xea)).toHaveLength(1);
  });
});
