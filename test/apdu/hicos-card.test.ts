import { constants, publicEncrypt, verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { HicosError } from '../../src/apdu/errors.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { CardRemovedError } from '../../src/pcsc/errors.js';
import { toHex } from '../../src/shared/bytes.js';
import { minimumReadApdus } from '../../src/testing/hicos/minimum-read-apdus.js';
import { insertVirtualCard, testCredentials } from './support/virtual-cards.js';

beforeAll(async () => {
  await testCredentials();
}, 60_000);

const ins = (entry: { command: Uint8Array }): string => toHex(entry.command.subarray(0, 2));

describe.each([1, 2] as const)('HiCOSCard on a virtual Gen%i card', (generation) => {
  const open = async (options: Parameters<typeof insertVirtualCard>[0] = {}) => {
    const inserted = await insertVirtualCard({ generation, ...options });
    const hicos = await HiCOSCard.open(inserted.transport, { retryStore: new RetryCounterStore() });
    return { ...inserted, hicos };
  };

  it('detects the generation with one APDU on a listed ATR', async () => {
    const { card, hicos } = await open();
    expect(hicos.generation).toBe(generation);
    expect(card.apduCount).toBe(1);
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
    expect(card.apduCount).toBe(minimumReadApdus(card, { includeVersion: true }) - 1);
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
    // Re-detection plus 0900, 0903, READ.
    expect(card.apduCount).toBe(4);
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
    expect(error).toBeInstanceOf(HicosError);
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
      const { card, transport } = await insertVirtualCard({ generation });
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
