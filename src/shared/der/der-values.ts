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
 * Canonical hex of a serial number's INTEGER content: lower case, leading
 * zero octets dropped (a serial is positive), at least two digits. CRL
 * entries, OCSP CertIDs, CMS signer identifiers and certificates all use it,
 * so one serial always has one spelling.
 */
export function integerHex(content: Uint8Array): string {
  let i = 0;
  while (i < content.length - 1 && content[i] === 0) i++;
  return Buffer.from(content.buffer, content.byteOffset + i, content.length - i).toString('hex');
}

/** {@link integerHex} of the content of the INTEGER element `node`, without a view of the content first. */
export function integerHexOf(node: DerNode): string {
  const { source, end } = node;
  let i = node.contentStart;
  while (i < end - 1 && source[i] === 0) i++;
  return Buffer.from(source.buffer, source.byteOffset + i, end - i).toString('hex');
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

/** UTCTime or GeneralizedTime as a Date: strict DER unless `tolerant` (display only, see `TimeOptions`). */
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
