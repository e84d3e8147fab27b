import fc from 'fast-check';
import { isBan, isCdcNumber, isIdCardNumber } from 'taiwan-id-validator';
import { describe, expect, it } from 'vitest';
import {
  normalizeControlNumber,
  validateBusinessId,
  validateCardNumber,
  validateControlNumber,
  validateEmail,
  validateNationalId,
  validateResidentId,
} from '../../src/ems/index.js';

function reasonOf(r: { valid: boolean; reason?: string }): string | null {
  return r.valid ? null : (r.reason ?? '?');
}

describe('validateControlNumber (管制編號)', () => {
  it.each([
    ['H5602270', 'H5602270'],
    ['A01AB123', 'A01AB123'],
    [' h5602270 ', 'H5602270'],
    ['Ｈ５６０２２７０', 'H5602270'],
  ])('accepts %j as %s', (input, value) => {
    expect(validateControlNumber(input)).toEqual({ valid: true, value });
    expect(normalizeControlNumber(input)).toBe(value);
  });

  it.each([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    ['H560227', 'INVALID_LENGTH'],
    ['H56022701', 'INVALID_LENGTH'],
    ['15602270', 'INVALID_FORMAT'],
    ['HA602270', 'INVALID_FORMAT'],
    ['H56022-0', 'INVALID_FORMAT'],
    ['H 5602270', 'INVALID_LENGTH'],
    [12345678, 'NOT_A_STRING'],
    [null, 'NOT_A_STRING'],
    ['H'.repeat(10_000), 'INVALID_LENGTH'],
  ])('rejects %j with %s', (input, reason) => {
    const r = validateControlNumber(input);
    expect(reasonOf(r)).toBe(reason);
    expect(r.valid || r.message.length > 0).toBe(true);
    expect(normalizeControlNumber(input)).toBeUndefined();
  });
});

describe('validateBusinessId (統一編號)', () => {
  it.each(['04595252', '10458570', '04595257', '10458575', '10458574', '22099131'])(
    'accepts the published example %s under the current rule',
    (id) => {
      expect(validateBusinessId(id).valid).toBe(true);
    },
  );

  it('applies the 7th-digit-is-7 exception (sum or sum + 1)', () => {
    // 10458574: digit sum 29; 29 + 1 = 30 is divisible.
    expect(validateBusinessId('10458574').valid).toBe(true);
    expect(validateBusinessId('10458574', { rule: 'legacy' }).valid).toBe(true);
    // 10458563: sum 24, one short of divisible, but the 7th digit is 6.
    expect(reasonOf(validateBusinessId('10458563'))).toBe('INVALID_CHECKSUM');
  });

  it('distinguishes the current /5 rule from the legacy /10 rule', () => {
    // 04595252: sum 35, divisible by 5 but not by 10.
    expect(validateBusinessId('04595252').valid).toBe(true);
    expect(reasonOf(validateBusinessId('04595252', { rule: 'legacy' }))).toBe('INVALID_CHECKSUM');
    // 04595257: sum 40, valid under both.
    expect(validateBusinessId('04595257', { rule: 'legacy' }).valid).toBe(true);
  });

  it.each([
    ['1234567', 'INVALID_LENGTH'],
    ['123456789', 'INVALID_LENGTH'],
    ['1234567A', 'INVALID_CHARACTER'],
    ['12345678', 'INVALID_CHECKSUM'],
    ['', 'EMPTY'],
    [4595252, 'NOT_A_STRING'],
  ])('rejects %j with %s', (input, reason) => {
    expect(reasonOf(validateBusinessId(input))).toBe(reason);
  });

  it('reads full-width digits', () => {
    expect(validateBusinessId('０４５９５２５２')).toEqual({ valid: true, value: '04595252' });
  });

  it('refuses options it would misread, naming the option, whatever the input (rule: "Legacy" was read as current)', () => {
    // 04595252 is valid under current only: 'Legacy' accepted it.
    expect(() => validateBusinessId('04595252', { rule: 'Legacy' as never })).toThrow(
      new RangeError('validateBusinessId: option rule must be "current" or "legacy" (or left out for current), not "Legacy"'),
    );
    expect(() => validateBusinessId('', { rule: 10 as never })).toThrow(/option rule must be .*, not 10$/);
    expect(() => validateBusinessId('04595252', { rules: 'legacy' } as never)).toThrow(new RangeError('validateBusinessId: "rules" is not an option (they are rule)'));
    for (const [options, shown] of [[5, '5'], [null, 'null'], ['legacy', 'a string']] as const) {
      expect(() => validateBusinessId('04595252', options as never)).toThrow(new RangeError(`validateBusinessId: options must be an object or left out, not ${shown}`));
    }
    expect(validateBusinessId('04595252', { rule: undefined }).valid).toBe(true);
  });

  it('agrees with taiwan-id-validator on random numbers, under both rules', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{8}$/), (id) => {
        expect(validateBusinessId(id).valid).toBe(isBan(id));
        expect(validateBusinessId(id, { rule: 'legacy' }).valid).toBe(isBan(id, { applyOldRules: true }));
      }),
      { numRuns: 5000 },
    );
  });
});

