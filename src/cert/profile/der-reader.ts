/**
 * A small strict DER reader for the profile decoders.
 *
 * Why not asn1js: it decodes the whole tree eagerly, including trying to
 * parse every OCTET/BIT STRING's content as nested ASN.1, which made it the
 * dominant cost of a profile parse. Here an element is a view (tag, content
 * bounds) and children are read only when a decoder asks, so a certificate is
 * walked once. Shape errors are {@link Asn1ShapeError}s, which each decoding
 * stage turns into a `CertificateParseError` with its own code.
 */

import { DerPrimitiveError, decodeObjectIdentifier, decodeTime } from '../der-primitives.js';
import { TwpkiError } from '../../shared/twpki-error.js';

/**
 * One DER element: its tag and where it lies in the input. Offsets rather
 * than subarrays, since most elements are passed over and views cost
 * allocations.
 */
export interface Asn1Node {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly tagClass: number;
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** The buffer the element lies in. */
  readonly source: Uint8Array;
  /** Offset of the tag. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset after the last content byte. */
  readonly end: number;
}

function contentOf(node: Asn1Node): Uint8Array {
  return node.source.subarray(node.contentStart, node.end);
}

/** A node is not what the structure requires; `message` says what. */
export class Asn1ShapeError extends TwpkiError<'DER_SHAPE'> {
  public constructor(message: string) {
    super('DER_SHAPE', message);
  }
}

/** Universal tag numbers used by the decoders. */
export const UniversalTag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  numericString: 18,
  printableString: 19,
  teletexString: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  visibleString: 26,
  universalString: 28,
  bmpString: 30,
} as const;

const CLASS_UNIVERSAL = 0;
const CLASS_CONTEXT = 2;

/** Reads the element starting at `offset`; returns it and the offset after it. */
function readElement(bytes: Uint8Array, offset: number, limit: number, what: string): { node: Asn1Node; next: number } {
  const start = offset;
  const first = offset < limit ? bytes[offset++] : undefined;
  if (first === undefined) throw new Asn1ShapeError(`${what} is truncated (no tag)`);
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let i = 0; ; i++) {
      const b = offset < limit ? bytes[offset++] : undefined;
      if (b === undefined || i >= 4) throw new Asn1ShapeError(`${what} has a malformed tag`);
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  const lengthByte = offset < limit ? bytes[offset++] : undefined;
  if (lengthByte === undefined) throw new Asn1ShapeError(`${what} is truncated (no length)`);
  let length = lengthByte;
  if (lengthByte === 0x80) throw new Asn1ShapeError(`${what} uses an indefinite length, which DER forbids`);
  if (lengthByte > 0x80) {
    const count = lengthByte & 0x7f;
    if (count > 4) throw new Asn1ShapeError(`${what} has an oversized length`);
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = offset < limit ? bytes[offset++] : undefined;
      if (b === undefined) throw new Asn1ShapeError(`${what} is truncated (in its length)`);
      length = length * 256 + b;
    }
  }
  const end = offset + length;
  if (end > limit) throw new Asn1ShapeError(`${what} is truncated (${length} content bytes announced, ${limit - offset} present)`);
  return {
    node: { tagClass: first >> 6, tagNumber, constructed: (first & 0x20) !== 0, source: bytes, start, contentStart: offset, end },
    next: end,
  };
}

/** Parses exactly one DER element filling `bytes`. */
export function parseAsn1(bytes: Uint8Array, what: string): Asn1Node {
  if (bytes.length === 0) throw new Asn1ShapeError(`${what} is empty`);
  const { node, next } = readElement(bytes, 0, bytes.length, what);
  if (next !== bytes.length) {
    throw new Asn1ShapeError(`${what} has ${bytes.length - next} trailing bytes after the DER element`);
  }
  return node;
}

/** Universal tag number of a node, or undefined for context/application/private tags. */
export function universalTag(node: Asn1Node): number | undefined {
  return node.tagClass === CLASS_UNIVERSAL ? node.tagNumber : undefined;
}

/** Context-specific tag number `[n]` of a node, or undefined. */
export function contextTag(node: Asn1Node): number | undefined {
  return node.tagClass === CLASS_CONTEXT ? node.tagNumber : undefined;
}

