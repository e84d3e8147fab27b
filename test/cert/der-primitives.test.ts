import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DerPrimitiveError, decodeObjectIdentifier, decodeTime } from '../../src/cert/der-primitives.js';

const oidContent = (dotted: string): Uint8Array => new Uint8Array(new asn1js.ObjectIdentifier({ value: dotted }).valueBlock.toBER());
const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

describe('decodeObjectIdentifier', () => {
  it('decodes what asn1js encodes (property), including the GPKI arcs', () => {
    expect(decodeObjectIdentifier(oidContent('2.16.886.1.100.2.204'))).toBe('2.16.886.1.100.2.204');
    expect(decodeObjectIdentifier(oidContent('2.16.886.101.20003.20001.20003'))).toBe('2.16.886.101.20003.20001.20003');
    const arc = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(arc, { maxLength: 8 }), (a, b, rest) => {
        const dotted = [a, b, ...rest].join('.');
        expect(decodeObjectIdentifier(oidContent(dotted))).toBe(dotted);
      }),
    );
  });

  it.each([
    ['empty', [], /empty/],
    ['padded arc', [0x2a, 0x80, 0x01], /padded/],
    ['truncated', [0x2a, 0x86], /truncated/],
    ['oversized arc', [0x2a, ...Array(9).fill(0xff), 0x7f], /oversized/],
  ])('refuses a %s OID', (_name, bytes, reason) => {
    expect(() => decodeObjectIdentifier(Uint8Array.from(bytes as number[]))).toThrow(DerPrimitiveError);
    expect(() => decodeObjectIdentifier(Uint8Array.from(bytes as number[]))).toThrow(reason);
  });
});

describe('decodeTime', () => {
  it('reads UTCTime with the RFC 5280 century rule and GeneralizedTime with fractions', () => {
    expect(decodeTime(0x17, text('491231235959Z')).toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(decodeTime(0x17, text('500101000000Z')).toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(decodeTime(0x18, text('20440123155959Z')).toISOString()).toBe('2044-01-23T15:59:59.000Z');
    expect(decodeTime(0x18, text('20240229120000.1234Z')).toISOString()).toBe('2024-02-29T12:00:00.123Z');
  });

  it('tolerates offsets and missing UTCTime seconds only when not strict', () => {
    expect(decodeTime(0x17, text('2401010800+0800')).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(() => decodeTime(0x17, text('2401010800+0800'), { strict: true })).toThrow(/bad UTCTime/);
    expect(() => decodeTime(0x18, text('20240101000000+0100'), { strict: true })).toThrow(/bad GeneralizedTime/);
  });

  it('refuses impossible dates and non-time tags', () => {
    expect(() => decodeTime(0x18, text('20230229000000Z'))).toThrow(/no such date/);
    expect(() => decodeTime(0x18, text('20231301000000Z'))).toThrow(/out of range/);
    expect(() => decodeTime(0x17, text('2401012460Z'))).toThrow(DerPrimitiveError);
    expect(() => decodeTime(0x04, text('20240101000000Z'))).toThrow(/expected a time/);
  });
});
