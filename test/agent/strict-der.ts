/**
 * A strict DER check for tests: definite, minimal lengths; primitive string
 * types (OCTET/BIT STRING and the character strings may not be constructed
 * in DER); SET OF elements in ascending order of their encodings; nothing
 * after the outer element. Returns the problems found (empty when DER).
 */
export function derProblems(bytes: Uint8Array): string[] {
  const problems: string[] = [];
  const end = walk(bytes, 0, bytes.length, 'root', problems);
  if (end !== bytes.length) problems.push(`${bytes.length - end} bytes after the outer element`);
  return problems;
}

const STRING_TAGS = new Set([3, 4, 12, 18, 19, 20, 22, 23, 24, 26, 28, 30]);

function walk(bytes: Uint8Array, offset: number, limit: number, path: string, problems: string[]): number {
  const first = bytes[offset++]!;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    let b: number;
    do {
      b = bytes[offset++]!;
      tag = tag * 128 + (b & 0x7f);
    } while (b & 0x80);
  }
  const constructed = (first & 0x20) !== 0;
  const universal = first >> 6 === 0;
  const lengthByte = bytes[offset++]!;
  let length = lengthByte;
  if (lengthByte === 0x80) {
    problems.push(`${path}: indefinite length`);
    return limit;
  }
  if (lengthByte > 0x80) {
    const count = lengthByte & 0x7f;
    const leading = bytes[offset];
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset++]!;
    if (length < 0x80 || leading === 0) problems.push(`${path}: length ${length} not in its shortest form`);
  }
  const end = offset + length;
  if (end > limit) {
    problems.push(`${path}: length runs past its parent`);
    return limit;
  }
  const here = `${path}/${universal ? 'u' : 'c'}${tag}`;
  if (universal && constructed && STRING_TAGS.has(tag)) problems.push(`${here}: constructed string type`);
  if (constructed) {
    const children: Uint8Array[] = [];
    for (let o = offset; o < end; ) {
      const next = walk(bytes, o, end, here, problems);
      children.push(bytes.subarray(o, next));
      o = next;
    }
    if (universal && tag === 17) {
      for (let i = 1; i < children.length; i++) {
        if (Buffer.compare(Buffer.from(children[i - 1]!), Buffer.from(children[i]!)) > 0) problems.push(`${here}: SET OF not in DER order`);
      }
    }
  }
  return end;
}

/** The bytes of the encapsulated content's first element inside a ContentInfo(SignedData): tag byte and content. */
export function encapsulatedContent(contentInfo: Uint8Array): { tag: number; content: Uint8Array } {
  // ContentInfo SEQ { OID, [0] { SignedData SEQ { version, digestAlgorithms SET, encapContentInfo SEQ { OID, [0] { eContent } } } } }
  const kids = (bytes: Uint8Array): Uint8Array[] => {
    const out: Uint8Array[] = [];
    const { contentStart, end } = header(bytes, 0);
    for (let o = contentStart; o < end; ) {
      const h = header(bytes, o);
      out.push(bytes.subarray(o, h.end));
      o = h.end;
    }
    return out;
  };
  const signedData = kids(kids(contentInfo)[1]!)[0]!;
  const encap = kids(signedData)[2]!;
  const explicit = kids(encap)[1]!;
  const eContent = kids(explicit)[0]!;
  const h = header(eContent, 0);
  return { tag: eContent[0]!, content: eContent.subarray(h.contentStart, h.end) };
}

function header(bytes: Uint8Array, offset: number): { contentStart: number; end: number } {
  let o = offset + 1;
  const lengthByte = bytes[o++]!;
  let length = lengthByte;
  if (lengthByte > 0x80) {
    length = 0;
    for (let i = 0; i < (lengthByte & 0x7f); i++) length = length * 256 + bytes[o++]!;
  }
  return { contentStart: o, end: o + length };
}
