import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareNormalized,
  FIELD_KINDS,
  normalizeAddress,
  normalizeAs,
  normalizeEmail,
  normalizeName,
  type FieldKind,
} from '../../src/ems/index.js';
import { PIPELINES, stepsForPair } from '../../src/ems/normalize/pipeline.js';

describe('address normalization, one rule at a time', () => {
  it.each([
    ['width: full-width digits and letters (NFKC)', '重慶南路１段１２２號', '重慶南路1段122號'],
    ['width: full-width hyphen', '１０－１號', '10之1號'],
    ['spaces: inner, ideographic and zero-width', '臺北市 中正區\u3000重慶南路\u200B1段', '臺北市中正區重慶南路1段'],
    ['taiTai: 台 → 臺', '台北市中正區', '臺北市中正區'],
    ['taiTai: also inside names of places', '台中市西屯區台灣大道3段99號', '臺中市西屯區臺灣大道3段99號'],
    ['postalCode: 3 digits', '100臺北市中正區', '臺北市中正區'],
    ['postalCode: 5 digits (3+2)', '10048臺北市中正區', '臺北市中正區'],
    ['postalCode: 6 digits (3+3)', '100006臺北市中正區', '臺北市中正區'],
    ['postalCode: bracketed', '(100)臺北市中正區', '臺北市中正區'],
    ['postalCode: full-width brackets and space', '（１００） 臺北市', '臺北市'],
    ['numerals: 段', '重慶南路一段', '重慶南路1段'],
    ['numerals: 巷/弄/號', '中山路十五巷二弄一百零五號', '中山路15巷2弄105號'],
    ['numerals: 樓', '五樓', '5樓'],
    ['numerals: after 之', '5樓之三', '5樓之3'],
    ['numerals: 號之', '10號之一', '10號之1'],
    ['numerals: digit-by-digit', '二〇五號', '205號'],
    ['floor: 3F', '122號3F', '122號3樓'],
    ['floor: lower-case f', '122號3f', '122號3樓'],
    ['floor: full-width Ｆ', '122號３Ｆ', '122號3樓'],
    ['hyphen: house number', '122-1號', '122之1號'],
    ['hyphen: after 樓', '3樓-1', '3樓之1'],
    ['hyphen: en dash', '122–1號', '122之1號'],
    ['floor + hyphen', '3F-1', '3樓之1'],
    ['all together', '100 台北市中正區重慶南路一段１２２號3F-1', '臺北市中正區重慶南路1段122號3樓之1'],
  ])('%s', (_rule, input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it.each([
    ['numerals only before an address unit', '三民路', '三民路'],
    ['numerals in a road name stay', '八德路三段', '八德路3段'],
    ['an ill-formed numeral is left alone', '十十號', '十十號'],
    ['F after a letter is not a floor', 'ABF大樓', 'ABF大樓'],
    ['F starting a word is not a floor', '1FOO', '1FOO'],
    ['a dash in a range of letters is kept', 'A-B棟', 'A-B棟'],
    ['digits before a unit are not a postal code', '100號', '100號'],
    ['seven digits are not a postal code', '1000000臺北市', '1000000臺北市'],
    ['a postal code later in the value stays', '臺北市100', '臺北市100'],
  ])('leaves other text alone: %s', (_why, input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });
});

describe('hostile input', () => {
  it('stays linear and sane on long runs of the characters the rules look at', () => {
    const start = Date.now();
    expect(normalizeAddress(`${'一'.repeat(100_000)}號`)).toBe(`${'一'.repeat(100_000)}號`);
    expect(normalizeAddress(`${'1-'.repeat(50_000)}1`)).toBe(`${'1之'.repeat(50_000)}1`);
    expect(normalizeAddress('3F'.repeat(50_000))).toBe('3樓'.repeat(50_000));
    normalizeAddress(' \u3000'.repeat(100_000));
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

describe('other kinds', () => {
  it('email: NFKC, no spaces, lower case', () => {
    expect(normalizeEmail(' Service＠GreenChem.com.TW ')).toBe('service@greenchem.com.tw');
  });

  it('name (a person’s): full/half width, no spaces; 台 kept apart from 臺; case kept', () => {
    expect(normalizeName('台 大明 Ｌｅｅ')).toBe('台大明Lee');
  });

  it('organizationName: as a name, and 臺 for 台', () => {
    expect(normalizeAs('organizationName', '台灣 綠能（股）Ltd')).toBe('臺灣綠能(股)Ltd');
  });

  it('id: NFKC, no spaces, upper case', () => {
    expect(normalizeAs('id', 'ｈ５６０ 2270')).toBe('H5602270');
  });

  it('text: only width and spaces', () => {
    expect(normalizeAs('text', '台 ３F')).toBe('台3F');
  });

  it('address rules do not apply to names', () => {
    expect(normalizeName('一段')).toBe('一段');
  });
});

describe('normalization is idempotent (property)', () => {
  // Strings built from the characters the rules look at, so the rules fire
  // often and in combination, plus arbitrary Unicode.
  const addressChars = fc.constantFrom(
    ...'0123456789０１２３４５６７８９一二三四五六七八九十百千零〇兩段巷弄號樓鄰之台臺FfＦ-－–—() （）[]【】 \u3000北市區路AaB',
  );
  // Pieces that make postal codes, 之 numbers and ranges likely too.
  const addressPieces = fc.constantFrom('100', '103', '10048', '(100)', '臺北市', '五之一號', '10-12', '1 0', '二百零號');
  const addressLike = fc.array(fc.oneof(addressChars, addressPieces), { maxLength: 30 }).map((cs) => cs.join(''));
  const anyText = fc.string({ unit: 'grapheme', maxLength: 30 });

  it.each(FIELD_KINDS)('for kind %s', (kind: FieldKind) => {
    fc.assert(
      fc.property(fc.oneof(addressLike, anyText), (s) => {
        const once = normalizeAs(kind, s);
        expect(normalizeAs(kind, once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('compareNormalized agrees with normalizeAs, unless two postal codes disagree', () => {
    fc.assert(
      fc.property(addressLike, addressLike, (a, b) => {
        const c = compareNormalized('address', a, b);
        expect(c.equal).toBe(c.left === c.right);
        if (stepsForPair('address', a, b) === PIPELINES.address) {
          expect(c.left).toBe(normalizeAddress(a));
          expect(c.right).toBe(normalizeAddress(b));
        } else {
          // Both carry codes that disagree: never equal, and the codes are what differs up front.
          expect(c.equal).toBe(false);
          expect(c.left).toMatch(/^\d{3}/);
          expect(c.right).toMatch(/^\d{3}/);
        }
        // Comparing is never more lenient than normalizing each value alone.
        if (normalizeAddress(a) !== normalizeAddress(b)) expect(c.equal).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('compareNormalized cites the rules that matter', () => {
  it('cites only 台/臺 when that is the only difference, even with shared spaces', () => {
    const c = compareNormalized('address', '台北市 中正區', '臺北市 中正區');
    expect(c.equal).toBe(true);
    expect(c.rules).toEqual(['taiTai']);
  });

  it('cites each rule needed, in pipeline order', () => {
    const c = compareNormalized('address', '100 台北市重慶南路一段122號3F-1', '臺北市重慶南路1段122號3樓之1');
    expect(c.equal).toBe(true);
    expect(c.rules).toEqual(['spaces', 'postalCode', 'taiTai', 'floor', 'numerals', 'hyphen']);
  });

  it('cites letter case for e-mail', () => {
    expect(compareNormalized('email', 'A@B.TW', 'a@b.tw').rules).toEqual(['letterCase']);
  });

  it('reports unequal forms for a real difference', () => {
    const c = compareNormalized('address', '臺北市中正區重慶南路1段12號', '臺北市中正區重慶南路1段122號');
    expect(c.equal).toBe(false);
  });
});