// Every check digit for a 9-character stem, so about a tenth of the
// generated values are valid and both outcomes get exercised.
const personalIdCandidates = (second: fc.Arbitrary<string>): fc.Arbitrary<string[]> =>
  fc
    .tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), second, fc.stringMatching(/^[0-9]{7}$/))
    .map(([a, b, rest]) => Array.from({ length: 10 }, (_, d) => `${a}${b}${rest}${d}`));

describe('validateNationalId (身分證字號)', () => {
  it.each(['A123456789', 'F131104093', 'A226812638'])('accepts %s', (id) => {
    expect(validateNationalId(id)).toEqual({ valid: true, value: id });
  });

  it('accepts lower case and full width, returning the normalized value', () => {
    expect(validateNationalId(' ａ１２３４５６７８９')).toEqual({ valid: true, value: 'A123456789' });
  });

  it.each([
    ['A123456788', 'INVALID_CHECKSUM'],
    ['A323456789', 'INVALID_SECOND_CHARACTER'],
    ['A823456789', 'INVALID_SECOND_CHARACTER'],
    ['1123456789', 'INVALID_AREA_LETTER'],
    ['A12345678', 'INVALID_LENGTH'],
    ['A12345678X', 'INVALID_CHARACTER'],
    ['', 'EMPTY'],
    [undefined, 'NOT_A_STRING'],
  ])('rejects %j with %s', (input, reason) => {
    expect(reasonOf(validateNationalId(input))).toBe(reason);
  });

  it('agrees with taiwan-id-validator (national IDs only)', () => {
    fc.assert(
      fc.property(personalIdCandidates(fc.constantFrom('1', '2')), (ids) => {
        for (const id of ids) {
          expect(validateNationalId(id).valid).toBe(isIdCardNumber(id, { nationalId: true, uiNumber: false }));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('validateResidentId (居留證/統一證號)', () => {
  it('accepts new and old formats and says which', () => {
    expect(validateResidentId('A800000014')).toEqual({ valid: true, value: 'A800000014', format: 'new' });
    expect(validateResidentId('AB23456789')).toEqual({ valid: true, value: 'AB23456789', format: 'old' });
  });

  it.each([
    ['A800000015', 'INVALID_CHECKSUM'],
    ['AB23456788', 'INVALID_CHECKSUM'],
    ['A123456789', 'INVALID_SECOND_CHARACTER'],
    ['AE23456789', 'INVALID_SECOND_CHARACTER'],
    ['A8000000', 'INVALID_LENGTH'],
  ])('rejects %j with %s', (input, reason) => {
    expect(reasonOf(validateResidentId(input))).toBe(reason);
  });

  it('agrees with taiwan-id-validator on new-format numbers', () => {
    fc.assert(
      fc.property(personalIdCandidates(fc.constantFrom('8', '9')), (ids) => {
        for (const id of ids) {
          expect(validateResidentId(id).valid).toBe(
            isIdCardNumber(id, { nationalId: false, uiNumber: { oldFormat: false, newFormat: true } }),
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with taiwan-id-validator on old-format numbers', () => {
    fc.assert(
      fc.property(personalIdCandidates(fc.constantFrom('A', 'B', 'C', 'D')), (ids) => {
        for (const id of ids) {
          expect(validateResidentId(id).valid).toBe(
            isIdCardNumber(id, { nationalId: false, uiNumber: { oldFormat: true, newFormat: false } }),
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with taiwan-id-validator on arbitrary 10-character values', () => {
    const chars = fc.constantFrom(...'ABCDEZ0123456789');
    fc.assert(
      fc.property(fc.array(chars, { minLength: 10, maxLength: 10 }), (cs) => {
        const id = cs.join('');
        const mine = validateNationalId(id).valid || validateResidentId(id).valid;
        expect(mine).toBe(isIdCardNumber(id));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('validateCardNumber (自然人憑證卡號)', () => {
  it('accepts 2 letters and 14 digits', () => {
    expect(validateCardNumber('TP03000012345678')).toEqual({ valid: true, value: 'TP03000012345678' });
    expect(validateCardNumber(' tp03000012345678 ').valid).toBe(true);
  });

  it.each([
    ['TP0300001234567', 'INVALID_LENGTH'],
    ['T103000012345678', 'INVALID_FORMAT'],
    ['TP0300001234567X', 'INVALID_FORMAT'],
    ['', 'EMPTY'],
  ])('rejects %j with %s', (input, reason) => {
    expect(reasonOf(validateCardNumber(input))).toBe(reason);
  });

  it('agrees with taiwan-id-validator on normalized input', () => {
    const chars = fc.constantFrom(...'ABXYZ0123456789');
    fc.assert(
      fc.property(fc.array(chars, { minLength: 14, maxLength: 18 }), (cs) => {
        const v = cs.join('');
        expect(validateCardNumber(v).valid).toBe(isCdcNumber(v));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('validateEmail', () => {
  it.each(['service@greenchem.com.tw', 'a.b+tag@example.org', 'x@臺灣.tw', 'Service@Example.COM'])('accepts %s', (e) => {
    expect(validateEmail(e).valid).toBe(true);
  });

  it.each([
    ['service.greenchem.com.tw', 'MISSING_AT'],
    ['@example.com', 'INVALID_LOCAL_PART'],
    ['a..b@example.com', 'INVALID_LOCAL_PART'],
    ['.a@example.com', 'INVALID_LOCAL_PART'],
    ['a b@example.com', 'INVALID_LOCAL_PART'],
    [`${'a'.repeat(65)}@example.com`, 'INVALID_LOCAL_PART'],
    ['a@localhost', 'INVALID_DOMAIN'],
    ['a@example', 'INVALID_DOMAIN'],
    ['a@-example.com', 'INVALID_DOMAIN'],
    ['a@example..com', 'INVALID_DOMAIN'],
    ['a@1.2.3.4', 'INVALID_DOMAIN'],
    ['a@example.c', 'INVALID_DOMAIN'],
    [`a@${'b'.repeat(250)}.tw`, 'INVALID_LENGTH'],
    ['', 'EMPTY'],
  ])('rejects %j with %s', (input, reason) => {
    expect(reasonOf(validateEmail(input))).toBe(reason);
  });
});

describe('width folding only: other compatibility forms are not digits or letters', () => {
  // NFKC would read each of these as the plain identifier and call it valid; what was typed is not that identifier.
  it.each<[string, () => { valid: boolean; reason?: string; value: string }, string]>([
    ['a superscript 9 in a national ID', () => validateNationalId('A12345678⁹'), 'A12345678⁹'],
    ['a circled digit in a resident ID', () => validateResidentId('A8①0000001'), 'A8①0000001'],
    ['a subscript in a business ID', () => validateBusinessId('0415227₁'), '0415227₁'],
    ['a ligature in an e-mail address', () => validateEmail('ﬁle@example.org'), 'ﬁle@example.org'],
    ['a Roman numeral in a control number', () => validateControlNumber('HⅣ602270'), 'HⅣ602270'],
  ])('%s is refused, and the value is kept as typed', (_why, validate, kept) => {
    const r = validate();
    expect(r.valid).toBe(false);
    expect(r.value.toUpperCase()).toBe(kept.toUpperCase());
  });

  it('a host name with a compatibility character is refused, not stored as typed (IDNA would read it as the plain one)', () => {
    for (const email of ['user@ex²ample.com', 'user@ex②.com', 'user@ﬁle.org']) {
      expect(validateEmail(email), email).toMatchObject({ valid: false, reason: 'INVALID_DOMAIN' });
    }
    expect(validateEmail('user@臺灣.tw')).toMatchObject({ valid: true });
  });

  it('upper-cases a-z only: letters whose upper case is ASCII (ß, ı, ſ, ﬁ) are refused, not read as SS, I, S, FI', () => {
    expect(validateControlNumber('E56001ß').valid).toBe(false);
    expect(validateControlNumber('E56001SS').valid).toBe(true);
    expect(validateNationalId('ı123456781').valid).toBe(false);
    expect(validateCardNumber('ſT03000012345678').valid).toBe(false);
    expect(validateNationalId('a123456789')).toEqual({ valid: true, value: 'A123456789' });
  });

  it('full-width forms and the ideographic space are still read as ASCII', () => {
    expect(validateNationalId('\u3000Ａ１２３４５６７８９\u3000')).toEqual({ valid: true, value: 'A123456789' });
    expect(validateEmail('ｓｅｒｖｉｃｅ＠ｅｘａｍｐｌｅ．ｏｒｇ')).toMatchObject({ valid: true, value: 'service@example.org' });
  });
});
