import { aesCmac } from './aes-cmac.js';

/** SCP03 derivation constants (GlobalPlatform Card Spec. Amendment D, table 4-1). */
export const Scp03Constant = {
  /** Card cryptogram. */
  CARD_CRYPTOGRAM: 0x00,
  /** Host cryptogram. */
  HOST_CRYPTOGRAM: 0x01,
  /** Pseudo-random card challenge. */
  CARD_CHALLENGE: 0x02,
  /** Session encryption key. */
  S_ENC: 0x04,
  /** Session C-MAC key. */
  S_MAC: 0x06,
  /** Session R-MAC key. */
  S_RMAC: 0x07,
} as const;

/** One of the {@link Scp03Constant} values. */
export type Scp03DerivationConstant = (typeof Scp03Constant)[keyof typeof Scp03Constant];

/**
 * The SCP03 key derivation function: NIST SP 800-108 KDF in counter mode
 * with AES-CMAC as PRF, data laid out as GP Amendment D §4.1.5 prescribes:
 * 11 zero bytes ‖ constant ‖ `00` separator ‖ L (2 bytes, bits) ‖ i (1 byte) ‖ context.
 *
 * @param lengthBits output length in bits (64 for cryptograms, 128/192/256 for keys)
 */
export function scp03Kdf(key: Uint8Array, constant: number, lengthBits: number, context: Uint8Array): Uint8Array {
  if (!Number.isInteger(lengthBits) || lengthBits <= 0 || lengthBits % 8 !== 0 || lengthBits > 0xffff) {
    throw new RangeError(`KDF output length must be a positive multiple of 8 bits, got ${lengthBits}`);
  }
  const iterations = Math.ceil(lengthBits / 128);
  const out = new Uint8Array(iterations * 16);
  for (let i = 1; i <= iterations; i++) {
    const data = scp03DerivationData(constant, lengthBits, i, context);
    out.set(aesCmac(key, data), (i - 1) * 16);
  }
  return out.slice(0, lengthBits / 8);
}

/** The derivation data block that {@link scp03Kdf} MACs for counter `i`. */
export function scp03DerivationData(constant: number, lengthBits: number, i: number, context: Uint8Array): Uint8Array {
  const data = new Uint8Array(16 + context.length);
  data[11] = constant;
  data[12] = 0x00;
  data[13] = (lengthBits >> 8) & 0xff;
  data[14] = lengthBits & 0xff;
  data[15] = i;
  data.set(context, 16);
  return data;
}
