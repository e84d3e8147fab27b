import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareNormalized,
  compareWithEms,
  DEFAULT_FIELDS,
  EmsError,
  FIELD_KINDS,
  normalizeAddress,
  normalizeAs,
  normalizeEmail,
  normalizeName,
  parseChineseNumeral,
  type ComparedFieldResult,
  type ComparisonResult,
  type FieldKind,
} from '../../src/ems/index.js';
import { widthStep } from '../../src/ems/normalize/text-rules.js';
import { applicationWith, EMS_RECORD } from './sample-data.js';

// The walk of 2026-12-01 (docs/decisions.md, "Not done from the walk"): pairs that mean different things but
// normalized equal under the opt-in `normalized` policy. Each case asserts the outcome, under both policies.

function field(result: ComparisonResult, key: string): ComparedFieldResult {
  const f = result.fields.find((x) => x.field.key === key);
  if (!f?.compared) throw new Error(`${key} is not a compared field`);
  return f;
}

/** Compares one field of the sample application under both policies. */
function judge(key: keyof typeof EMS_RECORD, applicant: string, record: string): { strict: ComparedFieldResult; normalized: ComparedFieldResult } {
  const app = applicationWith({ [key]: applicant });
  const rec = { ...EMS_RECORD, [key]: record };
  return {
    strict: field(compareWithEms(app, rec, { policy: 'strict' }), key),
    normalized: field(compareWithEms(app, rec, { policy: 'normalized' }), key),
  };
}

const STREET = '臺北市中正區重慶南路1段122號3樓之1';

describe('postal codes: one side without a code is formatting; two codes must agree', () => {
  it('100 against 103 before the same street is a real difference, cited at the code', () => {
    const { strict, normalized } = judge('facilityAddress', `103${STREET}`, `100${STREET}`);
    for (const r of [strict, normalized]) {
      expect(r.pass).toBe(false);
      expect(r.normalizedEqual).toBe(false);
      expect(r.reason).toEqual({
        code: 'different',
        span: { start: 2, applicant: '3', record: '0' },
        normalizedSpan: { start: 2, applicant: '3', record: '0' },
      });
    }
  });

  it.each([
    ['bracketed against bare', `(100)${STREET}`, `103${STREET}`, '100', '103'],
    ['full-width brackets and digits', `（１００） ${STREET}`, `103${STREET}`, '100', '103'],
    ['3+2 codes', `10048${STREET}`, `10049${STREET}`, '10048', '10049'],
    ['a 3-digit code that is not the 3+2 code’s start', `100${STREET}`, `10348${STREET}`, '100', '10348'],
    ['a 3+2 against a 3+3 code (two schemes: not comparable)', `10048${STREET}`, `100048${STREET}`, '10048', '100048'],
  ])('%s: not equal, the codes kept in the canonical forms', (_why, a, b, codeA, codeB) => {
    const c = compareNormalized('address', a, b);
    expect(c.equal).toBe(false);
    expect(c.left).toBe(`${codeA}${STREET}`);
    expect(c.right).toBe(`${codeB}${STREET}`);
    expect(judge('facilityAddress', a, b).normalized.pass).toBe(false);
  });

  it.each([
    ['a code on one side only', `100${STREET}`, STREET],
    ['a code on the record only', STREET, `(10048)${STREET}`],
    ['the same code, bracketed on one side', `(100)${STREET}`, `100${STREET}`],
    ['a 3-digit code and the 3+2 code it starts', `100${STREET}`, `10048${STREET}`],
    ['a 3-digit code and the 3+3 code it starts', `100${STREET}`, `100006${STREET}`],
  ])('%s stays a formatting difference', (_why, a, b) => {
    const c = compareNormalized('address', a, b);
    expect(c).toEqual({ left: STREET, right: STREET, equal: true, rules: ['postalCode'] });
    const { strict, normalized } = judge('facilityAddress', a, b);
    expect(strict).toMatchObject({ pass: false, reason: { code: 'formattingOnly', rules: ['postalCode'] } });
    expect(normalized).toMatchObject({ pass: true, reason: { code: 'formattingOnly', rules: ['postalCode'] } });
  });

  it('normalizeAddress of one value still drops its code', () => {
    expect(normalizeAddress(`103${STREET}`)).toBe(STREET);
    expect(normalizeAddress(`(100)${STREET}`)).toBe(STREET);
  });
});

