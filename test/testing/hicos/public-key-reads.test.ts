import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CommandApdu } from '../../../src/pcsc/command-apdu.js';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import { externalAuthenticate } from '../../../src/apdu/commands/global-platform.js';
import { selectGen2Applet } from '../../../src/apdu/commands/select.js';
import { diversifyHiCOSStaticKeys } from '../../../src/apdu/crypto/hicos-static-keys.js';
import { scp03HostCryptogram } from '../../../src/apdu/crypto/scp03-session-keys.js';
import { scp03SessionKeysFor } from '../../../src/apdu/secure-channel/open-scp03.js';
import { SCP03_SECURITY_LEVEL_CMAC_CDEC } from '../../../src/apdu/secure-channel/scp03-options.js';
import { Scp03Session } from '../../../src/apdu/secure-channel/scp03-session.js';
import { TestPkiError } from '../../../src/testing/pki/index.js';
import { VirtualHiCOSCard } from '../../../src/testing/hicos/virtual-hicos-card.js';
import type { VirtualCardCredentials, VirtualHiCOSCardOptions, VirtualPublicKeyReads } from '../../../src/testing/hicos/index.js';
import { testCredentials } from '../../apdu/support/virtual-cards.js';

// The official PKCS#11 middleware reads each key's public key with READ RECORD (the facts: Gen1 `80 B2 <rec> 00 81`,
// exponent in record keyRef, modulus halves in keyRef+2/+3 as reversed 32-bit words; Gen2 `80 B2 <keyRef> 03 00`
// and `04 00`). The card did not answer them (6D00), so such a middleware failed against it. What the facts leave
// open is a setting: each variant is read back here and must be the certificate's key.

let credentials: VirtualCardCredentials;
beforeAll(async () => {
  credentials = await testCredentials();
}, 60_000);

const CARD_ID = fromHex('00112233445566778899');
const APPLET = toHex(selectGen2Applet().toBytes());

function card(generation: 1 | 2, publicKeyReads?: VirtualPublicKeyReads, extra: Partial<VirtualHiCOSCardOptions> = {}): VirtualHiCOSCard {
  const c = new VirtualHiCOSCard({ credentials, generation, cardId: CARD_ID, ...(publicKeyReads && { publicKeyReads }), ...extra });
  c.reset();
  if (generation === 2) expect(sw(c, APPLET)).toBe('9000');
  return c;
}

function exchange(c: VirtualHiCOSCard, apdu: string | CommandApdu): { data: Uint8Array; sw: string } {
  const response = c.process(typeof apdu === 'string' ? fromHex(apdu) : apdu.toBytes());
  return { data: response.subarray(0, -2), sw: toHex(response.subarray(-2)) };
}
const sw = (c: VirtualHiCOSCard, apdu: string | CommandApdu): string => exchange(c, apdu).sw;
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** A big-endian number from bytes laid out as the card was told to. */
function bigEndian(bytes: Uint8Array, order: 'big-endian' | 'reversed-words' | 'reversed-bytes'): Uint8Array {
  if (order === 'big-endian') return bytes;
  if (order === 'reversed-bytes') return Uint8Array.from(bytes).reverse();
  const words: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 4) words.unshift(bytes.subarray(i, i + 4));
  return Uint8Array.from(Buffer.concat(words));
}

function rsaKey(modulus: Uint8Array, exponent: Uint8Array): KeyObject {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  return createPublicKey({ key: { kty: 'RSA', n: b64(modulus), e: b64(exponent) }, format: 'jwk' });
}

const certificateKey = (der: Uint8Array): KeyObject => new X509Certificate(der).publicKey;

