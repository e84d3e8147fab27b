import { expectTag, readRoot } from '../der/der-reader.js';

/** The key-usage bits chain and login checks look at (RFC 5280 4.2.1.3). */
export interface KeyUsageBits {
  /** Bit 0. */
  readonly digitalSignature: boolean;
  /** Bit 1 (contentCommitment). */
  readonly nonRepudiation: boolean;
  /** Bit 2. */
  readonly keyEncipherment: boolean;
  /** Bit 3. */
  readonly dataEncipherment: boolean;
  /** Bit 5. */
  readonly keyCertSign: boolean;
  /** Bit 6. */
  readonly cRLSign: boolean;
}

/** keyUsage (2.5.29.15). */
export function decodeKeyUsage(value: Uint8Array): KeyUsageBits {
  const el = expectTag(readRoot(value), 0x03, 'keyUsage');
  // The first content octet counts unused bits; the flags start after it.
  const b0 = el.end - el.contentStart > 1 ? (value[el.contentStart + 1] ?? 0) : 0;
  return {
    digitalSignature: (b0 & 0x80) !== 0,
    nonRepudiation: (b0 & 0x40) !== 0,
    keyEncipherment: (b0 & 0x20) !== 0,
    dataEncipherment: (b0 & 0x10) !== 0,
    keyCertSign: (b0 & 0x04) !== 0,
    cRLSign: (b0 & 0x02) !== 0,
  };
}
