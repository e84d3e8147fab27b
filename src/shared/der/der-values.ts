/**
 * Typed accessors over {@link DerNode}s: each checks the tag, decodes the
 * value and names the element in its `DerError`.
 * @internal
 */

import { DerError } from './der-error.js';
import { decodeObjectIdentifier, decodeTime, type TimeOptions } from './der-primitives.js';
import { childrenOf, contentOf, isConstructed, universalTag, UniversalTag, type DerNode } from './der-reader.js';

function shape(message: string): DerError {
  return new DerError('DER_SHAPE', message);
}

/** Children of a SEQUENCE. */
export function sequenceOf(node: DerNode, what: string): DerNode[] {
  if (universalTag(node) !== UniversalTag.sequence) throw shape(`${what} is not a SEQUENCE`);
  return childrenOf(node, what);
}

/** Children of a SET. */
export function setOf(node: DerNode, what: string): DerNode[] {
  if (universalTag(node) !== UniversalTag.set) throw shape(`${what} is not a SET`);
  return childrenOf(node, what);
}

/** Content octets of a primitive node, as a view. */
export function contentBytes(node: DerNode, what: string): Uint8Array {
  if (isConstructed(node)) throw shape(`${what} is not a primitive element`);
  return contentOf(node);
}

/** Dotted OBJECT IDENTIFIER. */
export function oidOf(node: DerNode, what: string): string {
  if (universalTag(node) !== UniversalTag.oid) throw shape(`${what} is not an OBJECT IDENTIFIER`);
  return withName(what, 'a malformed OBJECT IDENTIFIER', () => decodeObjectIdentifier(contentBytes(node, what)));
}

/** Content octets of an INTEGER (two's complement, as encoded). */
export function integerBytes(node: DerNode, what: string): Uint8Array {
  if (universalTag(node) !== UniversalTag.integer) throw shape(`${what} is not an INTEGER`);
  const bytes = contentBytes(node, what);
  if (bytes.length === 0) throw new DerError('DER_PRIMITIVE', `${what} is an empty INTEGER`);
  return bytes;
}

/**
 * The one spelling of an INTEGER's value by which serials are matched: certificates (`TrustedCertificate.serialHex`,
 * and in upper case the profile's `serialNumber`), CRL entries, OCSP CertIDs, CMS signer identifiers and the caches
 * keyed by them. Lower-case hex of the value, two digits an octet, without leading zero octets (zero is `00`); a
 * negative value is its magnitude spelt so after a `-` (`-80` for -128), as OpenSSL prints it.
 *
 * One value, one spelling, whatever the encoding (a padded `00 00 01` is `01`, as `01` is); two values, two
 * spellings. RFC 5280 forbids a negative serial, but a CA may still have written one: read as unsigned octets, -128
 * (`80`) and +128 (`00 80`) were both `80`, so a CRL entry for one revoked the other and an OCSP answer for one was
 * taken for the other. A positive serial is spelt as it always was (leading zero octets dropped).
 *
 * `source` from `start` to `end` is the content octets (empty content, which no INTEGER has, is `''`).
 */
export function integerHexIn(source: Uint8Array, start: number, end: number): string {
  if (start >= end) return '';
  // A Buffer view is made once per call unless the caller passes one (a CRL's 400k entries read from one view).
  const view = Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  if ((source[start] as number) < 0x80) {
    let i = start;
    while (i < end - 1 && source[i] === 0) i++;
    return view.toString('hex', i, end);
  }
  // Negative: the magnitude is 2^(8n) minus the octets read as unsigned, whatever sign octets pad them.
  const magnitude = (1n << BigInt((end - start) * 8)) - BigInt(`0x${view.toString('hex', start, end)}`);
  const hex = magnitude.toString(16);
  return `-${hex.length % 2 === 0 ? hex : `0${hex}`}`;
}

/** {@link integerHexIn} of an INTEGER's content octets. */
export function integerHex(content: Uint8Array): string {
  return integerHexIn(content, 0, content.length);
}

/** {@link integerHexIn} of the content of the INTEGER element `node`, without a view of the content first. */
export function integerHexOf(node: DerNode): string {
  return integerHexIn(node.source, node.contentStart, node.end);
}

/**
 * The INTEGER content octets (two's complement, minimal, as DER writes them) of a value spelt as
 * {@link integerHexIn} spells it; any case, leading zeros and an odd digit count are read too. What an OCSP request
 * asks about: a negative serial's CertID must carry the negative INTEGER, or the responder answers for the positive
 * one.
 * @throws RangeError for text that is not hex digits after an optional `-`.
 */