/** Reads a Gen1 key at `keyRef` the middleware's way (Le 81) and rebuilds it. */
function readGen1(c: VirtualHiCOSCard, keyRef: number, order: 'reversed-words' | 'reversed-bytes' = 'reversed-words', prefixed = true): KeyObject {
  const [exponent, low, high] = [keyRef, keyRef + 2, keyRef + 3].map((record) => {
    const { data, sw: status } = exchange(c, `80b2${hex2(record)}0081`);
    expect(status, `record ${record}`).toBe(prefixed ? '9000' : '6282');
    expect(data).toHaveLength(prefixed ? 129 : 128);
    if (prefixed) expect(data[0]).toBe(0x80);
    return prefixed ? data.subarray(1) : data;
  });
  return rsaKey(bigEndian(Buffer.concat([low!, high!]), order), bigEndian(exponent!, order));
}

/** Reads a Gen2 key at `keyRef` (Le 00), plain or through `session`, and rebuilds it. */
function readGen2(c: VirtualHiCOSCard, keyRef: number, options: { session?: Scp03Session; modulusP2?: 3 | 4; order?: 'big-endian' | 'reversed-words' } = {}): KeyObject {
  const { modulusP2 = 3, order = 'big-endian' } = options;
  const [modulus, exponent] = [modulusP2, 7 - modulusP2].map((p2) => {
    const plain = new CommandApdu({ cla: 0x80, ins: 0xb2, p1: keyRef, p2, le: 256 });
    const { data, sw: status } = exchange(c, options.session ? options.session.wrap(plain) : plain);
    expect(status, `P2 ${p2}`).toBe('9000');
    return bigEndian(data, order);
  });
  expect(modulus).toHaveLength(256);
  return rsaKey(modulus!, exponent!);
}

/** Opens SCP03 with the applet as the middleware does (C-MAC + C-DECRYPTION). */
function openSession(c: VirtualHiCOSCard): Scp03Session {
  const hostChallenge = fromHex('0001020304050607');
  const init = exchange(c, `8050010008${toHex(hostChallenge)}00`);
  expect(init.sw).toBe('9000');
  const d = init.data;
  const initiation = { hostChallenge, diversificationData: d.slice(0, 10), cardChallenge: d.slice(13, 21), cardCryptogram: d.slice(21, 29) };
  const keys = scp03SessionKeysFor(diversifyHiCOSStaticKeys(CARD_ID), initiation)!;
  const session = new Scp03Session(keys, 'every-command');
  const hostCryptogram = scp03HostCryptogram(keys.sMac, hostChallenge, initiation.cardChallenge);
  expect(sw(c, session.macOnly(externalAuthenticate(hostCryptogram, SCP03_SECURITY_LEVEL_CMAC_CDEC)))).toBe('9000');
  return session;
}

