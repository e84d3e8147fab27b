import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRoot } from '../../../src/shared/der/der-reader.js';
import { enumeratedOf, integerContentOfHex, integerHex, integerHexIn, integerHexOf } from '../../../src/shared/der/der-values.js';

const read = (...bytes: number[]): number => enumeratedOf(readRoot(Uint8Array.of(...bytes)), 'reason');

describe('enumeratedOf', () => {
  it('reads the whole two\'s complement value, not its first octet', () => {
    expect(read(0x0a, 0x01, 0x01)).toBe(1);
    expect(read(0x0a, 0x01, 0x7f)).toBe(127);
    expect(read(0x0a, 0x01, 0xff)).toBe(-1);
    expect(read(0x0a, 0x02, 0x00, 0x80)).toBe(128);
    expect(read(0x0a, 0x02, 0x01, 0x01)).toBe(257);
    expect(read(0x0a, 0x02, 0xff, 0x7f)).toBe(-129);
  });

  it('refuses what is not one DER ENUMERATED, naming it', () => {
    expect(() => read(0x02, 0x01, 0x01)).toThrow(/^reason is not an ENUMERATED$/);
    expect(() => read(0x0a, 0x00)).toThrow(/^reason is an empty ENUMERATED$/);
    expect(() => read(0x0a, 0x02, 0x00, 0x01)).toThrow(/^reason is an ENUMERATED with a padded encoding/);
    expect(() => read(0x0a, 0x02, 0xff, 0x80)).toThrow(/^reason is an ENUMERATED with a padded encoding/);
    expect(() => read(0x2a, 0x03, 0x0a, 0x01, 0x01)).toThrow(/^reason is not a primitive element$/);
    expect(() => read(0x0a, 0x07, 0x01, 0, 0, 0, 0, 0, 0)).toThrow(/^reason is an ENUMERATED of 7 octets/);
  });
});

/** The value of INTEGER content octets (two's complement), computed here independently of the code under test. */
function valueOf(content: Uint8Array): bigint {
  const unsigned = BigInt(`0x${Buffer.from(content).toString('hex')}`);
  return (content[0] as number) >= 0x80 ? unsigned - (1n << BigInt(content.length * 8)) : unsigned;
}

describe('integerHex: the one spelling serials are matched by', () => {
  it.each([
    ['+128 (a sign octet before a high bit)', [0x00, 0x80], '80'],
    ['-128', [0x80], '-80'],
    ['+1', [0x01], '01'],
    ['-1', [0xff], '-01'],
    ['-129', [0xff, 0x7f], '-81'],
    ['-256', [0xff, 0x00], '-0100'],
    ['zero', [0x00], '00'],
    ['+1 padded (BER)', [0x00, 0x00, 0x01], '01'],
    ['-128 padded (BER)', [0xff, 0x80], '-80'],
    ['MOICA G3 CA', [0x5a, 0x20, 0x2d, 0x14, 0xb3, 0x97, 0x87, 0xd0, 0x88, 0x6c, 0x37, 0x18, 0x4a, 0xc9, 0xb7, 0x6a], '5a202d14b39787d0886c37184ac9b76a'],
  ] as const)('%s', (_label, content, spelt) => {
    expect(integerHex(Uint8Array.from(content))).toBe(spelt);
    // Read in place from a larger buffer, as CRL entries and SignerInfos are.
    const source = Uint8Array.from([0xee, 0x02, content.length, ...content, 0xee]);
    expect(integerHexOf(readRoot(source.subarray(1, source.length - 1)))).toBe(spelt);
    expect(integerHexIn(Buffer.from(source), 3, 3 + content.length)).toBe(spelt);
  });

  it('spells two values two ways and one value one way, whatever the encoding (property)', () => {
    const content = fc.uint8Array({ minLength: 1, maxLength: 9 });
    fc.assert(
      fc.property(content, content, (a, b) => {
        expect(integerHex(a) === integerHex(b)).toBe(valueOf(a) === valueOf(b));
      }),
      { numRuns: 5000, examples: [[Uint8Array.of(0x80), Uint8Array.of(0x00, 0x80)], [Uint8Array.of(0xff), Uint8Array.of(0x00, 0xff)], [Uint8Array.of(0x01), Uint8Array.of(0x00, 0x00, 0x01)]] },
    );
  });

  it('spells a positive serial as before: lower-case hex without leading zero octets (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (magnitude) => {
        const content = Uint8Array.of(0x00, ...magnitude);
        expect(integerHex(content)).toBe(Buffer.from(content).toString('hex').replace(/^(00)+(?=..)/, ''));
      }),
    );
  });

  it('integerContentOfHex writes the minimal two\'s complement content of the value spelt (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (content) => {
        const written = integerContentOfHex(integerHex(content));
        expect(valueOf(written)).toBe(valueOf(content));
        expect(integerHex(written)).toBe(integerHex(content));
        const [first, second] = written;
        const padded = second !== undefined && ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80));
        expect(padded).toBe(false);
      }),
      { numRuns: 2000 },
    );
    expect(Buffer.from(integerContentOfHex('-80')).toString('hex')).toBe('80');
    expect(Buffer.from(integerContentOfHex('80')).toString('hex')).toBe('0080');
    expect(Buffer.from(integerContentOfHex('-81')).toString('hex')).toBe('ff7f');
    expect(Buffer.from(integerContentOfHex('0ABC')).toString('hex')).toBe('0abc');
    for (const bad of ['', '-', '0x80', '8 0', '+80']) expect(() => integerContentOfHex(bad), bad).toThrow(RangeError);
  });
});