/** The child elements of a constructed node. */
export function childrenOf(node: Asn1Node, what: string): Asn1Node[] {
  if (!node.constructed) throw new Asn1ShapeError(`${what} is not a constructed element`);
  const children: Asn1Node[] = [];
  for (let offset = node.contentStart; offset < node.end; ) {
    const { node: child, next } = readElement(node.source, offset, node.end, `element inside ${what}`);
    children.push(child);
    offset = next;
  }
  return children;
}

/** Children of a SEQUENCE. */
export function sequenceOf(node: Asn1Node, what: string): Asn1Node[] {
  if (universalTag(node) !== UniversalTag.sequence) throw new Asn1ShapeError(`${what} is not a SEQUENCE`);
  return childrenOf(node, what);
}

/** Children of a SET. */
export function setOf(node: Asn1Node, what: string): Asn1Node[] {
  if (universalTag(node) !== UniversalTag.set) throw new Asn1ShapeError(`${what} is not a SET`);
  return childrenOf(node, what);
}

/** Content octets of a primitive node. */
export function contentBytes(node: Asn1Node, what: string): Uint8Array {
  if (node.constructed) throw new Asn1ShapeError(`${what} is not a primitive element`);
  return contentOf(node);
}

/** Dotted OBJECT IDENTIFIER. */
export function oidOf(node: Asn1Node, what: string): string {
  if (universalTag(node) !== UniversalTag.oid) throw new Asn1ShapeError(`${what} is not an OBJECT IDENTIFIER`);
  try {
    return decodeObjectIdentifier(contentBytes(node, what));
  } catch (error) {
    if (error instanceof DerPrimitiveError) throw new Asn1ShapeError(`${what} is a malformed OBJECT IDENTIFIER (${error.message})`);
    throw error;
  }
}

/** Content octets of an INTEGER. */
export function integerBytes(node: Asn1Node, what: string): Uint8Array {
  if (universalTag(node) !== UniversalTag.integer) throw new Asn1ShapeError(`${what} is not an INTEGER`);
  const bytes = contentBytes(node, what);
  if (bytes.length === 0) throw new Asn1ShapeError(`${what} is an empty INTEGER`);
  return bytes;
}

/** A small non-negative INTEGER as a number. */
export function smallInteger(node: Asn1Node, what: string): number {
  const bytes = integerBytes(node, what);
  if (bytes.length > 4 || ((bytes[0] ?? 0) & 0x80) !== 0) throw new Asn1ShapeError(`${what} is out of range`);
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

/** BOOLEAN value. */
export function booleanOf(node: Asn1Node, what: string): boolean {
  if (universalTag(node) !== UniversalTag.boolean) throw new Asn1ShapeError(`${what} is not a BOOLEAN`);
  const bytes = contentBytes(node, what);
  if (bytes.length !== 1) throw new Asn1ShapeError(`${what} is a malformed BOOLEAN`);
  return bytes[0] !== 0;
}

/** Content of an OCTET STRING. */
export function octetStringOf(node: Asn1Node, what: string): Uint8Array {
  if (universalTag(node) !== UniversalTag.octetString) throw new Asn1ShapeError(`${what} is not an OCTET STRING`);
  return contentBytes(node, what);
}

/** BIT STRING as its unused-bit count and data bytes. */
export function bitStringOf(node: Asn1Node, what: string): { unusedBits: number; bytes: Uint8Array } {
  if (universalTag(node) !== UniversalTag.bitString) throw new Asn1ShapeError(`${what} is not a BIT STRING`);
  const content = contentBytes(node, what);
  const unusedBits = content[0];
  if (unusedBits === undefined || unusedBits > 7 || (unusedBits > 0 && content.length === 1)) {
    throw new Asn1ShapeError(`${what} is a malformed BIT STRING`);
  }
  return { unusedBits, bytes: content.subarray(1) };
}

/** UTCTime or GeneralizedTime as a Date (DER uses Z; ±hhmm offsets are tolerated). */
export function timeOf(node: Asn1Node, what: string): Date {
  const tag = universalTag(node);
  if (tag !== UniversalTag.utcTime && tag !== UniversalTag.generalizedTime) {
    throw new Asn1ShapeError(`${what} is not a UTCTime or GeneralizedTime`);
  }
  try {
    return decodeTime(tag, contentBytes(node, what));
  } catch (error) {
    if (error instanceof DerPrimitiveError) throw new Asn1ShapeError(`${what} is not a valid time (${error.message})`);
    throw error;
  }
}

/** The exact encoding of a node as it was read (tag, length and content). */
export function encodingOf(node: Asn1Node): Uint8Array {
  return node.source.subarray(node.start, node.end);
}
