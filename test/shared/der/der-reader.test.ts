import { describe, expect, it } from 'vitest';
import { DerError } from '../../../src/shared/der/der-error.js';
import { decodeObjectIdentifier as decodeOid, decodeTime } from '../../../src/shared/der/der-primitives.js';
import { childrenOf, contextTag, DerCursor, readElement, readRoot } from '../../../src/shared/der/der-reader.js';
import { integerHex, integerHexOf, oidOf, smallInteger, timeOf } from '../../../src/shared/der/der-values.js';
import { nameToText } from '../../../src/cert/trust/name-text.js';

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

const tlv = (tag: number, content: readonly number[]): Uint8Array => Uint8Array.from([tag, content.length, ...content]);
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];
const time = (tag: number, s: string): Date => timeOf(readRoot(tlv(tag, ascii(s)), 't'), 't', { tolerant: true });

describe('the one DER reader', () => {
  it('decodes times with the RFC 5280 UTCTime century rule', () => {
    expect(decodeTime(0x17, latin1('491231235959Z'))).toEqual(new Date('2049-12-31T23:59:59Z'));
    expect(decodeTime(0x17, latin1('500101000000Z'))).toEqual(new Date('1950-01-01T00:00:00Z'));
    expect(decodeTime(0x18, latin1('20491231155959Z'))).toEqual(new Date('2049-12-31T15:59:59Z'));
    expect(decodeTime(0x18, latin1('20240123155959.5Z'), { fractionalSeconds: true })).toEqual(new Date('2024-01-23T15:59:59.500Z'));
    expect(() => decodeTime(0x17, latin1('2401231559Z'))).toThrow(DerError);
    expect(() => decodeTime(0x04, latin1('x'))).toThrow(DerError);
  });

  it('decodes OIDs, including large arcs, and rejects truncated ones', () => {
    expect(decodeOid(new Uint8Array([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]))).toBe('2.16.840.1.101.3.4.2.1');
    expect(decodeOid(new Uint8Array([0x60, 0x86, 0x76, 0x01, 0x64, 0x02, 0x81, 0x4c]))).toBe('2.16.886.1.100.2.204');
    expect(() => decodeOid(new Uint8Array([0x2a, 0x86]))).toThrow(DerError);
  });

  it('canonicalises serial numbers and enforces container bounds', () => {
    expect(integerHex(new Uint8Array([0x00, 0x9a, 0x01]))).toBe('9a01');
    expect(integerHex(new Uint8Array([0x00]))).toBe('00');
    // The same read from an INTEGER element in a larger source, by offsets.
    for (const content of [[0x00, 0x9a, 0x01], [0x00], [0x00, 0x00, 0x7f], [0x01, 0x02]]) {
      const source = new Uint8Array([0xff, 0x02, content.length, ...content, 0xee]);
      expect(integerHexOf(readRoot(source.subarray(1, source.length - 1)))).toBe(integerHex(new Uint8Array(content)));
    }
    expect(() => readElement(new Uint8Array([0x30, 0x05, 0x02, 0x01]), 0)).toThrow(/truncated \(5 content bytes announced/);
    expect(() => readRoot(new Uint8Array([0x05, 0x00, 0x00]))).toThrow(/trailing/);
    // A multi-octet tag: [31] is read whole, and no single-octet expectation matches it.
    const high = readRoot(new Uint8Array([0x9f, 0x1f, 0x01, 0x07]));
    expect([contextTag(high), high.contentStart]).toEqual([31, 3]);
    expect(() => readElement(new Uint8Array([0x1f, 0x81]), 0)).toThrow(/malformed tag/);
  });

  it('renders names with UTF8String and BMPString Chinese', () => {
    const utf8 = Buffer.from('內政部', 'utf8');
    const bmp = Buffer.from('王小明', 'utf16le').swap16();
    const atv = (oid: number[], tag: number, value: Buffer): Buffer =>
      Buffer.concat([Buffer.from([0x31, value.length + oid.length + 6, 0x30, value.length + oid.length + 4, 0x06, oid.length, ...oid, tag, value.length]), value]);
    const rdns = Buffer.concat([atv([0x55, 0x04, 0x0b], 0x0c, utf8), atv([0x55, 0x04, 0x03], 0x1e, bmp)]);
    const name = new Uint8Array(Buffer.concat([Buffer.from([0x30, rdns.length]), rdns]));
    expect(nameToText(name)).toBe('OU=內政部, CN=王小明');
  });

  it('decodes OIDs through the typed accessor, naming the element', () => {
    expect(oidOf(readRoot(Uint8Array.of(0x06, 0x07, 0x60, 0x86, 0x76, 0x01, 0x64, 0x02, 0x33), 'o'), 'o')).toBe('2.16.886.1.100.2.51');
    expect(oidOf(readRoot(Uint8Array.of(0x06, 0x02, 0x88, 0x37), 'o'), 'o')).toBe('2.999');
    expect(() => oidOf(readRoot(Uint8Array.of(0x06, 0x01, 0x86), 'o'), 'o')).toThrow(DerError);
    expect(() => oidOf(readRoot(Uint8Array.of(0x06, 0x02, 0x80, 0x01), 'policy'), 'policy')).toThrow(/policy is a malformed OBJECT IDENTIFIER/);
    expect(() => oidOf(readRoot(Uint8Array.of(0x04, 0x00), 'o'), 'o')).toThrow(/not an OBJECT IDENTIFIER/);
  });

  it('reads times strictly by default and tolerantly for display', () => {
    expect(time(0x17, '240123143045+0800').toISOString()).toBe('2024-01-23T06:30:45.000Z');
    expect(() => timeOf(readRoot(tlv(0x17, ascii('240123143045+0800'))), 'notAfter')).toThrow(/notAfter is not a valid time/);
  });

  it.each(['240231000000Z', '241301000000Z', '2401010000Z0', 'abcdefghijklm'])('rejects the time %s', (s) => {
    expect(() => time(0x17, s)).toThrow(DerError);
  });

  it('rejects indefinite lengths, truncation and oversized lengths with DER_FORMAT', () => {
    const code = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        return error instanceof DerError ? error.code : 'not a DerError';
      }
      return undefined;
    };
    expect(() => readRoot(Uint8Array.of(0x30, 0x80, 0x00, 0x00), 'x')).toThrow(/indefinite/);
    expect(() => readRoot(Uint8Array.of(0x30, 0x85, 1, 1, 1, 1, 1), 'x')).toThrow(/oversized/);
    expect(() => readRoot(new Uint8Array(0), 'x')).toThrow(/empty/);
    expect(code(() => childrenOf(readRoot(Uint8Array.of(0x30, 0x03, 0x02, 0x05, 0x00), 'x'), 'x'))).toBe('DER_FORMAT');
    expect(code(() => childrenOf(readRoot(Uint8Array.of(0x04, 0x00), 'x'), 'x'))).toBe('DER_SHAPE');
    expect(code(() => smallInteger(readRoot(Uint8Array.of(0x02, 0x01, 0x80), 'x'), 'x'))).toBe('DER_PRIMITIVE');
  });

  it('reads long-form lengths and nested children as views into one buffer', () => {
    const content = new Array<number>(200).fill(0x41);
    const bytes = Uint8Array.from([0x30, 0x81, 203, 0x04, 0x81, 200, ...content]);
    const [child] = childrenOf(readRoot(bytes, 'x'), 'x');
    expect(child?.end).toBe(206);
    expect(child?.contentStart).toBe(6);
    expect(child?.source).toBe(bytes);
  });

  it('steps through children one by one, as childrenOf lists them, naming the container in errors', () => {
    const seq = readRoot(Uint8Array.from([0x30, 0x08, 0x02, 0x01, 0x07, 0x05, 0x00, 0x31, 0x01, 0x00]), 'x');
    const stepped = [];
    const cursor = new DerCursor(seq.source);
    for (let c = cursor.first(seq, 'seq'); c !== undefined; c = cursor.next(seq, 'seq')) stepped.push([c.tag, c.start, c.end]);
    expect(stepped).toEqual([[0x02, 2, 5], [0x05, 5, 7], [0x31, 7, 10]]);
    expect(childrenOf(seq).map((c) => [c.tag, c.start, c.end])).toEqual(stepped);
    const empty = readRoot(Uint8Array.from([0x30, 0x00]));
    expect(new DerCursor(empty.source).first(empty)).toBeUndefined();
    const primitive = readRoot(Uint8Array.from([0x04, 0x01, 0x00]));
    expect(() => new DerCursor(primitive.source).first(primitive, 'an octet string')).toThrow(/an octet string is not a constructed element/);
    // The last child announces more than its container holds.
    const broken = readRoot(Uint8Array.from([0x30, 0x05, 0x02, 0x01, 0x07, 0x04, 0x05]), 'x');
    const step = new DerCursor(broken.source);
    expect(step.first(broken, 'SignerInfo')?.end).toBe(5);
    expect(() => step.next(broken, 'SignerInfo')).toThrow(/element inside SignerInfo is truncated/);
  });

  it('a cursor visits the same children without allocating a node each, and node() keeps one where it is', () => {
    const bytes = Uint8Array.from([0x30, 0x0b, 0x02, 0x01, 0x07, 0x30, 0x03, 0x05, 0x02, 0x00, 0x31, 0x01, 0x00]);
    const seq = readRoot(bytes, 'x');
    const cursor = new DerCursor(bytes);
    const seen = [];
    const kept = [];
    for (let c = cursor.first(seq, 'seq'); c !== undefined; c = cursor.next(seq, 'seq')) {
      expect(c).toBe(cursor);
      seen.push([c.tag, c.start, c.contentStart, c.end]);
      kept.push(c.node());
    }
    expect(seen).toEqual(childrenOf(seq).map((c) => [c.tag, c.start, c.contentStart, c.end]));
    expect(kept.map((n) => n.start)).toEqual([2, 5, 10]);
    // A second cursor walks inside the element the first is on; the first is not moved by it.
    const outer = new DerCursor(bytes);
    const inner = new DerCursor(bytes);
    const middle = outer.first(seq)?.next(seq);
    expect(middle?.tag).toBe(0x30);
    expect(() => inner.first(middle as DerCursor, 'inner sequence')).toThrow(/element inside inner sequence is truncated/);
    expect(outer.start).toBe(5);
    expect(() => new DerCursor(bytes).first(readRoot(Uint8Array.from([0x04, 0x00])), 'an octet string')).toThrow(/not a constructed element/);
    expect(new DerCursor(bytes).first(readRoot(Uint8Array.from([0x30, 0x00])))).toBeUndefined();
  });
});
