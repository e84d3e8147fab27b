import * as asn1js from 'asn1js';
import { concatBytes } from '../../shared/bytes.js';

/**
 * Minimal DER writer for the few structures the test PKI builds by hand
 * (names with chosen string types, GPKI attributes), where exact control of
 * tags and bytes matters more than a schema library's normalisation.
 */

/** DER length octets. */
function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One TLV with a single-byte tag. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), encodeLength(content.length), content);
}

/** SEQUENCE of already-encoded elements. */
export function sequence(...items: readonly Uint8Array[]): Uint8Array {
  return tlv(0x30, concatBytes(...items));
}

/** SET OF, sorted as DER requires. */
export function setOf(...items: readonly Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return tlv(0x31, concatBytes(...sorted));
}

/** OBJECT IDENTIFIER from dotted form. */
export function objectIdentifier(oid: string): Uint8Array {
  return new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER());
}

/** ASN.1 universal tags of the string types the test PKI writes. */
export const StringTag = {
  utf8: 0x0c,
  printable: 0x13,
  teletex: 0x14,
  ia5: 0x16,
  bmp: 0x1e,
} as const;

/** UTF-16BE bytes for BMPString. */
function utf16be(value: string): Uint8Array {
  const out = new Uint8Array(value.length * 2);
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    out[i * 2] = unit >> 8;
    out[i * 2 + 1] = unit & 0xff;
  }
  return out;
}

/** A string of the given type; non-BMP types carry the UTF-8 bytes as they are. */
export function encodedString(kind: keyof typeof StringTag, value: string): Uint8Array {
  const bytes = kind === 'bmp' ? utf16be(value) : new TextEncoder().encode(value);
  return tlv(StringTag[kind], bytes);
}
