import * as asn1js from 'asn1js';
import { concatBytes } from '../../shared/bytes.js';
import { integerContentOfHex } from '../../shared/der/der-values.js';

/**
 * The DER encoders the test PKI and the revocation test server build by hand:
 * names with chosen string types, GPKI attributes, CRLs and OCSP responses,
 * where exact control of tags and bytes matters and a 100k-entry CRL must
 * build in well under a second.
 */

function lengthOctets(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One element with a single-octet tag. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), lengthOctets(content.length), content);
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

/** Context-specific constructed (EXPLICIT) wrapper `[n]`. */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  return tlv(0xa0 | n, inner);
}

/** OBJECT IDENTIFIER from dotted form. */
export function objectIdentifier(oid: string): Uint8Array {
  return new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER());
}

/**
 * INTEGER from a serial's hex, as `TrustedCertificate.serialHex` spells it: digits as given (a sign octet added
 * before a high bit), or after a `-` the negative value, minimally encoded.
 */
export function integerFromHex(hex: string): Uint8Array {
  if (hex.startsWith('-')) return tlv(0x02, integerContentOfHex(hex));
  let bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, new Uint8Array(bytes));
}

/** Small non-negative INTEGER. */
export function smallInteger(n: number): Uint8Array {
  return integerFromHex(n.toString(16));
}

/** ENUMERATED (small values). */
export function enumerated(n: number): Uint8Array {
  return tlv(0x0a, Uint8Array.of(n));
}

/** OCTET STRING. */
export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(0x04, bytes);
}

/** BIT STRING with no unused bits. */
export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(0x03, concatBytes(Uint8Array.of(0), bytes));
}

/** NULL. */
export const NULL = Uint8Array.of(0x05, 0x00);

/** GeneralizedTime, whole seconds, Z. */
export function generalizedTime(date: Date): Uint8Array {
  const iso = date.toISOString();
  const text = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x18, new Uint8Array(Buffer.from(text, 'latin1')));
}

/** UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 rule). */
export function x509Time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) return generalizedTime(date);
  const g = generalizedTime(date);
  return tlv(0x17, g.subarray(4)); // drop tag, length and the century digits
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
