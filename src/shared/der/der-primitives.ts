/**
 * Decoders for primitive content octets (OBJECT IDENTIFIER, UTCTime,
 * GeneralizedTime). The DER reader's typed accessors call these; a failure
 * is a `DerError` with code `DER_PRIMITIVE`.
 * @internal
 */

import { DerError } from './der-error.js';

function invalid(message: string): DerError {
  return new DerError('DER_PRIMITIVE', message);
}

/**
 * Whether `text` is an OBJECT IDENTIFIER in the dotted form {@link decodeObjectIdentifier} gives back: decimal arcs
 * without leading zeros, the first 0–2 and, under 0 and 1, the second below 40. (`1.50` would be encoded as the
 * number 90, which reads back as `2.10`, so no certificate can carry it as written.) The one rule for OID text that
 * callers hand in; layers add their own bounds (length for storage, arc size for a writer).
 */
export function isObjectIdentifierText(text: string): boolean {
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(text)) return false;
  const [first, second = ''] = text.split('.');
  // Under 2 the second arc is any size; under 0 and 1 it is below 40, so never long enough to need BigInt.
  return first === '2' || Number(second) < 40;
}

/** Bytes one arc may take: 2.25.<UUID> needs 19 (128 bits); a longer one is refused rather than computed. */
const MAX_ARC_BYTES = 20;

/**
 * Why `source[start, end)` is not the content of a DER OBJECT IDENTIFIER, or `undefined` when it is one: empty, an
 * arc padded with a leading 0x80, an arc over {@link MAX_ARC_BYTES} bytes, or a last arc cut off. Checked without
 * decoding (nothing is allocated), for readers that only compare OIDs' encodings; {@link decodeObjectIdentifier}
 * applies the same rules.
 */
export function objectIdentifierProblem(source: Uint8Array, start = 0, end = source.length): string | undefined {
  if (start >= end) return 'empty OBJECT IDENTIFIER';
  let bytes = 0;
  let fresh = true;
  for (let i = start; i < end; i++) {
    const b = source[i] as number;
    // A leading 0x80 would pad an arc, which DER forbids.
    if (fresh && b === 0x80) return 'padded OBJECT IDENTIFIER arc';
    if (++bytes > MAX_ARC_BYTES) return `oversized OBJECT IDENTIFIER arc (over ${MAX_ARC_BYTES} bytes)`;
    fresh = (b & 0x80) === 0;
    if (fresh) bytes = 0;
  }
  return fresh ? undefined : 'truncated OBJECT IDENTIFIER';
}

/**
 * Dotted form of an OBJECT IDENTIFIER's content octets (no padding, no truncation). Arcs past 2^53 − 1, such as
 * the UUID of a `2.25.<UUID>` OID that certificate policies carry, are read exactly (as BigInt), up to
 * {@link MAX_ARC_BYTES} bytes each.
 */
export function decodeObjectIdentifier(content: Uint8Array): string {
  const problem = objectIdentifierProblem(content);
  if (problem !== undefined) throw invalid(problem);
  const arcs: Array<number | bigint> = [];
  let value = 0;
  let big: bigint | undefined;
  for (const b of content) {
    const next = value * 128 + (b & 0x7f);
    if (big === undefined && next <= Number.MAX_SAFE_INTEGER) value = next;
    else big = (big ?? BigInt(value)) * 128n + BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length > 0) arcs.push(big ?? value);
      else if (big !== undefined) arcs.push(2, big - 80n);
      else {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      }
      value = 0;
      big = undefined;
    }
  }
  return arcs.join('.');
}

const UTC_TIME_TAG = 0x17;
const GENERALIZED_TIME_TAG = 0x18;