describe('Gen1 public-key records (80 B2 <record> 00 81)', () => {
  it('read back SIGN (records 01, 03, 04) and KEYX (11, 13, 14) as their certificates\' keys, without a PIN', () => {
    const c = card(1);
    expect(sw(c, '80a40000025030')).toBe('9000');
    expect(sw(c, '80a40000020810')).toBe('9000');
    expect(readGen1(c, 0x01).equals(certificateKey(credentials.sign.certificate))).toBe(true);
    expect(readGen1(c, 0x11).equals(certificateKey(credentials.keyx.certificate))).toBe(true);
    // Reversed 32-bit words: the exponent 65537's word comes first, its bytes in order.
    expect(toHex(exchange(c, '80b2010081').data.subarray(0, 9))).toBe('800001000100000000');
  });

  it.each([['reversed-words'], ['reversed-bytes']] as const)('byte order %s', (order) => {
    const c = card(1, { gen1ByteOrder: order });
    expect(readGen1(c, 0x01, order).equals(certificateKey(credentials.sign.certificate))).toBe(true);
    expect(readGen1(c, 0x01, order === 'reversed-words' ? 'reversed-bytes' : 'reversed-words').equals(certificateKey(credentials.sign.certificate))).toBe(false);
  });

  it('without the length byte: 128-byte records (Le 81 gets them with 6282, or 6C80 with wrongLengthRetry)', () => {
    const c = card(1, { gen1LengthPrefix: false });
    expect(readGen1(c, 0x11, 'reversed-words', false).equals(certificateKey(credentials.keyx.certificate))).toBe(true);
    expect(sw(card(1, { gen1LengthPrefix: false }, { quirks: { wrongLengthRetry: true } }), '80b2030081')).toBe('6c80');
    expect(exchange(c, '80b2030080').sw).toBe('9000');
  });

  it('keeps the records at the references the card holds the keys under (heldKeyRefs), as its private-key operation does', () => {
    const c = card(1, undefined, { keyRefs: { sign: 0x05, keyx: 0x11 }, heldKeyRefs: { sign: 0x01, keyx: 0x11 } });
    expect(sw(c, '80b2050081')).toBe('6a83');
    expect(readGen1(c, 0x01).equals(certificateKey(credentials.sign.certificate))).toBe(true);
  });

  it('Le: shorter gets the first bytes, 00 the whole record; no Le is 6700; a record with no key 6A83, or the status set; P2 other than 00 6A86', () => {
    const c = card(1);
    const whole = exchange(c, '80b2030081').data;
    expect(exchange(c, '80b2030010')).toEqual({ data: whole.subarray(0, 16), sw: '9000' });
    expect(exchange(c, '80b2030000')).toEqual({ data: whole, sw: '9000' });
    expect(sw(c, '80b20300')).toBe('6700');
    expect(['02', '05', '12', '15'].map((r) => sw(c, `80b2${r}0081`))).toEqual(['6a83', '6a83', '6a83', '6a83']);
    expect(sw(c, '80b2030481')).toBe('6a86');
    expect(sw(card(1, { missingKeyStatus: 0x6a88 }), '80b2020081')).toBe('6a88');
    expect(sw(c, '00b2030081')).toBe('6e00');
  });
});

describe('Gen2 public-key reads (80 B2 <keyRef> 03/04 00)', () => {
  it('read back SIGN and KEYX as their certificates\' keys, plain, without a PIN', () => {
    const c = card(2);
    expect(readGen2(c, 0x01).equals(certificateKey(credentials.sign.certificate))).toBe(true);
    expect(readGen2(c, 0x11).equals(certificateKey(credentials.keyx.certificate))).toBe(true);
    expect(toHex(exchange(c, '80b2010400').data)).toBe('010001');
  });

  it('read back under SCP03 (CLA 84), the session staying open for the next secured command', () => {
    const c = card(2);
    const session = openSession(c);
    expect(readGen2(c, 0x01, { session }).equals(certificateKey(credentials.sign.certificate))).toBe(true);
    expect(readGen2(c, 0x11, { session }).equals(certificateKey(credentials.keyx.certificate))).toBe(true);
  });

  it.each([
    [3, 'big-endian'],
    [4, 'big-endian'],
    [3, 'reversed-words'],
    [4, 'reversed-words'],
  ] as const)('modulus at P2 0%i, %s', (modulusP2, order) => {
    const c = card(2, { gen2ModulusP2: modulusP2, gen2ByteOrder: order });
    expect(readGen2(c, 0x11, { modulusP2, order }).equals(certificateKey(credentials.keyx.certificate))).toBe(true);
    if (order === 'reversed-words') expect(toHex(exchange(c, `80b211${hex2(7 - modulusP2)}00`).data)).toBe('00010001');
  });

  it.each([
    ['either', '9000', '9000'],
    ['plain', '9000', '6882'],
    ['secure-messaging', '6982', '9000'],
  ] as const)('channel %s: plain read %s, secured read %s', (gen2Channel, plainSw, securedSw) => {
    const c = card(2, { gen2Channel });
    expect(sw(c, '80b2010300')).toBe(plainSw);
    const session = openSession(c);
    expect(sw(c, session.wrap(new CommandApdu({ cla: 0x80, ins: 0xb2, p1: 0x01, p2: 0x03, le: 256 })))).toBe(securedSw);
  });

  it('keeps the secure-messaging rule: a plain read during a session is refused and ends it when the card refuses plain commands', () => {
    const c = card(2, undefined, { plainCommandsDuringSecureMessaging: 'refuse' });
    const session = openSession(c);
    expect(sw(c, '80b2010300')).toBe('6982');
    // The session is gone: the next secured command finds none.
    expect(sw(c, session.wrap(new CommandApdu({ cla: 0x80, ins: 0xb2, p1: 0x01, p2: 0x03, le: 256 })))).toBe('6882');
    const accepting = card(2);
    const open = openSession(accepting);
    expect(sw(accepting, '80b2010300')).toBe('9000');
    expect(sw(accepting, open.wrap(new CommandApdu({ cla: 0x80, ins: 0xb2, p1: 0x11, p2: 0x04, le: 256 })))).toBe('9000');
  });

  it('a key reference with no key 6A83 (or the status set), P2 other than 03/04 6A86, CLA 00 6E00, outside the applet 6985', () => {
    const c = card(2);
    expect(sw(c, '80b2050300')).toBe('6a83');
    expect(sw(card(2, { missingKeyStatus: 0x6a88 }), '80b2050300')).toBe('6a88');
    expect(sw(c, '80b2010000')).toBe('6a86');
    expect(sw(c, '00b2010300')).toBe('6e00');
    const fresh = new VirtualHiCOSCard({ credentials, generation: 2 });
    fresh.reset();
    expect(sw(fresh, '80b2010300')).toBe('6985');
  });
});

