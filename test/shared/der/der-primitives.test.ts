import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DerError } from '../../../src/shared/der/der-error.js';
import { decodeObjectIdentifier, decodeTime, isObjectIdentifierText } from '../../../src/shared/der/der-primitives.js';

const oidContent = (dotted: string): Uint8Array => new Uint8Array(new asn1js.ObjectIdentifier({ value: dotted }).valueBlock.toBER());
const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

describe('isObjectIdentifierText', () => {
  it('takes the text the decoder gives back for any content it reads (property)', () => {
    const arc = fc.bigInt({ min: 0n, max: 2n ** 100n });
    fc.assert(
      fc.property(fc.array(arc, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 127 }), (arcs, last) => {
        // Base-128 content octets of arbitrary arcs: whatever they decode to must pass the rule.
        const bytes: number[] = [];
        for (const n of [...arcs, BigInt(last)]) {
          const out = [Number(n & 0x7fn)];
          for (let v = n >> 7n; v > 0n; v >>= 7n) out.unshift(Number(v & 0x7fn) | 0x80);
          bytes.push(...out);
        }
        let dotted: string;
        try {
          dotted = decodeObjectIdentifier(Uint8Array.from(bytes));
        } catch {
          return; // an arc over the reader's size limit: nothing to compare
        }
        expect(isObjectIdentifierText(dotted)).toBe(true);
      }),
    );
  });

  it('refuses text no certificate carries as written, whatever the reason', () => {
    for (const bad of ['', '1', '3.1', '1.50', '0.40', '02.16', '2.016.886', '2.16.', '.2.16', '2..16', ' 2.16', '2.16 ', '2.16.886a', '１.２', '2.-1']) {
      expect([bad, isObjectIdentifierText(bad)]).toEqual([bad, false]);
    }
    for (const good of ['0.0', '1.39', '2.40', '2.999', '2.25.329800735698586629295641978511506172918', '2.16.886.101.20003.20001.20003']) {
      expect([good, isObjectIdentifierText(good)]).toEqual([good, true]);
    }
  });
});

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

  it('reads arcs past 2^53 − 1 exactly: a 2.25.<UUID> OID, a huge second arc under 2, a 20-byte arc', () => {
    const uuid = 0xf81d4fae7dec11d0a76500a0c91e6bf6n;
    const encode = (n: bigint): number[] => {
      const out = [Number(n & 0x7fn)];
      for (let v = n >> 7n; v > 0n; v >>= 7n) out.unshift(Number(v & 0x7fn) | 0x80);
      return out;
    };
    expect(decodeObjectIdentifier(Uint8Array.from([0x69, ...encode(uuid)]))).toBe(`2.25.${uuid}`);
    expect(decodeObjectIdentifier(Uint8Array.from(encode(2n ** 60n + 80n)))).toBe(`2.${2n ** 60n}`);
    expect(decodeObjectIdentifier(Uint8Array.from([0x2a, ...encode(2n ** 53n), 0x05]))).toBe(`1.2.${2n ** 53n}.5`);
    const twenty = (1n << 140n) - 1n;
    expect(encode(twenty)).toHaveLength(20);
    expect(decodeObjectIdentifier(Uint8Array.from([0x2a, ...encode(twenty)]))).toBe(`1.2.${twenty}`);
  });

  it.each([
    ['empty', [], /empty/],
    ['padded arc', [0x2a, 0x80, 0x01], /padded/],
    ['truncated', [0x2a, 0x86], /truncated/],
    ['oversized arc', [0x2a, ...Array(20).fill(0xff), 0x7f], /oversized OBJECT IDENTIFIER arc \(over 20 bytes\)/],
  ])('refuses a %s OID', (_name, bytes, reason) => {
    expect(() => decodeObjectIdentifier(Uint8Array.from(bytes as number[]))).toThrow(DerError);
    expect(() => decodeObjectIdentifier(Uint8Array.from(bytes as number[]))).toThrow(reason);
  });
});