/** The value of `count` ASCII digits at `at`, or -1 when any is not a digit (or missing). */
function digitsAt(content: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = (content[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The fields of a time, before range checks. */
interface TimeFields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number | undefined;
  ms: number;
  /** Whether the text has a fraction of a second (even one of zeros: `.0` is still a fraction written). */
  fraction: boolean;
  /** Minutes east of UTC; undefined for `Z`. */
  offset: number | undefined;
}

/**
 * Reads the zone at `at` to the end: `Z`, or ±hhmm. Returns false when it is
 * neither. Read byte by byte: this runs for every time a login checks, and
 * a regular expression over a decoded string cost several times more.
 */
function readZone(content: Uint8Array, at: number, f: TimeFields): boolean {
  if (content[at] === 0x5a /* Z */ && content.length === at + 1) return true;
  const sign = content[at] === 0x2b ? 1 : content[at] === 0x2d ? -1 : 0;
  if (sign === 0 || content.length !== at + 5) return false;
  const hh = digitsAt(content, at + 1, 2);
  const mm = digitsAt(content, at + 3, 2);
  if (hh < 0 || mm < 0) return false;
  f.offset = sign * (hh * 60 + mm);
  return true;
}

function utcTimeFields(content: Uint8Array): TimeFields | undefined {
  // Field by field, without lists or callbacks: a login reads a signing time.
  const yy = digitsAt(content, 0, 2);
  const mo = digitsAt(content, 2, 2);
  const d = digitsAt(content, 4, 2);
  const h = digitsAt(content, 6, 2);
  const mi = digitsAt(content, 8, 2);
  if (yy < 0 || mo < 0 || d < 0 || h < 0 || mi < 0) return undefined;
  // RFC 5280 4.1.2.5.1: UTCTime years 50–99 are 19xx, 00–49 are 20xx.
  const f: TimeFields = { y: yy >= 50 ? 1900 + yy : 2000 + yy, mo, d, h, mi, s: undefined, ms: 0, fraction: false, offset: undefined };
  let at = 10;
  const s = digitsAt(content, at, 2);
  if (s >= 0) {
    f.s = s;
    at += 2;
  }
  return readZone(content, at, f) ? f : undefined;
}

function generalizedTimeFields(content: Uint8Array): TimeFields | undefined {
  const y = digitsAt(content, 0, 4);
  const mo = digitsAt(content, 4, 2);
  const d = digitsAt(content, 6, 2);
  const h = digitsAt(content, 8, 2);
  const mi = digitsAt(content, 10, 2);
  const s = digitsAt(content, 12, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return undefined;
  const f: TimeFields = { y, mo, d, h, mi, s, ms: 0, fraction: false, offset: undefined };
  let at = 14;
  if (content[at] === 0x2e /* . */) {
    const first = ++at;
    while (digitsAt(content, at, 1) >= 0) at++;
    if (at === first) return undefined;
    f.fraction = true;
    // Milliseconds: the first three fraction digits, padded.
    const n = Math.min(3, at - first);
    f.ms = digitsAt(content, first, n) * 10 ** (3 - n);
  }
  return readZone(content, at, f) ? f : undefined;
}

/** Days in `month` (1–12) of `year`, Gregorian. */
function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The time's text for an error message. */
function shown(content: Uint8Array): string {
  return JSON.stringify(Buffer.from(content).toString('latin1'));
}

/** How {@link decodeTime} reads a time. */
export interface TimeOptions {
  /**
   * Also accept ±hhmm offsets, UTCTime without seconds and fractional seconds,
   * which DER or RFC 5280 forbid. Only for display (a certificate profile);
   * every check (validity, CRL, OCSP, signing time) reads strict DER: seconds
   * present and `Z`.
   */
  readonly tolerant?: boolean;
  /**
   * Accept a GeneralizedTime with fractional seconds (`20240101000000.5Z`), read to the millisecond (further digits
   * are cut, never rounded up into the next second). Off by default: RFC 5280 (4.1.2.5.2, 5.1.2.4, 5.1.2.6) says a
   * certificate's or CRL's GeneralizedTime MUST NOT have them, and those are the strict readers. RFC 6960 sets no
   * such rule for OCSP, whose responders do send them, so the OCSP reader asks for them.
   */
  readonly fractionalSeconds?: boolean;
}

/** The default options, shared: a default `{}` was an object per call, and a login reads a time per token. */
const STRICT: TimeOptions = Object.freeze({});

/**
 * UTCTime (tag 0x17) or GeneralizedTime (0x18) content as a Date; strict DER (seconds, `Z`) and no fractional seconds
 * unless `options` say otherwise.
 */
export function decodeTime(tag: number, content: Uint8Array, options: TimeOptions = STRICT): Date {
  let f: TimeFields | undefined;
  if (tag === UTC_TIME_TAG) f = utcTimeFields(content);
  else if (tag === GENERALIZED_TIME_TAG) f = generalizedTimeFields(content);
  else throw invalid(`expected a time, got tag 0x${tag.toString(16)}`);
  const kind = tag === UTC_TIME_TAG ? 'UTCTime' : 'GeneralizedTime';
  if (f === undefined || (options.tolerant !== true && (f.offset !== undefined || f.s === undefined))) {
    throw invalid(`bad ${kind} ${shown(content)}`);
  }
  if (f.fraction && options.tolerant !== true && options.fractionalSeconds !== true) {
    throw invalid(`${kind} ${shown(content)} has fractional seconds, which RFC 5280 forbids in certificates and CRLs`);
  }
  const s = f.s ?? 0;
  if (f.mo < 1 || f.mo > 12 || f.d < 1 || f.d > 31 || f.h > 23 || f.mi > 59 || s > 60) {
    throw invalid(`${kind} out of range ${shown(content)}`);
  }
  if (f.d > daysIn(f.y, f.mo)) throw invalid(`${kind} names no such date ${shown(content)}`);
  let utc = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, s, f.ms);
  if (f.y < 100) {
    // Date.UTC reads years 0–99 as 1900–1999; a GeneralizedTime names the year itself.
    const date = new Date(0);
    date.setUTCFullYear(f.y, f.mo - 1, f.d);
    utc = date.setUTCHours(f.h, f.mi, s, f.ms);
  }
  return new Date(utc - (f.offset ?? 0) * 60_000);
}
