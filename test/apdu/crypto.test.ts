import { describe, expect, it } from 'vitest';
import { CommandApdu } from '../../src/pcsc/command-apdu.js';
import { fromHex, toHex } from '../../src/shared/bytes.js';
import { aesCmac } from '../../src/apdu/crypto/aes-cmac.js';
import { decryptGen1PinBlock, encryptGen1PinBlock } from '../../src/apdu/crypto/gen1-pin-block.js';
import { diversifyHiCOSStaticKeys, unwrapHiCOSMasterKey } from '../../src/apdu/crypto/hicos-static-keys.js';
import { padIso9797M2, unpadIso9797M2 } from '../../src/apdu/crypto/iso9797-padding.js';
import { scp03DerivationData } from '../../src/apdu/crypto/scp03-kdf.js';
import {
  deriveScp03SessionKeys,
  scp03CardCryptogram,
  scp03HostCryptogram,
} from '../../src/apdu/crypto/scp03-session-keys.js';
import { externalAuthenticate } from '../../src/apdu/commands/global-platform.js';
import { Scp03Session } from '../../src/apdu/secure-channel/scp03-session.js';
import type { Scp03CounterPolicy } from '../../src/apdu/secure-channel/scp03-options.js';

describe('AES-CMAC (RFC 4493 §4 test vectors)', () => {
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  const message = fromHex(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  );
  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('Mlen=%i', (length, expected) => {
    expect(toHex(aesCmac(key, message.subarray(0, length)))).toBe(expected);
  });
});

/**
 * SCP03 AES-128, security level 03 (C-MAC + C-DECRYPTION): the public test
 * vectors of osmocom pySim (tests/unittests/test_globalplatform.py,
 * SCP03_Test_AES128_03), which a real card produced.
 */
describe('SCP03 known answers (pySim AES128 level 03)', () => {
  const keys = { enc: fromHex('000102030405060708090a0b0c0d0e0f'), mac: fromHex('101112131415161718191a1b1c1d1e1f') };
  const hostChallenge = fromHex('8e1552d0513c60f3');
  const initUpdateResponse = fromHex('0000000000000000000030037030760cd2c47c1dd395065fe5ead8a9d7000001');
  const cardChallenge = initUpdateResponse.subarray(13, 21);
  const cardCryptogram = initUpdateResponse.subarray(21, 29);

  it('derives session keys whose card cryptogram matches the card', () => {
    const session = deriveScp03SessionKeys(keys, hostChallenge, cardChallenge);
    expect(toHex(scp03CardCryptogram(session.sMac, hostChallenge, cardChallenge))).toBe(toHex(cardCryptogram));
  });

  it('builds the EXTERNAL AUTHENTICATE the card accepted', () => {
    const sessionKeys = deriveScp03SessionKeys(keys, hostChallenge, cardChallenge);
    expect(toHex(scp03HostCryptogram(sessionKeys.sMac, hostChallenge, cardChallenge))).toBe('fd4721a14d9b0700');
    const session = new Scp03Session(sessionKeys, 'every-command');
    const host = scp03HostCryptogram(sessionKeys.sMac, hostChallenge, cardChallenge);
    const auth = session.macOnly(externalAuthenticate(host, 0x03));
    expect(toHex(auth.toBytes())).toBe('8482030010fd4721a14d9b07003c451d2f8ae6bb21');
  });

  function wrapSequence(policy: Scp03CounterPolicy): string[] {
    const sessionKeys = deriveScp03SessionKeys(keys, hostChallenge, cardChallenge);
    const session = new Scp03Session(sessionKeys, policy);
    session.macOnly(externalAuthenticate(scp03HostCryptogram(sessionKeys.sMac, hostChallenge, cardChallenge), 0x03));
    return ['80E2910006BF3E035C015A00', '80F22002', '80ca006600', '80F220020a4f0212345c054f9f70c5', '80f28002024f0000'].map(
      (hex) => toHex(session.wrap(CommandApdu.from(fromHex(hex))).toBytes()),
    );
  }

  it('wraps commands with C-MAC chaining and C-DECRYPTION like the reference', () => {
    // The reference steps the counter for every command (GP Amendment D v1.1.1 and later).
    expect(wrapSequence('every-command')).toEqual([
      '84e2910018ca9c00f6713d79bc8baa642bdff51c3f6a4082d3bd9ad26c00',
      '84f2200208c9811b11f1264cf1',
      '84ca006608e10ab60b3054798800',
      '84f22002184e2908bdb48b2315a55482e9e936ca122d6ecfae7d17416e',
      '84f28002180dd10a6b6193e5340b9e77d32d5a179cd710ac2773aefb2800',
    ]);
  });

  it('an unsettled counter policy steps like every-command but refuses to encrypt after an empty command', () => {
    const sessionKeys = deriveScp03SessionKeys(keys, hostChallenge, cardChallenge);
    const session = new Scp03Session(sessionKeys, 'unsettled');
    session.macOnly(externalAuthenticate(scp03HostCryptogram(sessionKeys.sMac, hostChallenge, cardChallenge), 0x03));
    const every = wrapSequence('every-command');
    expect(toHex(session.wrap(CommandApdu.from(fromHex('80E2910006BF3E035C015A00'))).toBytes())).toBe(every[0]);
    expect(toHex(session.wrap(CommandApdu.from(fromHex('80F22002'))).toBytes())).toBe(every[1]);
    expect(toHex(session.wrap(CommandApdu.from(fromHex('80ca006600'))).toBytes())).toBe(every[2]);
    expect(() => session.wrap(CommandApdu.from(fromHex('80F220020a4f0212345c054f9f70c5')))).toThrow(
      expect.objectContaining({ code: 'SECURE_CHANNEL_FAILED' }),
    );
  });

  it('with the data-commands-only policy only encrypted data after an empty command differs', () => {
    const every = wrapSequence('every-command');
    const dataOnly = wrapSequence('data-commands-only');
    expect(every.slice(0, 3)).toEqual(dataOnly.slice(0, 3));
    expect(every[3]).not.toBe(dataOnly[3]);
  });

  it('lays out the KDF derivation data per GP Amendment D', () => {
    const data = scp03DerivationData(0x04, 128, 1, fromHex('aabb'));
    // 11 zero bytes ‖ constant ‖ separator 00 ‖ L = 0080 ‖ i = 01 ‖ context.
    expect(toHex(data)).toBe(`${'00'.repeat(11)}04` + '00' + '0080' + '01' + 'aabb');
  });
});

