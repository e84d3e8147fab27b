import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChineseNumeral } from '../../src/ems/index.js';

describe('parseChineseNumeral', () => {
  it.each([
    ['一', 1],
    ['二', 2],
    ['兩', 2],
    ['十', 10],
    ['十五', 15],
    ['二十', 20],
    ['二十三', 23],
    ['一百', 100],
    ['一百零五', 105],
    ['一百五', 150],
    ['一百五十', 150],
    ['三百二十一', 321],
    ['一千二', 1200],
    ['一千零二十', 1020],
    ['二〇五', 205],
    ['一二三', 123],
    ['零', 0],
    ['貳拾參', 23],
    ['壹佰零伍', 105],
  ])('%s = %i', (text, value) => {
    expect(parseChineseNumeral(text)).toBe(value);
  });

  it('reads up to 15 digit-by-digit characters exactly, and no more', () => {
    expect(parseChineseNumeral('九'.repeat(15))).toBe(999_999_999_999_999);
    expect(parseChineseNumeral('一'.repeat(16))).toBeUndefined();
  });

  it.each(['', '十十', '百', '千', '二三十', '十百', '零十', '五a', '一百零零五'])('%j is not a numeral', (text) => {
    expect(parseChineseNumeral(text)).toBeUndefined();
  });

  it('reads back what a positional writer writes for 1..9999', () => {
    const digits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    const write = (n: number): string => {
      const units = ['千', '百', '十', ''];
      const ds = String(n).padStart(4, '0').split('').map(Number);
      let out = '';
      let zero = false;
      ds.forEach((d, i) => {
        if (d === 0) {
          if (out !== '') zero = true;
          return;
        }
        if (zero) out += '零';
        zero = false;
        out += `${d === 1 && i === 2 && out === "" ? "" : (digits[d] ?? "")}${units[i] ?? ""}`;
      });
      return out;
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), (n) => {
        expect(parseChineseNumeral(write(n))).toBe(n);
      }),
    );
  });
});