describe('width: full/half width is formatting; other compatibility forms are not', () => {
  it.each<[string, FieldKind, string, string]>([
    ['full-width digits', 'address', '重慶南路１段１２２號', '重慶南路1段122號'],
    ['full-width letters', 'id', 'Ｈ５６０２２７０', 'H5602270'],
    ['full-width @ and letters in e-mail', 'email', 'ｓｅｒｖｉｃｅ＠ｇｒｅｅｎｃｈｅｍ.com.tw', 'service@greenchem.com.tw'],
    ['full-width parentheses', 'organizationName', '臺灣綠能（股）公司', '臺灣綠能(股)公司'],
    ['half-width katakana, voiced mark joined', 'text', 'ｶﾞｽ', 'ガス'],
    ['half-width ideographic punctuation', 'text', '｢東京｣｡', '「東京」。'],
    ['full-width yen sign', 'text', '￥100', '¥100'],
    ['full-width macron is the macron, no more', 'text', 'A￣', 'A¯'],
    ['ideographic space', 'name', '王\u3000大明', '王 大明'],
    ['a decomposed accent (canonically equal)', 'name', 'Jose\u0301', 'José'],
    ['a CJK compatibility ideograph (a Big5 duplicate, canonically equal)', 'name', '\uFA0C', '\u5140'],
  ])('%s: equal', (_why, kind, a, b) => {
    expect(compareNormalized(kind, a, b)).toMatchObject({ equal: true, rules: ['width'] });
  });

  it.each<[string, FieldKind, string, string]>([
    ['superscript digit in an address', 'address', '臺北市中正區重慶南路1段122號³樓之1', STREET],
    ['superscript digit in a name', 'name', '王²明', '王2明'],
    ['subscript digit', 'organizationName', 'H₂O公司', 'H2O公司'],
    ['circled digit as a house number', 'address', '重慶南路1段①號', '重慶南路1段1號'],
    ['parenthesized digit', 'address', '重慶南路1段⑴號', '重慶南路1段(1)號'],
    ['Roman numeral', 'address', '重慶南路Ⅲ段', '重慶南路III段'],
    ['vulgar fraction', 'text', '½', '1⁄2'],
    ['square unit', 'text', '100㎡', '100m2'],
    ['ligature in an e-mail', 'email', 'oﬃce@greenchem.com.tw', 'office@greenchem.com.tw'],
    ['mathematical bold digit', 'id', 'H560227𝟎', 'H5602270'],
    ['small-form parentheses', 'organizationName', '臺灣綠能﹙股﹚公司', '臺灣綠能(股)公司'],
    ['parenthesized ideograph', 'organizationName', '臺灣綠能㈱', '臺灣綠能(株)'],
  ])('%s: not equal', (_why, kind, a, b) => {
    expect(compareNormalized(kind, a, b).equal).toBe(false);
  });

  it('letter case is folded for A-Z only: ß, ı and ſ are not the ASCII letters their upper case maps to', () => {
    for (const [kind, a, b] of [
      ['id', 'E56001ß', 'E56001SS'],
      ['id', 'ıD5600123', 'ID5600123'],
      ['id', 'E5600ſ23', 'E5600S23'],
    ] as const) {
      expect(compareNormalized(kind, a, b).equal, `${a} ${b}`).toBe(false);
    }
    expect(compareNormalized('id', 'e5600123', 'E5600123').equal).toBe(true);
    expect(compareNormalized('email', 'Service@Example.com.tw', 'service@example.com.tw').equal).toBe(true);
  });

  it('a digit and a Chinese numeral together are not one number; a space between Latin letters in an address stays', () => {
    for (const [a, b] of [
      [`臺北市中正區重慶南路1段2十號`, '臺北市中正區重慶南路1段210號'],
      [`臺北市中正區重慶南路1段2十號`, '臺北市中正區重慶南路1段20號'],
      [`臺北市中正區重慶南路1段1十巷3號`, '臺北市中正區重慶南路1段110巷3號'],
      ['新竹市東區科學園區力行路1號A B棟', '新竹市東區科學園區力行路1號AB棟'],
    ] as const) {
      expect(compareNormalized('address', a, b).equal, `${a} ${b}`).toBe(false);
    }
    expect(compareNormalized('address', '臺北市中正區重慶南路1段二十號', '臺北市中正區重慶南路1段20號').equal).toBe(true);
    expect(compareNormalized('address', '新竹市東區科學園區力行路1號 A棟', '新竹市東區科學園區力行路1號A棟').equal).toBe(true);
  });

  it('a superscript floor fails the field under normalized too', () => {
    const { strict, normalized } = judge('facilityAddress', '臺北市中正區重慶南路1段122號³樓之1', STREET);
    expect(strict).toMatchObject({ pass: false, normalizedEqual: false, reason: { code: 'different' } });
    expect(normalized).toMatchObject({ pass: false, normalizedEqual: false, reason: { code: 'different', normalizedSpan: { start: 16, applicant: '³', record: '3' } } });
  });

  it('folds exactly U+3000 and the Halfwidth and Fullwidth Forms block; everything else is only composed (NFC)', () => {
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCharCode(cp);
      const folded = widthStep.apply(c);
      const widthForm = cp === 0x3000 || (cp >= 0xff01 && cp <= 0xffee && c.normalize('NFKD') !== c);
      if (widthForm) {
        // The full/half-width counterpart, one character, no further compatibility decomposition than NFKC's.
        expect(folded, cp.toString(16)).not.toBe(c);
        expect(folded.normalize('NFKD'), cp.toString(16)).toBe(c.normalize('NFKD'));
      } else {
        expect(folded, cp.toString(16)).toBe(c.normalize('NFC'));
      }
    }
    expect(widthStep.apply('１')).toBe('1');
    expect(widthStep.apply('ｚ')).toBe('z');
    expect(widthStep.apply('\u3000')).toBe(' ');
  });

  it('never folds further than NFKC, and is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), (a, b) => {
        for (const s of [a, b, a + b]) {
          const once = widthStep.apply(s);
          expect(once.normalize('NFKC')).toBe(s.normalize('NFKC'));
          expect(widthStep.apply(once)).toBe(once);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('台/臺: the same place in an address or an organisation’s name, not the same person', () => {
  it('the default field set judges the responsible person and the contact as person names, the company as an organisation', () => {
    expect(DEFAULT_FIELDS.map((f) => [f.key, f.kind])).toEqual([
      ['controlNumber', 'id'],
      ['companyName', 'organizationName'],
      ['responsiblePerson', 'name'],
      ['facilityAddress', 'address'],
      ['facilityEmail', 'email'],
      ['mailingAddress', 'address'],
      ['contactName', 'name'],
      ['contactEmail', 'email'],
    ]);
    expect(FIELD_KINDS).toEqual(['id', 'name', 'address', 'email', 'text', 'organizationName']);
  });

  it('王台生 against 王臺生 is a different person under both policies', () => {
    const { strict, normalized } = judge('responsiblePerson', '王台生', '王臺生');
    for (const r of [strict, normalized]) {
      expect(r).toMatchObject({ pass: false, normalizedEqual: false });
      expect(r.reason).toEqual({
        code: 'different',
        span: { start: 1, applicant: '台', record: '臺' },
        normalizedSpan: { start: 1, applicant: '台', record: '臺' },
      });
    }
    expect(compareNormalized('name', '王台生', '王臺生').equal).toBe(false);
    expect(normalizeName('王 台生')).toBe('王台生');
  });

  it('台北/臺北 in an address and 台灣/臺灣 in a company name stay formatting', () => {
    const address = judge('facilityAddress', '台北市中正區重慶南路1段122號3樓之1', STREET);
    expect(address.normalized).toMatchObject({ pass: true, reason: { code: 'formattingOnly', rules: ['taiTai'] } });
    const company = judge('companyName', '台灣綠能化學股份有限公司', EMS_RECORD.companyName);
    expect(company.normalized).toMatchObject({ pass: true, reason: { code: 'formattingOnly', rules: ['taiTai'] } });
    expect(company.strict).toMatchObject({ pass: false, reason: { code: 'formattingOnly', rules: ['taiTai'] } });
    expect(normalizeAs('organizationName', '台灣 綠能（股）Ltd')).toBe('臺灣綠能(股)Ltd');
  });
});

describe('spaces: a space between two numbers separates them', () => {
  it('1 0號 against 10號 is a real difference', () => {
    const { strict, normalized } = judge('facilityAddress', '臺北市中正區重慶南路1段1 0號', '臺北市中正區重慶南路1段10號');
    for (const r of [strict, normalized]) {
      expect(r).toMatchObject({ pass: false, normalizedEqual: false });
      expect(r.reason).toEqual({
        code: 'different',
        span: { start: 13, applicant: ' ', record: '' },
        normalizedSpan: { start: 13, applicant: ' ', record: '' },
      });
    }
  });

  it.each<[string, FieldKind, string, string]>([
    ['ideographic space between full-width digits', 'address', '１\u3000０號', '1 0號'],
    ['several spaces between digits become one', 'address', '1 \t 0號', '1 0號'],
    ['between Chinese numerals in an address', 'address', '一 二號', '一 2號'],
    ['between digits in an organisation’s name', 'organizationName', '台 12 3 公司', '臺12 3公司'],
    ['between digits in text', 'text', '12 3', '12 3'],
    ['between digits in a person’s name', 'name', '李 1 2', '李1 2'],
  ])('%s: kept as one space', (_why, kind, input, expected) => {
    expect(normalizeAs(kind, input)).toBe(expected);
  });

  it.each<[string, FieldKind, string, string]>([
    ['before a unit', 'address', '122 號', '122號'],
    ['after a postal code', 'address', `100 ${STREET}`, STREET],
    ['between a number and F', 'address', '122號3 F', '122號3樓'],
    ['around a dash', 'address', '10 - 1號', '10之1號'],
    ['zero-width between digits (invisible: nothing to separate)', 'address', '1\u200B0號', '10號'],
    ['grouping inside an identifier', 'id', 'H560 2270', 'H5602270'],
    ['inside an e-mail address', 'email', 'a1 2@b.tw', 'a12@b.tw'],
    ['陸 一平: numeral-like characters in a person’s name', 'name', '陸 一平', '陸一平'],
  ])('%s: removed', (_why, kind, input, expected) => {
    expect(normalizeAs(kind, input)).toBe(expected);
  });

  it('1  0號 against 1 0號 is only spacing', () => {
    expect(compareNormalized('address', '1  0號', '1 0號')).toEqual({ left: '1 0號', right: '1 0號', equal: true, rules: ['spaces'] });
  });
});

describe('spaces: a space between two Latin letters separates words', () => {
  it('Ann Abel against AnnaBel is a different person under both policies', () => {
    const { strict, normalized } = judge('responsiblePerson', 'Ann Abel', 'AnnAbel');
    for (const r of [strict, normalized]) {
      expect(r).toMatchObject({ pass: false, normalizedEqual: false });
      expect(r.reason).toMatchObject({ code: 'different', normalizedSpan: { start: 3, applicant: ' ', record: '' } });
    }
  });

  it.each<[string, FieldKind, string, string]>([
    ['a person’s name', 'name', 'Ann Abel', 'Ann Abel'],
    ['several spaces, tabs or an ideographic space become one', 'name', 'Ann \t\u3000 Abel', 'Ann Abel'],
    ['full-width letters', 'name', 'Ａｎｎ　Ａｂｅｌ', 'Ann Abel'],
    ['letters with accents', 'name', 'José  Ñúñez', 'José Ñúñez'],
    ['an organisation’s name', 'organizationName', 'ABC  Trading 台灣', 'ABC Trading臺灣'],
  ])('%s: kept as one space', (_why, kind, input, expected) => {
    expect(normalizeAs(kind, input)).toBe(expected);
  });

  it.each<[string, FieldKind, string, string]>([
    ['between Chinese characters', 'name', '王 小明', '王小明'],
    ['between a Latin letter and a Chinese character', 'name', 'Ann 王', 'Ann王'],
    ['between a letter and a digit (Room 5 is Room5)', 'text', 'Room 5', 'Room5'],
    ['zero-width between letters (invisible)', 'name', 'Ann\u200BAbel', 'AnnAbel'],
    ['leading and trailing', 'name', ' Ann Abel ', 'Ann Abel'],
    ['inside an identifier', 'id', 'ab c', 'ABC'],
  ])('%s: removed', (_why, kind, input, expected) => {
    expect(normalizeAs(kind, input)).toBe(expected);
  });

  it('Ann  Abel against Ann Abel is only spacing', () => {
    expect(compareNormalized('name', 'Ann  Abel', 'Ann Abel')).toEqual({ left: 'Ann Abel', right: 'Ann Abel', equal: true, rules: ['spaces'] });
  });
});

describe('Chinese numerals before 之', () => {
  it.each([
    ['五之一號', '5之1號'],
    ['五之1號', '5之1號'],
    ['十五之三號', '15之3號'],
    ['五之一樓', '5之1樓'],
    ['臺北市重慶南路一段五之二號三樓', '臺北市重慶南路1段5之2號3樓'],
  ])('%s reads as %s', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
    expect(compareNormalized('address', input, expected)).toMatchObject({ equal: true, rules: ['numerals'] });
  });

  it('passes 五之一號 against 5之1號 under normalized only', () => {
    const { strict, normalized } = judge('facilityAddress', '臺北市中正區重慶南路1段五之一號', '臺北市中正區重慶南路1段5之1號');
    expect(strict).toMatchObject({ pass: false, reason: { code: 'formattingOnly', rules: ['numerals'] } });
    expect(normalized).toMatchObject({ pass: true, reason: { code: 'formattingOnly', rules: ['numerals'] } });
  });

  it.each([
    ['no unit after the number that follows 之', '五之一', '五之一'],
    ['a street name', '五之路', '五之路'],
    ['之 followed by a unit with no number', '五之號', '五之號'],
    ['a second 之 before the unit (only the inner pair is read)', '五之一之二號', '五之1之2號'],
    ['段 is not numbered with 之', '五之一段', '五之1段'],
  ])('leaves a numeral before 之 alone when %s', (_why, input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });
});

describe('a dash between two numbers is 之 only when it cannot be a range', () => {
  it('10-12號 against 10之12號 is a real difference (10-12 may be 10 to 12)', () => {
    const { normalized } = judge('facilityAddress', '臺北市中正區重慶南路1段10-12號', '臺北市中正區重慶南路1段10之12號');
    expect(normalized).toMatchObject({ pass: false, normalizedEqual: false, reason: { code: 'different' } });
    expect(normalizeAddress('10-12號')).toBe('10-12號');
  });

  it.each([
    ['10-1號', '10之1號'],
    ['12-12號', '12之12號'],
    ['122-010號', '122之010號'],
    ['10－１號', '10之1號'],
    ['3樓-12', '3樓之12'],
    ['10號-12', '10號之12'],
    ['3-5樓', '3-5樓'],
    ['10-012號', '10-012號'],
    ['1-2-1號', '1-2之1號'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });
});

describe('malformed Chinese numerals are not read', () => {
  it.each(['二百零', '一百零', '十零', '一千零', '二十零', '一百零十', '一千零五百', '一千五十', '一十零五', '〇五', '零五', '一百零零五'])(
    '%s is not a numeral',
    (text) => {
      expect(parseChineseNumeral(text)).toBeUndefined();
    },
  );

  it.each([
    ['一千零十', 1010],
    ['一千零五十', 1050],
    ['一千零五', 1005],
    ['一百零五', 105],
    ['一百五', 150],
    ['一〇', 10],
    ['零', 0],
    ['二〇五', 205],
  ])('%s is still %i', (text, value) => {
    expect(parseChineseNumeral(text)).toBe(value);
  });

  it('二百零號 is left as written, so it does not equal 200號', () => {
    expect(normalizeAddress('二百零號')).toBe('二百零號');
    expect(compareNormalized('address', '二百零號', '200號').equal).toBe(false);
    expect(compareNormalized('address', '二百零號', '二百號').equal).toBe(false);
    expect(normalizeAddress('二百號')).toBe('200號');
  });
});

describe('bad input to the exported normalizers is a typed error', () => {
  function codeOf(run: () => unknown): string | undefined {
    try {
      run();
    } catch (err) {
      expect(err).toBeInstanceOf(EmsError);
      return (err as EmsError).code;
    }
    return undefined;
  }

  it.each<[string, () => unknown, string]>([
    ['normalizeAs with an unknown kind', () => normalizeAs('adress' as FieldKind, 'x'), 'INVALID_FIELD_DEFINITION'],
    ['normalizeAs with a kind from the prototype', () => normalizeAs('toString' as FieldKind, 'x'), 'INVALID_FIELD_DEFINITION'],
    ['compareNormalized with an unknown kind', () => compareNormalized('nam' as FieldKind, 'a', 'b'), 'INVALID_FIELD_DEFINITION'],
    ['normalizeAs with a number', () => normalizeAs('address', 5 as unknown as string), 'NOT_A_STRING'],
    ['normalizeAddress with null', () => normalizeAddress(null as unknown as string), 'NOT_A_STRING'],
    ['normalizeEmail with undefined', () => normalizeEmail(undefined as unknown as string), 'NOT_A_STRING'],
    ['compareNormalized with an object', () => compareNormalized('name', 'a', {} as unknown as string), 'NOT_A_STRING'],
    ['parseChineseNumeral with a number', () => parseChineseNumeral(5 as unknown as string), 'NOT_A_STRING'],
  ])('%s', (_why, run, code) => {
    expect(codeOf(run)).toBe(code);
  });
});

describe('strict is untouched: it passes exactly the values equal after trimming', () => {
  const pairs: [keyof typeof EMS_RECORD, string, string][] = [
    ['facilityAddress', `103${STREET}`, `100${STREET}`],
    ['facilityAddress', `100${STREET}`, STREET],
    ['facilityAddress', '臺北市中正區重慶南路1段1 0號', '臺北市中正區重慶南路1段10號'],
    ['facilityAddress', '臺北市中正區重慶南路1段五之一號', '臺北市中正區重慶南路1段5之1號'],
    ['facilityAddress', '臺北市中正區重慶南路1段10-12號', '臺北市中正區重慶南路1段10之12號'],
    ['responsiblePerson', '王台生', '王臺生'],
    ['responsiblePerson', '王²明', '王2明'],
    ['companyName', '臺灣綠能（股）', '臺灣綠能(股)'],
    ['companyName', `  ${EMS_RECORD.companyName}\u3000`, EMS_RECORD.companyName],
  ];
  it.each(pairs)('%s: %j against %j', (key, a, b) => {
    expect(judge(key, a, b).strict.pass).toBe(a.trim() === b.trim());
  });
});
