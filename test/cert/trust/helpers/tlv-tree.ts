/**
 * A TLV tree, enough for tests to re-encode DER with one field changed (a certificate's time, a SignerInfo's
 * attributes written with an indefinite length). Not a DER reader: it trusts its input, which the tests made.
 */
export interface Tlv {
  tag: number;
  content: Uint8Array | Tlv[];
  /** Written with BER's indefinite length (0x80 … 00 00) by {@link encodeTlv}. */
  indefinite?: boolean;
}

/** The elements of `b` between `from` and `to`, constructed ones (tag bit 0x20) as trees. */
export function tlvs(b: Uint8Array, from = 0, to = b.length): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = from; pos < to; ) {
    const tag = b[pos++] as number;
    let length = b[pos++] as number;
    if (length & 0x80) {
      const n = length & 0x7f;
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + (b[pos++] as number);
    }
    out.push({ tag, content: tag & 0x20 ? tlvs(b, pos, pos + length) : b.subarray(pos, pos + length) });
    pos += length;
  }
  return out;
}

/** `t` encoded again: definite minimal lengths, or an indefinite one where `t.indefinite` says so. */
export function encodeTlv(t: Tlv): Buffer {
  const content = Array.isArray(t.content) ? Buffer.concat(t.content.map(encodeTlv)) : Buffer.from(t.content);
  if (t.indefinite === true) return Buffer.concat([Buffer.from([t.tag, 0x80]), content, Buffer.from([0, 0])]);
  const length: number[] = [];
  if (content.length < 0x80) length.push(content.length);
  else {
    for (let n = content.length; n > 0; n = Math.floor(n / 256)) length.unshift(n & 0xff);
    length.unshift(0x80 | length.length);
  }
  return Buffer.concat([Buffer.from([t.tag, ...length]), content]);
}
