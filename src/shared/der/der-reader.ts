/**
 * The one DER reader of twpki: certificates (profiles and trust), CRLs, OCSP
 * responses, CMS and the card's PKCS#15 directories all go through it, so two
 * layers never read the same bytes two ways.
 *
 * An element is a view — its tag and offsets into the buffer it lies in — and
 * children are read only when a decoder asks, so a structure is walked once
 * and nothing is copied. `readElement` reads one element at an offset, which
 * lets a caller stream through a list too large to materialise (a MOICA CRL
 * has ~400k entries). asn1js decodes whole trees eagerly, including trying
 * every OCTET and BIT STRING as nested ASN.1; that made it the dominant cost
 * of a certificate parse, and seconds for a CRL.
 *
 * Structural, not canonical: definite lengths only (BER input goes through
 * `definiteLengths` first), lengths within their container, no trailing
 * bytes at the root; everything else is a `DerError` naming the element.
 * Non-minimal length octets, a BOOLEAN TRUE other than 0xFF and an explicit
 * DEFAULT value are read rather than refused: signatures cover the bytes as
 * sent, and some issuers' encoders have produced them.
 * @internal
 */

import { DerError } from './der-error.js';

/** One tag-length-value element, as offsets into the buffer it was read from. */
export interface DerNode {
  /** The first identifier octet (class, constructed bit, low tag number or 0x1f). */
  readonly tag: number;
  /** The tag number, also for the multi-octet form. */
  readonly tagNumber: number;
  /** The buffer the element lies in. */
  readonly source: Uint8Array;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the last content octet. */
  readonly end: number;
}

/** Universal tag numbers the decoders use. */
export const UniversalTag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  enumerated: 10,
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

function truncated(what: string, detail: string): DerError {
  return new DerError('DER_FORMAT', `${what} is truncated (${detail})`);
}

/** The fields {@link readHeader} fills in. */
interface Header {
  tag: number;
  tagNumber: number;
  start: number;
  contentStart: number;
  end: number;
}

/**
 * Reads the element starting at `offset`, which must end at or before
 * `limit`. `what` names it in errors; with `container`, errors name it as an
 * element inside that (the name is built only when an error is thrown: a
 * CMS walk reads dozens of elements per login).
 */
export function readElement(buf: Uint8Array, offset: number, limit: number = buf.length, what = 'element', container?: string): DerNode {
  const node = { tag: 0, tagNumber: 0, source: buf, start: 0, contentStart: 0, end: 0 };
  readHeader(buf, offset, limit, what, container, node);
  return node;
}