describe('which EF a public-key read needs', () => {
  it.each([
    ['none', ['9000', '9000', '9000', '9000']],
    ['0810', ['6986', '6986', '9000', '6986']],
    ['0811', ['6986', '6986', '6986', '9000']],
    ['0810-or-0811', ['6986', '6986', '9000', '9000']],
  ] as const)('%s (nothing selected, 08F2, 0810, 0811)', (requiredFile, expected) => {
    for (const generation of [1, 2] as const) {
      const c = card(generation, { requiredFile });
      const select = (fid: string) => (generation === 1 ? `80a4000002${fid}` : `00a4000402${fid}00`);
      const read = generation === 1 ? '80b2030081' : '80b2010300';
      const seen = [sw(c, read)];
      expect(sw(c, select('5030'))).toBe('9000');
      for (const fid of ['08f2', '0810', '0811']) {
        expect(sw(c, select(fid))).toBe('9000');
        seen.push(sw(c, read));
      }
      expect(seen, `Gen${generation}`).toEqual(expected);
    }
  });

  it('EF 0811 is there to select, and READ BINARY of it is refused like 0810', () => {
    const c = card(1);
    expect([sw(c, '80a40000025030'), sw(c, '80a40000020811'), sw(c, '80b00000c8')]).toEqual(['9000', '9000', '6982']);
  });
});

