import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Gen1PublicKeyByteOrder, Gen2PublicKeyByteOrder, VirtualPublicKeyReads } from './virtual-card-options.js';

/** The public-key read settings with every default filled in. */
export type PublicKeyReadSettings = Required<VirtualPublicKeyReads>;

/** What {@link VirtualPublicKeyReads} leaves out, as documented there. */
export const PUBLIC_KEY_READ_DEFAULTS: PublicKeyReadSettings = {
  gen1ByteOrder: 'reversed-words',
  gen1LengthPrefix: true,
  gen2ByteOrder: 'big-endian',
  gen2ModulusP2: 3,
  requiredFile: 'none',
  gen2Channel: 'either',
  missingKeyStatus: 0x6a83,
};

/**
 * `given` over `defaults`, a setting given as `undefined` counting as left out (the option check lets it through as
 * absent; a spread would have put `undefined` in place of the default).
 */
export function withDefaults(defaults: PublicKeyReadSettings, given: VirtualPublicKeyReads | undefined): PublicKeyReadSettings {
  const out: Record<string, unknown> = { ...defaults };
  for (const [name, value] of Object.entries(given ?? {})) if (value !== undefined) out[name] = value;
  return out as PublicKeyReadSettings;
}

/** Bytes in each Gen1 record, after the length byte: half of a 2048-bit modulus. */
const GEN1_RECORD_BYTES = 128;

/** The Gen1 records of a key at reference `keyRef`: exponent, then the two modulus halves. */
export function gen1RecordNumbers(keyRef: number): readonly [exponent: number, low: number, high: number] {
  return [keyRef, keyRef + 2, keyRef + 3];
}

/** A read's answer: the record, or why there is none. */
export type PublicKeyRecord = Uint8Array | 'no-key' | 'bad-p2';

/**
 * The public-key records of a virtual card, built from the key pairs it holds by reference (the same map its
 * private-key operation uses, so what a host reads is the key that signs). Only the layout lives here; which file
 * and channel a read needs is the card's business.
 */
export class PublicKeyRecords {
  private readonly parts = new Map<number, { modulus: Uint8Array; exponent: Uint8Array }>();

  public constructor(
    private readonly generation: 1 | 2,
    private readonly keysByRef: ReadonlyMap<number, { privateKey: KeyObject }>,
    private readonly settings: PublicKeyReadSettings,
  ) {}

  /** The answer to READ RECORD `P1`/`P2` (Gen1: P1 the record, P2 `00`; Gen2: P1 the key reference, P2 `03`/`04`). */
  public read(p1: number, p2: number): PublicKeyRecord {
    return this.generation === 1 ? this.gen1(p1, p2) : this.gen2(p1, p2);
  }

  private gen1(record: number, p2: number): PublicKeyRecord {
    if (p2 !== 0x00) return 'bad-p2';
    for (const keyRef of this.keysByRef.keys()) {
      const index = gen1RecordNumbers(keyRef).indexOf(record);
      if (index < 0) continue;
      const { modulus, exponent } = this.partsOf(keyRef);
      const order = this.settings.gen1ByteOrder;
      const body =
        index === 0
          ? ordered(leftPad(exponent, GEN1_RECORD_BYTES), order)
          : ordered(modulus, order).subarray((index - 1) * GEN1_RECORD_BYTES, index * GEN1_RECORD_BYTES);
      return this.settings.gen1LengthPrefix ? Uint8Array.of(body.length, ...body) : Uint8Array.from(body);
    }
    return 'no-key';
  }

  private gen2(keyRef: number, p2: number): PublicKeyRecord {
    if (p2 !== 0x03 && p2 !== 0x04) return 'bad-p2';
    if (!this.keysByRef.has(keyRef)) return 'no-key';
    const { modulus, exponent } = this.partsOf(keyRef);
    const order = this.settings.gen2ByteOrder;
    // A reversed-word exponent fills whole words; big-endian keeps Java Card's shortest form (01 00 01).
    const value = p2 === this.settings.gen2ModulusP2 ? modulus : order === 'big-endian' ? exponent : leftPad(exponent, Math.ceil(exponent.length / 4) * 4);
    return Uint8Array.from(ordered(value, order));
  }

  /** The big-endian modulus (256 bytes) and shortest exponent of the key at `keyRef`, made once. */
  private partsOf(keyRef: number): { modulus: Uint8Array; exponent: Uint8Array } {
    let parts = this.parts.get(keyRef);
    if (parts === undefined) {
      const jwk = createPublicKey(this.keysByRef.get(keyRef)!.privateKey).export({ format: 'jwk' });
      const bytes = (b64url: string | undefined): Uint8Array => new Uint8Array(Buffer.from(b64url ?? '', 'base64url'));
      // JWK drops leading zero bytes; a 2048-bit modulus is 256 bytes whatever its top byte.
      parts = { modulus: leftPad(bytes(jwk.n), 256), exponent: bytes(jwk.e) };
      this.parts.set(keyRef, parts);
    }
    return parts;
  }
}

/** `bytes` behind zeros to `length` bytes (a big-endian number keeps its value). */
function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.max(length, bytes.length));
  out.set(bytes, out.length - bytes.length);
  return out;
}

/** A big-endian number (a whole number of 32-bit words for the word order) laid out in `order`. */
function ordered(bigEndian: Uint8Array, order: Gen1PublicKeyByteOrder | Gen2PublicKeyByteOrder): Uint8Array {
  if (order === 'big-endian') return bigEndian;
  if (order === 'reversed-bytes') return Uint8Array.from(bigEndian).reverse();
  const out = new Uint8Array(bigEndian.length);
  for (let word = 0; word < bigEndian.length / 4; word++) {
    out.set(bigEndian.subarray(bigEndian.length - 4 * (word + 1), bigEndian.length - 4 * word), 4 * word);
  }
  return out;
}
