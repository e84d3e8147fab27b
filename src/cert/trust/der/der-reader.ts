/**
 * A minimal DER walker. It exists because CRLs from MOICA carry hundreds of
 * thousands of entries: building a full asn1js object tree for them costs
 * seconds and hundreds of megabytes, while walking tag-length-value headers
 * over the original bytes is linear and allocation-light.
 */

import { DerPrimitiveError, decodeObjectIdentifier, decodeTime as decodeDerTime } from '../../der-primitives.js';
import { TwpkiError } from '../../../shared/twpki-error.js';

/** One tag-length-value element, as offsets into the buffer it was read from. */
export interface DerElement {
  /** Identifier octet (only low tag numbers are supported, which X.509 needs). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the last content octet. */
  readonly end: number;
}

/** Thrown by the walker on anything that is not well-formed DER. */
export class DerFormatError extends TwpkiError<'DER_FORMAT'> {
  public constructor(message: string) {
    super('DER_FORMAT', message);
  }
}

/** Reads the element starting at `offset`; it must end at or before `limit`. */
export function readElement(buf: Uint8Array, offset: number, limit: number = buf.length): DerElement {
  if (offset + 2 > limit) throw new DerFormatError(`truncated header at offset ${offset}`);
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerFormatError(`high tag number at offset ${offset}`);
  let pos = offset + 1;
  const first = buf[pos++] as number;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length, never valid DER; >4 octets cannot fit a JS buffer.
    if (count === 0 || count > 4) throw new DerFormatError(`unsupported length form at offset ${offset}`);
    if (pos + count > limit) throw new DerFormatError(`truncated length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[pos++] as number);
  }
  const end = pos + length;
  if (end > limit) throw new DerFormatError(`element at offset ${offset} overruns its container`);
  return { tag, start: offset, contentStart: pos, end };
}

/** The children of a constructed element, in order. */
export function readChildren(buf: Uint8Array, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    const child = readElement(buf, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Reads the single top-level element of `buf`, rejecting trailing bytes. */
export function readRoot(buf: Uint8Array): DerElement {
  const root = readElement(buf, 0);
  if (root.end !== buf.length) throw new DerFormatError('trailing bytes after the top-level element');
  return root;
}

/** The whole encoding (header and content) of `el`, as a view (no copy). */
export function elementBytes(buf: Uint8Array, el: DerElement): Uint8Array {
  return buf.subarray(el.start, el.end);
}

/** The content octets of `el`, as a view (no copy). */
export function contentBytes(buf: Uint8Array, el: DerElement): Uint8Array {
  return buf.subarray(el.contentStart, el.end);
}

/** Asserts the tag of `el` and returns it, for readable structure checks. */
export function expectTag(el: DerElement | undefined, tag: number, what: string): DerElement {
  if (el === undefined) throw new DerFormatError(`missing ${what}`);
  if (el.tag !== tag) {
    throw new DerFormatError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${el.tag.toString(16)}`);
  }
  return el;
}

/** Decodes an OBJECT IDENTIFIER's content octets to dotted form. */
export function decodeOid(content: Uint8Array): string {
  return strictly(() => decodeObjectIdentifier(content));
}

/** Decodes UTCTime (0x17) or GeneralizedTime (0x18) content to a Date; only DER's `Z` form is accepted. */
export function decodeTime(tag: number, content: Uint8Array): Date {
  return strictly(() => decodeDerTime(tag, content, { strict: true }));
}

function strictly<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DerPrimitiveError) throw new DerFormatError(error.message);
    throw error;
  }
}

/**
 * Canonical hex of an INTEGER's content, as used for serial numbers:
 * lower case, leading zero octets dropped (a serial is positive), at least
 * two digits.
 */
export function integerHex(content: Uint8Array): string {
  let i = 0;
  while (i < content.length - 1 && content[i] === 0) i++;
  return Buffer.from(content.subarray(i)).toString('hex');
}

/**
 * Rewrites BER indefinite-length encodings (`30 80 … 00 00`, common in CMS
 * produced by Windows CAPI and Java) as definite lengths, so the DER walker
 * can read them. Elements without indefinite parts are copied byte for byte,
 * which keeps signed attributes exactly as signed.
 */
export function definiteLengths(buf: Uint8Array): Uint8Array {
  const [out, end, changed] = rewrite(buf, 0, buf.length, 0);
  if (end !== buf.length) throw new DerFormatError('trailing bytes after the top-level element');
  // Unchanged input comes back as the same object, so callers can tell.
  return changed ? out : buf;
}

const MAX_BER_DEPTH = 64;

/** Returns the element's definite encoding, the offset after it, and whether it differs from the input. */
function rewrite(buf: Uint8Array, offset: number, limit: number, depth: number): [Uint8Array, number, boolean] {
  if (depth > MAX_BER_DEPTH) throw new DerFormatError('nesting too deep');
  if (offset + 2 > limit) throw new DerFormatError(`truncated header at offset ${offset}`);
  const tag = buf[offset] as number;
  const constructed = (tag & 0x20) !== 0;
  if (buf[offset + 1] !== 0x80) {
    const el = readElement(buf, offset, limit);
    const verbatim = buf.subarray(el.start, el.end);
    if (!constructed) return [verbatim, el.end, false];
    const parts: Uint8Array[] = [];
    let changed = false;
    for (let pos = el.contentStart; pos < el.end; ) {
      const [part, next, partChanged] = rewrite(buf, pos, el.end, depth + 1);
      changed ||= partChanged;
      parts.push(part);
      pos = next;
    }
    return changed ? [encodeDefinite(tag, parts), el.end, true] : [verbatim, el.end, false];
  }
  if (!constructed) throw new DerFormatError(`indefinite length on a primitive at offset ${offset}`);
  const parts: Uint8Array[] = [];
  let pos = offset + 2;
  for (;;) {
    if (pos + 2 > limit) throw new DerFormatError(`missing end-of-contents for offset ${offset}`);
    if (buf[pos] === 0 && buf[pos + 1] === 0) return [encodeDefinite(tag, parts), pos + 2, true];
    const [part, next] = rewrite(buf, pos, limit, depth + 1);
    parts.push(part);
    pos = next;
  }
}

function encodeDefinite(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const lengthOctets: number[] = [];
  if (length < 0x80) lengthOctets.push(length);
  else {
    for (let n = length; n > 0; n = Math.floor(n / 256)) lengthOctets.unshift(n & 0xff);
    lengthOctets.unshift(0x80 | lengthOctets.length);
  }
  const out = new Uint8Array(1 + lengthOctets.length + length);
  out[0] = tag;
  out.set(lengthOctets, 1);
  let o = 1 + lengthOctets.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
