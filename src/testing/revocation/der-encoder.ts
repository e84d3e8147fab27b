import { concatBytes } from '../../shared/bytes.js';

/**
 * The handful of DER encoders the local responder and CRL builder need.
 * Hand-written so a 100k-entry CRL builds in well under a second.
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

/** SEQUENCE of encoded elements. */
export function seq(...items: readonly Uint8Array[]): Uint8Array {
  return tlv(0x30, concatBytes(...items));
}

/** Context-specific constructed (EXPLICIT) wrapper `[n]`. */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  return tlv(0xa0 | n, inner);
}

/** OBJECT IDENTIFIER. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const first = (arcs[0] ?? 0) * 40 + (arcs[1] ?? 0);
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** INTEGER from canonical positive hex (a serial number). */
export function integerFromHex(hex: string): Uint8Array {
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
