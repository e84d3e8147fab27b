import { describe, expect, it } from 'vitest';
import { decodeDirectoryString } from '../../../src/cert/profile/directory-string.js';
import { subjectKindOf } from '../../../src/cert/profile/gpki-attributes.js';
import { readRoot } from '../../../src/shared/der/der-reader.js';

const tlv = (tag: number, content: readonly number[]): Uint8Array => Uint8Array.from([tag, content.length, ...content]);
const text = (tag: number, bytes: readonly number[]): string => decodeDirectoryString(readRoot(tlv(tag, bytes), 's'), 's').value;

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
  it('refuses a lone surrogate in BMPString and UniversalString (no character), keeps a pair', () => {
    expect(() => text(0x1e, [0xd8, 0x40, 0x73, 0x8b])).toThrow(/lone UTF-16 surrogate/);
    expect(() => text(0x1e, [0x73, 0x8b, 0xdc, 0x00])).toThrow(/lone UTF-16 surrogate/);
    expect(() => text(0x1c, [0, 0, 0xd8, 0x00, 0, 0, 0x73, 0x8b])).toThrow(/invalid code point/);
    expect(text(0x1e, [0xd8, 0x40, 0xdc, 0x0b])).toBe('\u{2000b}');
  });
  it('keeps a byte order mark the value holds, first or not', () => {
    expect(text(0x0c, [0xef, 0xbb, 0xbf, ...chinese])).toBe('\ufeff臺灣');
    expect(text(0x13, [0xef, 0xbb, 0xbf])).toBe('\ufeff');
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