describe('HiCOS Gen2 static keys (computed independently with openssl)', () => {
  it('unwraps the master key', () => {
    expect(toHex(unwrapHiCOSMasterKey())).toBe('dc4bad21cf1842d5be3e807a569f62a2');
  });
  it('diversifies K-ENC and K-MAC from the card ID', () => {
    const keys = diversifyHiCOSStaticKeys(fromHex('0102030405060708090a'));
    expect(toHex(keys.enc)).toBe('e74571cb8adbd46a9c287e194beee345');
    expect(toHex(keys.mac)).toBe('951540551543048122e44a6123770382');
  });
  it('refuses a card ID that is not 10 bytes', () => {
    expect(() => diversifyHiCOSStaticKeys(new Uint8Array(9))).toThrow(RangeError);
  });
});

describe('Gen1 protected VERIFY block (computed independently with openssl)', () => {
  const iv = fromHex('0001020304050607');
  const pin = new Uint8Array(Buffer.from('123456'));
  it('encrypts PIN‖MAC under the fixed key', () => {
    // MAC = cbe9e885c0b14d19 over 313233343536FFFFFFFF.
    expect(toHex(encryptGen1PinBlock(pin, iv))).toBe('0001020304050607' + 'c905a82b9358355d903740717a6d37ddbac960c043f17382');
  });
  it('round-trips on the card side and rejects a tampered block', () => {
    const block = encryptGen1PinBlock(pin, iv);
    expect(toHex(decryptGen1PinBlock(block)!)).toBe('313233343536ffffffff');
    block[20]! ^= 1;
    expect(decryptGen1PinBlock(block)).toBeUndefined();
    expect(decryptGen1PinBlock(new Uint8Array(7))).toBeUndefined();
  });
});

describe('ISO 9797-1 method 2 padding', () => {
  it('pads to the next full block and strips it again', () => {
    expect(toHex(padIso9797M2(fromHex('0102'), 8))).toBe('0102800000000000');
    expect(padIso9797M2(new Uint8Array(16)).length).toBe(32);
    expect(toHex(unpadIso9797M2(fromHex('0102800000000000'))!)).toBe('0102');
    expect(unpadIso9797M2(fromHex('0102000000000000'))).toBeUndefined();
    expect(unpadIso9797M2(fromHex('0102800000000001'))).toBeUndefined();
  });
});