/** The one place identifier and length octets are read: {@link readElement} and {@link DerCursor} share it. */
function readHeader(buf: Uint8Array, offset: number, limit: number, what: string, container: string | undefined, into: Header): void {
  const start = offset;
  if (offset >= limit) throw truncated(named(what, container), `no tag at offset ${offset}`);
  const tag = buf[offset++] as number;
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let i = 0; ; i++) {
      if (offset >= limit || i >= 4) throw new DerError('DER_FORMAT', `${named(what, container)} has a malformed tag at offset ${start}`);
      const b = buf[offset++] as number;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (offset >= limit) throw truncated(named(what, container), `no length at offset ${start}`);
  const first = buf[offset++] as number;
  let length = first;
  if (first >= 0x80) {
    if (first === 0x80) {
      throw new DerError('DER_FORMAT', `${named(what, container)} uses an indefinite length, which DER forbids (offset ${start})`);
    }
    const count = first & 0x7f;
    // More than 4 length octets cannot describe anything that fits in memory here.
    if (count > 4) throw new DerError('DER_FORMAT', `${named(what, container)} has an oversized length at offset ${start}`);
    if (offset + count > limit) throw truncated(named(what, container), `in its length at offset ${start}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[offset++] as number);
  }
  const end = offset + length;
  if (end > limit) {
    throw truncated(named(what, container), `${length} content bytes announced at offset ${start}, ${limit - offset} present`);
  }
  into.tag = tag;
  into.tagNumber = tagNumber;
  into.start = start;
  into.contentStart = offset;
  into.end = end;
}

function named(what: string, container: string | undefined): string {
  return container === undefined ? what : `element inside ${container}`;
}

/** Reads the single element filling `buf`, rejecting empty input and trailing bytes. */
export function readRoot(buf: Uint8Array, what = 'DER input'): DerNode {
  if (buf.length === 0) throw new DerError('DER_FORMAT', `${what} is empty`);
  const root = readElement(buf, 0, buf.length, what);
  if (root.end !== buf.length) {
    throw new DerError('DER_FORMAT', `${what} has ${buf.length - root.end} trailing bytes after the DER element`);
  }
  return root;
}

/** Whether `node` is constructed (its content is a list of elements). */
export function isConstructed(node: DerNode): boolean {
  return (node.tag & 0x20) !== 0;
}

/** Universal tag number of `node`, or undefined for context, application and private tags. */
export function universalTag(node: DerNode): number | undefined {
  return node.tag >> 6 === 0 ? node.tagNumber : undefined;
}

/** Context-specific tag number `[n]` of `node`, or undefined. */
export function contextTag(node: DerNode): number | undefined {
  return node.tag >> 6 === 2 ? node.tagNumber : undefined;
}

/** The child elements of a constructed node, in order. */
export function childrenOf(node: DerNode, what = 'element'): DerNode[] {
  const children: DerNode[] = [];
  const cursor = new DerCursor(node.source);
  for (let c = cursor.first(node, what); c !== undefined; c = cursor.next(node, what)) children.push(c.node());
  return children;
}

/**
 * One element at a time, without allocating: a cursor is a {@link DerNode}
 * whose fields change as it moves from child to child of a parent. For a
 * decoder with a fixed shape in mind on a hot path (a login's CMS: a node
 * object per element was most of what a login allocated). A cursor moves:
 * keep {@link DerCursor.node} instead of the cursor itself.
 */
export class DerCursor implements DerNode {
  public tag = 0;
  public tagNumber = 0;
  public start = 0;
  public contentStart = 0;
  public end = 0;

  /** @param source the buffer every element it visits lies in. */
  public constructor(public readonly source: Uint8Array) {}

  /** Moves to the first child of constructed `parent` (named `what` in errors); `undefined` when it is empty. */
  public first(parent: DerNode, what = 'element'): this | undefined {
    if (!isConstructed(parent)) throw new DerError('DER_SHAPE', `${what} is not a constructed element`);
    if (parent.contentStart >= parent.end) return undefined;
    readHeader(this.source, parent.contentStart, parent.end, 'element', what, this);
    return this;
  }

  /** Moves to the next child of `parent` (the element it is on must be one); `undefined` after the last. */
  public next(parent: DerNode, what = 'element'): this | undefined {
    if (this.end >= parent.end) return undefined;
    readHeader(this.source, this.end, parent.end, 'element', what, this);
    return this;
  }

  /** The element the cursor is on, as a node of its own that stays where it is. */
  public node(): DerNode {
    return { tag: this.tag, tagNumber: this.tagNumber, source: this.source, start: this.start, contentStart: this.contentStart, end: this.end };
  }
}

/** The content octets of `node`, as a view (no copy, no check). */
export function contentOf(node: DerNode): Uint8Array {
  return node.source.subarray(node.contentStart, node.end);
}

/** The exact encoding of `node` (identifier, length and content), as a view. */
export function encodingOf(node: DerNode): Uint8Array {
  return node.source.subarray(node.start, node.end);
}

/**
 * Asserts that `node` is present and has this identifier octet (e.g. `0x30`
 * SEQUENCE, `0xa0` `[0]` constructed), and returns it.
 */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node === undefined) throw new DerError('DER_SHAPE', `missing ${what}`);
  if (node.tag !== tag) {
    throw new DerError('DER_SHAPE', `${what}: expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  }
  return node;
}
