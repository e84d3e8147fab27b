import { DerError } from './der-error.js';
import { readElement } from './der-reader.js';

/**
 * Rewrites BER indefinite-length encodings (`30 80 … 00 00`, common in CMS
 * produced by Windows CAPI and Java) as definite lengths, so the DER reader
 * can read them. Elements without indefinite parts are copied byte for byte,
 * which keeps signed attributes exactly as signed.
 */
export function definiteLengths(buf: Uint8Array): Uint8Array {
  const [out, end, changed] = rewrite(buf, 0, buf.length, 0);
  if (end !== buf.length) throw new DerError('DER_FORMAT', 'trailing bytes after the top-level element');
  // Unchanged input comes back as the same object, so callers can tell.
  return changed ? out : buf;
}

const MAX_BER_DEPTH = 64;

/** Returns the element's definite encoding, the offset after it, and whether it differs from the input. */
function rewrite(buf: Uint8Array, offset: number, limit: number, depth: number): [Uint8Array, number, boolean] {
  if (depth > MAX_BER_DEPTH) throw new DerError('DER_FORMAT', 'nesting too deep');
  if (offset + 2 > limit) throw new DerError('DER_FORMAT', `truncated header at offset ${offset}`);
  const tag = buf[offset] as number;
  // CMS uses no multi-octet tags, and the rewrite below writes one tag octet.
  if ((tag & 0x1f) === 0x1f) throw new DerError('DER_FORMAT', `high tag number at offset ${offset}`);
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
  if (!constructed) throw new DerError('DER_FORMAT', `indefinite length on a primitive at offset ${offset}`);
  const parts: Uint8Array[] = [];
  let pos = offset + 2;
  for (;;) {
    if (pos + 2 > limit) throw new DerError('DER_FORMAT', `missing end-of-contents for offset ${offset}`);
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
