/** Result of splitting a directory file into its top-level TLV records. */
export interface TlvRecordSplit {
  /** Complete records found, each a full TLV. */
  readonly records: Uint8Array[];
  /**
   * `'padding'`: a `00`/`FF` byte (or the end of the data exactly at a record
   * boundary with `atEnd`) ends the content; `'incomplete'`: the last record
   * runs past the data read so far, read more.
   */
  readonly state: 'padding' | 'incomplete' | 'end';
}

/**
 * Splits PKCS#15 directory content into top-level TLV records, stopping at
 * `00`/`FF` padding. HiCOS directory files have no size from SELECT, so the
 * reader calls this after each chunk to know whether it must read on.
 * @throws RangeError when a length field is not valid BER for a record
 */
export function splitTlvRecords(content: Uint8Array): TlvRecordSplit {
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < content.length) {
    const tag = content[pos]!;
    if (tag === 0x00 || tag === 0xff) return { records, state: 'padding' };
    if ((tag & 0x1f) === 0x1f) throw new RangeError(`multi-byte tag at offset ${pos} is not used in HiCOS directories`);
    const header = readLength(content, pos + 1);
    if (header === undefined) return { records, state: 'incomplete' };
    const end = pos + 1 + header.lengthBytes + header.length;
    if (end > content.length) return { records, state: 'incomplete' };
    records.push(content.slice(pos, end));
    pos = end;
  }
  return { records, state: 'end' };
}

function readLength(content: Uint8Array, at: number): { length: number; lengthBytes: number } | undefined {
  if (at >= content.length) return undefined;
  const first = content[at]!;
  if (first < 0x80) return { length: first, lengthBytes: 1 };
  const n = first & 0x7f;
  if (n === 0) throw new RangeError(`indefinite length at offset ${at} is not allowed here`);
  if (n > 3) throw new RangeError(`length field of ${n} bytes at offset ${at} is implausible`);
  if (at + n >= content.length) return undefined;
  let length = 0;
  for (let i = 1; i <= n; i++) length = length * 256 + content[at + i]!;
  return { length, lengthBytes: 1 + n };
}