describe('decodeTime', () => {
  it('reads UTCTime with the RFC 5280 century rule and GeneralizedTime with fractions when asked', () => {
    expect(decodeTime(0x17, text('491231235959Z')).toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(decodeTime(0x17, text('500101000000Z')).toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(decodeTime(0x18, text('20440123155959Z')).toISOString()).toBe('2044-01-23T15:59:59.000Z');
    expect(decodeTime(0x18, text('20240229120000.1234Z'), { fractionalSeconds: true }).toISOString()).toBe('2024-02-29T12:00:00.123Z');
  });

  // RFC 5280 4.1.2.5.2 and 5.1.2.4: a certificate's or CRL's GeneralizedTime MUST NOT carry fractional seconds.
  // Strict is the default, so a reader that forgets to choose refuses them; OCSP (RFC 6960) asks for them.
  it('refuses fractional seconds unless asked, saying why; asked, reads them to the millisecond, cut, never rounded up', () => {
    for (const s of ['20240101000000.5Z', '20240101000000.0Z', '20240101000000.123456Z']) {
      expect(() => decodeTime(0x18, text(s))).toThrowError(expect.objectContaining({ code: 'DER_PRIMITIVE', message: `GeneralizedTime "${s}" has fractional seconds, which RFC 5280 forbids in certificates and CRLs` }) as Error);
    }
    const asked = (s: string): string => decodeTime(0x18, text(s), { fractionalSeconds: true }).toISOString();
    expect(asked('20240101000000.5Z')).toBe('2024-01-01T00:00:00.500Z');
    expect(asked('20240101000000.05Z')).toBe('2024-01-01T00:00:00.050Z');
    expect(asked('20240101000000.001Z')).toBe('2024-01-01T00:00:00.001Z');
    expect(asked('20241231235959.9999Z')).toBe('2024-12-31T23:59:59.999Z');
    // Asked for fractions, the rest stays strict: `Z`, and a fraction with digits.
    expect(() => decodeTime(0x18, text('20240101000000.5+0800'), { fractionalSeconds: true })).toThrow(/bad GeneralizedTime/);
    expect(() => decodeTime(0x18, text('20240101000000.Z'), { fractionalSeconds: true })).toThrow(/bad GeneralizedTime/);
    // Display (a profile) reads what it can, fractions included.
    expect(decodeTime(0x18, text('20240101000000.5Z'), { tolerant: true }).toISOString()).toBe('2024-01-01T00:00:00.500Z');
  });

  it('reads strict DER by default and tolerates offsets and missing UTCTime seconds only when asked', () => {
    expect(decodeTime(0x17, text('2401010800+0800'), { tolerant: true }).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(decodeTime(0x18, text('20240101000000-0130'), { tolerant: true }).toISOString()).toBe('2024-01-01T01:30:00.000Z');
    expect(() => decodeTime(0x17, text('2401010800+0800'))).toThrow(/bad UTCTime/);
    expect(() => decodeTime(0x17, text('2401010800Z'))).toThrow(/bad UTCTime/);
    expect(() => decodeTime(0x18, text('20240101000000+0100'))).toThrow(/bad GeneralizedTime/);
  });

  it('agrees with the date the text names, for every valid time (property)', () => {
    const two = (n: number): string => String(n).padStart(2, '0');
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2049-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
        const fields = [whole.getUTCMonth() + 1, whole.getUTCDate(), whole.getUTCHours(), whole.getUTCMinutes(), whole.getUTCSeconds()].map(two).join('');
        expect(decodeTime(0x17, text(`${two(whole.getUTCFullYear() % 100)}${fields}Z`))).toEqual(whole);
        expect(decodeTime(0x18, text(`${whole.getUTCFullYear()}${fields}Z`))).toEqual(whole);
      }),
    );
  });

  it.each(['2401010000000Z', '240101000000', '24010100000Z', '240101000000Zx', '24010100000aZ', '240101000000+08', ''])('refuses the UTCTime %j', (s) => {
    expect(() => decodeTime(0x17, text(s), { tolerant: true })).toThrow(DerError);
  });

  it.each(['20240101000000.Z', '2024010100000Z', '20240101000000', '202401010000Z'])('refuses the GeneralizedTime %j', (s) => {
    expect(() => decodeTime(0x18, text(s), { tolerant: true })).toThrow(DerError);
  });

  it('accepts a day exactly when the calendar has it, leap years included (property)', () => {
    const two = (n: number): string => String(n).padStart(2, '0');
    const exists = (y: number, m: number, d: number): boolean => new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
    const year = fc.oneof(fc.constantFrom(1900, 2000, 2024, 2100, 2400), fc.integer({ min: 1000, max: 9999 }));
    fc.assert(
      fc.property(year, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const decode = (): Date => decodeTime(0x18, text(`${y}${two(m)}${two(d)}120000Z`));
        if (exists(y, m, d)) expect(decode()).toEqual(new Date(Date.UTC(y, m - 1, d, 12)));
        else expect(decode).toThrow(/no such date/);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses impossible dates and non-time tags', () => {
    expect(() => decodeTime(0x18, text('20230229000000Z'))).toThrow(/no such date/);
    expect(() => decodeTime(0x18, text('20231301000000Z'))).toThrow(/out of range/);
    expect(() => decodeTime(0x17, text('2401012460Z'))).toThrow(DerError);
    expect(() => decodeTime(0x04, text('20240101000000Z'))).toThrow(/expected a time/);
  });
});
