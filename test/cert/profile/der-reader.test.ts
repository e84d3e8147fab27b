import { describe, expect, it } from 'vitest';
import { decodeDirectoryString } from '../../../src/cert/profile/directory-string.js';
import { subjectKindOf } from '../../../src/cert/profile/gpki-attributes.js';
import { Asn1ShapeError, childrenOf, oidOf, parseAsn1, timeOf } from '../../../src/cert/profile/der-reader.js';

const tlv = (tag: number, content: readonly number[]): Uint8Array => Uint8Array.from([tag, content.length, ...content]);
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];
const time = (tag: number, s: string): Date => timeOf(parseAsn1(tlv(tag, ascii(s)), 't'), 't');
const text = (tag: number, bytes: readonly number[]): string => decodeDirectoryString(parseAsn1(tlv(tag, bytes), 's'), 's').value;

describe('DER reader', () => {
  it('decodes OIDs, including large first arcs and multi-byte arcs', () => {
    expect(oidOf(parseAsn1(Uint8Array.of(0x06, 0x07, 0x60, 0x86, 0x76, 0x01, 0x64, 0x02, 0x33), 'o'), 'o')).toBe('2.16.886.1.100.2.51');
    expect(oidOf(parseAsn1(Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x0f), 'o'), 'o')).toBe('2.5.29.15');
    expect(oidOf(parseAsn1(Uint8Array.of(0x06, 0x02, 0x88, 0x37), 'o'), 'o')).toBe('2.999');
    expect(() => oidOf(parseAsn1(Uint8Array.of(0x06, 0x01, 0x86), 'o'), 'o')).toThrow(Asn1ShapeError);
    expect(() => oidOf(parseAsn1(Uint8Array.of(0x06, 0x02, 0x80, 0x01), 'o'), 'o')).toThrow(/malformed/);
  });

  it('reads UTCTime with the RFC 5280 century rule and GeneralizedTime', () => {
    expect(time(0x17, '491231235959Z').toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(time(0x17, '500101000000Z').toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(time(0x18, '20440123155959Z').toISOString()).toBe('2044-01-23T15:59:59.000Z');
    expect(time(0x18, '20240123063045.5Z').toISOString()).toBe('2024-01-23T06:30:45.500Z');
    expect(time(0x17, '240123143045+0800').toISOString()).toBe('2024-01-23T06:30:45.000Z');
  });

  it.each(['240231000000Z', '241301000000Z', '2401010000Z0', 'abcdefghijklm'])('rejects the time %s', (s) => {
    expect(() => time(0x17, s)).toThrow(Asn1ShapeError);
  });

  it('rejects indefinite lengths, truncation and oversized lengths', () => {
    expect(() => parseAsn1(Uint8Array.of(0x30, 0x80, 0x00, 0x00), 'x')).toThrow(/indefinite/);
    expect(() => parseAsn1(Uint8Array.of(0x30, 0x05, 0x02, 0x01), 'x')).toThrow(/truncated/);
    expect(() => parseAsn1(Uint8Array.of(0x30, 0x85, 1, 1, 1, 1, 1), 'x')).toThrow(/oversized/);
    expect(() => childrenOf(parseAsn1(Uint8Array.of(0x30, 0x03, 0x02, 0x05, 0x00), 'x'), 'x')).toThrow(/truncated/);
  });

  it('reads long-form lengths and nested children', () => {
    const content = new Array<number>(200).fill(0x41);
    const node = parseAsn1(Uint8Array.from([0x30, 0x81, 203, 0x04, 0x81, 200, ...content]), 'x');
    const [child] = childrenOf(node, 'x');
    expect(child?.end).toBe(206);
    expect(child?.contentStart).toBe(6);
  });
});

describe('directory strings', () => {
  const chinese = [...Buffer.from('臺灣')];
  it('decodes UTF-8 in UTF8String, PrintableString and TeletexString', () => {
    expect(text(0x0c, chinese)).toBe('臺灣');
    expect(text(0x13, chinese)).toBe('臺灣');
    expect(text(0x14, chinese)).toBe('臺灣');
  });
  it('decodes BMPString (UTF-16BE) and UniversalString (UTF-32BE)', () => {
    expect(text(0x1e, [0x81, 0xfa, 0x70, 0x63])).toBe('臺灣');
    expect(text(0x1c, [0, 0, 0x81, 0xfa, 0, 0, 0x70, 0x63])).toBe('臺灣');
  });
  it('keeps non-UTF-8 TeletexString bytes as Latin-1', () => {
    expect(text(0x14, [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72])).toBe('Müller');
  });
  it('rejects broken encodings and non-string tags', () => {
    expect(() => text(0x0c, [0xff])).toThrow(/not valid UTF-8/);
    expect(() => text(0x1e, [0x81])).toThrow(/odd number/);
    expect(() => text(0x1c, [0x00, 0x11, 0x00, 0x00])).toThrow(/invalid code point/);
    expect(() => text(0x02, [0x01])).toThrow(/not a character string/);
  });
});

describe('GPKI subject kinds', () => {
  it.each([
    ['2.16.886.1.100.3.1.1', 'citizen'],
    ['2.16.886.1.100.3.2.2.1.1', 'company'],
    ['2.16.886.1.100.3.2.11', 'group'],
    ['2.16.886.1.100.3.3.1', 'agency'],
    ['2.16.886.1.100.3.9', 'unknown'],
    ['2.16.886.1.100.3.10', 'unknown'],
  ] as const)('%s is %s', (oid, kind) => {
    expect(subjectKindOf(oid)).toBe(kind);
  });
});