describe('publicKeyReads options are checked', () => {
  const refused = (options: Record<string, unknown>, message: RegExp) => {
    let error: unknown;
    try {
      new VirtualHiCOSCard({ credentials, ...options } as VirtualHiCOSCardOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TestPkiError);
    expect((error as TestPkiError).code).toBe('BAD_OPTIONS');
    expect((error as Error).message).toMatch(message);
  };

  it.each([
    [{ publicKeyReads: 'reversed' }, /option "publicKeyReads" must be an object/],
    [{ publicKeyReads: { byteOrder: 'reversed-words' } }, /option "publicKeyReads": "byteOrder" is not an option \(they are gen1ByteOrder,/],
    [{ publicKeyReads: { gen1ByteOrder: 'little-endian' } }, /option "publicKeyReads\.gen1ByteOrder" must be one of "reversed-words", "reversed-bytes", not "little-endian"/],
    [{ publicKeyReads: { gen1LengthPrefix: 1 } }, /option "publicKeyReads\.gen1LengthPrefix" must be true or false/],
    [{ publicKeyReads: { gen2ByteOrder: 'reversed-bytes' } }, /option "publicKeyReads\.gen2ByteOrder" must be one of "big-endian", "reversed-words"/],
    [{ publicKeyReads: { gen2ModulusP2: 0x83 } }, /option "publicKeyReads\.gen2ModulusP2" must be 3 or 4 \(the other reads the exponent\), not 131/],
    [{ publicKeyReads: { requiredFile: '0812' } }, /option "publicKeyReads\.requiredFile" must be one of "none", "0810", "0811", "0810-or-0811"/],
    [{ publicKeyReads: { gen2Channel: 'secured' } }, /option "publicKeyReads\.gen2Channel" must be one of "either", "plain", "secure-messaging"/],
    [{ publicKeyReads: { missingKeyStatus: 0x9000 } }, /option "publicKeyReads\.missingKeyStatus" must be an error status word from 0x6400 to 0x6FFF, not 6Cxx .*, not 36864/],
    [{ publicKeyReads: { missingKeyStatus: 0x6c10 } }, /option "publicKeyReads\.missingKeyStatus" must be an error status word/],
    [{ keyRefs: { sign: 0xfd, keyx: 0x11 } }, /option "keyRefs\.sign" must be at most 0xFC on a Gen1 card, which keeps its public key in records keyRef, keyRef\+2 and keyRef\+3, not 253/],
    [{ keyRefs: { sign: 0x01, keyx: 0x02 } }, /option "keyRefs" must keep the Gen1 public-key records \(keyRef, keyRef\+2, keyRef\+3\) apart: SIGN 01 and KEYX 02 share record 04$/],
    [{ keyRefs: { sign: 0x05, keyx: 0x11 }, heldKeyRefs: { sign: 0x10, keyx: 0x0e } }, /option "heldKeyRefs" must keep .*SIGN 10 and KEYX 0E share record 10$/],
  ])('refuses %j', (options, message) => {
    refused(options, message);
  });

  it('a setting for the other generation is refused, not taken and ignored', () => {
    refused({ publicKeyReads: { gen2Channel: 'secure-messaging' } }, /^virtual HiCOS card: option "publicKeyReads\.gen2Channel" applies to Gen2 cards only; this card is Gen1/);
    refused({ generation: 2, publicKeyReads: { gen1LengthPrefix: false } }, /option "publicKeyReads\.gen1LengthPrefix" applies to Gen1 cards only; this card is Gen2/);
    refused({ generation: 2, publicKeyReads: { gen1ByteOrder: 'reversed-bytes' } }, /option "publicKeyReads\.gen1ByteOrder" applies to Gen1 cards only/);
    expect(() => new VirtualHiCOSCard({ credentials, generation: 2, publicKeyReads: { gen2ModulusP2: 4, requiredFile: '0810' } })).not.toThrow();
  });

  it('a setting given as undefined keeps its default (as a setting left out does)', () => {
    const unset = { gen1LengthPrefix: undefined, gen1ByteOrder: undefined, requiredFile: undefined, missingKeyStatus: undefined };
    const c1 = card(1, unset as VirtualPublicKeyReads);
    expect(readGen1(c1, 0x01).equals(certificateKey(credentials.sign.certificate))).toBe(true);
    expect(sw(c1, '80b2020081')).toBe('6a83');
    const c2 = card(2, { gen2ModulusP2: undefined, gen2ByteOrder: undefined, gen2Channel: undefined } as VirtualPublicKeyReads);
    expect(readGen2(c2, 0x01).equals(certificateKey(credentials.sign.certificate))).toBe(true);
  });

  it('the Gen1 record room is a Gen1 rule: a Gen2 card takes the same key references (its reads name the key)', () => {
    refused({ keyRefs: { sign: 0x01, keyx: 0x02 } }, /share record 04/);
    refused({ keyRefs: { sign: 0xff, keyx: 0x11 } }, /must be at most 0xFC/);
    expect(() => new VirtualHiCOSCard({ credentials, generation: 2, keyRefs: { sign: 0x01, keyx: 0x02 } })).not.toThrow();
    expect(() => new VirtualHiCOSCard({ credentials, generation: 2, keyRefs: { sign: 0xff, keyx: 0x11 } })).not.toThrow();
  });
});
