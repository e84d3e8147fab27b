/**
 * Decoders for the DER primitive types both certificate readers need: the
 * profile's lazy reader and the trust layer's streaming walker call these and
 * wrap a failure in their own error type.
 * @internal
 */

import { TwpkiError } from '../shared/twpki-error.js';

/** A primitive's content octets are not a valid encoding; `message` says which. */
export class DerPrimitiveError extends TwpkiError<'DER_PRIMITIVE'> {
  public constructor(message: string) {
    super('DER_PRIMITIVE', message);
  }
}

/** Dotted form of an OBJECT IDENTIFIER's content octets (no padding, no truncation, safe-integer arcs). */
export function decodeObjectIdentifier(content: Uint8Array): string {
  if (content.length === 0) throw new DerPrimitiveError('empty OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (const b of content) {
    // A leading 0x80 would pad an arc, which DER forbids.
    if (fresh && b === 0x80) throw new DerPrimitiveError('padded OBJECT IDENTIFIER arc');
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new DerPrimitiveError('oversized OBJECT IDENTIFIER arc');
    fresh = (b & 0x80) === 0;
    if (fresh) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  if (!fresh) throw new DerPrimitiveError('truncated OBJECT IDENTIFIER');
  return arcs.join('.');
}

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?(Z|[+-]\d{4})$/;
const UTC_TIME_TAG = 0x17;
const GENERALIZED_TIME_TAG = 0x18;

/**
 * UTCTime (tag 0x17) or GeneralizedTime (0x18) content as a Date. `strict`
 * (validation) accepts only what DER allows: seconds present and `Z`.
 * Otherwise (display) ±hhmm offsets and UTCTime without seconds are tolerated.
 */
export function decodeTime(tag: number, content: Uint8Array, options: { strict?: boolean } = {}): Date {
  const text = Buffer.from(content).toString('latin1');
  let f: { y: number; mo: number; d: number; h: number; mi: number; s: number | undefined; ms: number; zone: string } | undefined;
  if (tag === UTC_TIME_TAG) {
    const m = UTC_TIME.exec(text);
    if (m) {
      const yy = Number(m[1]);
      // RFC 5280 4.1.2.5.1: UTCTime years 50–99 are 19xx, 00–49 are 20xx.
      f = { y: yy >= 50 ? 1900 + yy : 2000 + yy, mo: +m[2]!, d: +m[3]!, h: +m[4]!, mi: +m[5]!, s: m[6] === undefined ? undefined : +m[6], ms: 0, zone: m[7]! };
    }
  } else if (tag === GENERALIZED_TIME_TAG) {
    const m = GENERALIZED_TIME.exec(text);
    if (m) {
      const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
      f = { y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: +m[4]!, mi: +m[5]!, s: +m[6]!, ms, zone: m[8]! };
    }
  } else {
    throw new DerPrimitiveError(`expected a time, got tag 0x${tag.toString(16)}`);
  }
  const kind = tag === UTC_TIME_TAG ? 'UTCTime' : 'GeneralizedTime';
  if (f === undefined || (options.strict === true && (f.zone !== 'Z' || f.s === undefined))) {
    throw new DerPrimitiveError(`bad ${kind} ${JSON.stringify(text)}`);
  }
  const s = f.s ?? 0;
  if (f.mo < 1 || f.mo > 12 || f.d < 1 || f.d > 31 || f.h > 23 || f.mi > 59 || s > 60) {
    throw new DerPrimitiveError(`${kind} out of range ${JSON.stringify(text)}`);
  }
  if (new Date(Date.UTC(f.y, f.mo - 1, f.d)).getUTCDate() !== f.d) throw new DerPrimitiveError(`${kind} names no such date ${JSON.stringify(text)}`);
  let epoch = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, s, f.ms);
  if (f.zone !== 'Z') {
    const sign = f.zone.startsWith('-') ? -1 : 1;
    epoch -= sign * (Number(f.zone.slice(1, 3)) * 60 + Number(f.zone.slice(3, 5))) * 60_000;
  }
  return new Date(epoch);
}
