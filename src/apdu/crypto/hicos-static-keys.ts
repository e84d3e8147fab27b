import { createDecipheriv } from 'node:crypto';
import { Scp03Constant, scp03Kdf } from './scp03-kdf.js';
import type { Scp03StaticKeys } from './scp03-session-keys.js';

/** AID of the HiCOS Gen2 ISD-CM, whose bytes 10..14 enter the key diversification. */
export const HICOS_ISD_CM_AID: Uint8Array = Uint8Array.of(
  0xa0, 0x00, 0x00, 0x02, 0x83, 0xff, 0x08, 0x86, 0x92, 0x53, 0x53, 0x89, 0xc0, 0x00, 0x14,
);

/** AID of the GlobalPlatform issuer security domain as the Gen2 middleware selects it. */
export const HICOS_ISD_AID: Uint8Array = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00);

/** Key-encryption key the official middleware uses to unwrap the master key (ASCII `CHT HiCOSPKCS#11`). */
export const HICOS_MASTER_KEK: Uint8Array = new Uint8Array(Buffer.from('CHT HiCOSPKCS#11', 'ascii'));

/** The wrapped master key as shipped in the official middleware. */
export const HICOS_MASTER_BLOB: Uint8Array = Uint8Array.of(
  0xee, 0xe7, 0x65, 0x09, 0x9e, 0x9b, 0x8d, 0x52, 0xa3, 0x37, 0x34, 0x76, 0x0d, 0xd0, 0x30, 0x5e,
);

/** Length of the Gen2 card ID returned by GET DATA `0045`. */
export const HICOS_CARD_ID_LENGTH = 10;

/** The SCP03 master key: AES-128-ECB-decrypt(KEK, BLOB). */
export function unwrapHiCOSMasterKey(kek: Uint8Array = HICOS_MASTER_KEK, blob: Uint8Array = HICOS_MASTER_BLOB): Uint8Array {
  const decipher = createDecipheriv('aes-128-ecb', kek, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([decipher.update(blob), decipher.final()]));
}

/**
 * Diversifies the per-card static SCP03 keys from the master key: the SCP03
 * KDF (128-bit output, i = 1) with constant `04` (enc) or `06` (mac) and
 * context = key type (1 enc, 2 mac) ‖ card ID (10) ‖ ISD-CM AID bytes 10..14.
 */
export function diversifyHiCOSStaticKeys(
  cardId: Uint8Array,
  options: { isdCmAid?: Uint8Array; masterKey?: Uint8Array } = {},
): Scp03StaticKeys {
  if (cardId.length !== HICOS_CARD_ID_LENGTH) {
    throw new RangeError(`HiCOS card ID must be ${HICOS_CARD_ID_LENGTH} bytes, got ${cardId.length}`);
  }
  const aid = options.isdCmAid ?? HICOS_ISD_CM_AID;
  if (aid.length < 15) throw new RangeError(`ISD-CM AID must have at least 15 bytes, got ${aid.length}`);
  const master = options.masterKey ?? unwrapHiCOSMasterKey();
  const context = (type: number): Uint8Array => {
    const c = new Uint8Array(16);
    c[0] = type;
    c.set(cardId, 1);
    c.set(aid.subarray(10, 15), 11);
    return c;
  };
  return {
    enc: scp03Kdf(master, Scp03Constant.S_ENC, 128, context(1)),
    mac: scp03Kdf(master, Scp03Constant.S_MAC, 128, context(2)),
  };
}