export function integerContentOfHex(text: string): Uint8Array {
  const match = /^(-?)([0-9a-fA-F]+)$/.exec(text);
  if (match === null) throw new RangeError(`not an integer in hex digits: ${JSON.stringify(text.slice(0, 80))}`);
  const magnitude = BigInt(`0x${match[2] as string}`);
  const negative = match[1] === '-' && magnitude !== 0n;
  // The fewest octets whose two's-complement range holds the value: -2^(8n-1) <= v <= 2^(8n-1) - 1.
  let octets = 1;
  while (negative ? magnitude > 1n << BigInt(octets * 8 - 1) : magnitude >= 1n << BigInt(octets * 8 - 1)) octets++;
  const value = negative ? (1n << BigInt(octets * 8)) - magnitude : magnitude;
  return new Uint8Array(Buffer.from(value.toString(16).padStart(octets * 2, '0'), 'hex'));
}

/**
 * A small non-negative number from an INTEGER's content, or from any
 * primitive holding one (an implicitly tagged `[0] INTEGER`). Up to 6 octets
 * (a safe integer).
 */
export function smallInteger(node: DerNode, what: string): number {
  const universal = universalTag(node);
  if (universal !== undefined && universal !== UniversalTag.integer) throw shape(`${what} is not an INTEGER`);
  const bytes = contentBytes(node, what);
  if (bytes.length === 0 || bytes.length > 6 || ((bytes[0] as number) & 0x80) !== 0) {
    throw new DerError('DER_PRIMITIVE', `${what} is not a small non-negative integer`);
  }
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

/**
 * The value of an ENUMERATED, in DER: content of 1 to 6 octets (a safe integer), two's complement, minimal (no
 * leading octet that only repeats the sign). A reader that took one octet of a longer or padded encoding read a
 * value the signer did not write.
 */
export function enumeratedOf(node: DerNode, what: string): number {
  if (universalTag(node) !== UniversalTag.enumerated) throw shape(`${what} is not an ENUMERATED`);
  const bytes = contentBytes(node, what);
  const [first, second] = bytes;
  if (first === undefined) throw new DerError('DER_PRIMITIVE', `${what} is an empty ENUMERATED`);
  if (second !== undefined && ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80))) {
    throw new DerError('DER_PRIMITIVE', `${what} is an ENUMERATED with a padded encoding, which DER forbids`);
  }
  if (bytes.length > 6) throw new DerError('DER_PRIMITIVE', `${what} is an ENUMERATED of ${bytes.length} octets, more than twpki reads`);
  let value = first >= 0x80 ? first - 0x100 : first;
  for (let i = 1; i < bytes.length; i++) value = value * 256 + (bytes[i] as number);
  return value;
}

/** BOOLEAN value. */
export function booleanOf(node: DerNode, what: string): boolean {
  if (universalTag(node) !== UniversalTag.boolean) throw shape(`${what} is not a BOOLEAN`);
  const bytes = contentBytes(node, what);
  if (bytes.length !== 1) throw new DerError('DER_PRIMITIVE', `${what} is a malformed BOOLEAN`);
  return bytes[0] !== 0;
}

/** Content of an OCTET STRING, as a view. */
export function octetStringOf(node: DerNode, what: string): Uint8Array {
  if (universalTag(node) !== UniversalTag.octetString) throw shape(`${what} is not an OCTET STRING`);
  return contentBytes(node, what);
}

/** BIT STRING as its unused-bit count and data bytes (a view). */
export function bitStringOf(node: DerNode, what: string): { unusedBits: number; bytes: Uint8Array } {
  if (universalTag(node) !== UniversalTag.bitString) throw shape(`${what} is not a BIT STRING`);
  const content = contentBytes(node, what);
  const unusedBits = content[0];
  if (unusedBits === undefined || unusedBits > 7 || (unusedBits > 0 && content.length === 1)) {
    throw new DerError('DER_PRIMITIVE', `${what} is a malformed BIT STRING`);
  }
  return { unusedBits, bytes: content.subarray(1) };
}

/** UTCTime or GeneralizedTime as a Date: strict DER without fractional seconds unless `options` say otherwise (see `TimeOptions`). */
export function timeOf(node: DerNode, what: string, options?: TimeOptions): Date {
  const tag = universalTag(node);
  if (tag !== UniversalTag.utcTime && tag !== UniversalTag.generalizedTime) {
    throw shape(`${what} is not a UTCTime or GeneralizedTime`);
  }
  return withName(what, 'not a valid time', () => decodeTime(tag, contentBytes(node, what), options));
}

/** Runs a primitive decoder, naming the element in its error. */
function withName<T>(what: string, kind: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DerError) throw new DerError(error.code, `${what} is ${kind} (${error.message})`);
    throw error;
  }
}
