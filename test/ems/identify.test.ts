import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identify, type IdentifierKind } from '../../src/ems/index.js';

describe('identify', () => {
  it.each<[string, IdentifierKind, boolean, string | null]>([
    ['H5602270', 'controlNumber', true, null],
    ['h560227X', 'controlNumber', true, null],
    ['HX602270', 'controlNumber', false, 'INVALID_FORMAT'],
    ['04595252', 'businessId', true, null],
    ['12345678', 'businessId', false, 'INVALID_CHECKSUM'],
    ['1234567', 'businessId', false, 'INVALID_LENGTH'],
    ['A123456789', 'nationalId', true, null],
    ['A123456788', 'nationalId', false, 'INVALID_CHECKSUM'],
    ['A323456789', 'nationalId', false, 'INVALID_SECOND_CHARACTER'],
    ['A800000014', 'residentId', true, null],
    ['AB23456789', 'residentId', true, null],
    ['AE23456789', 'residentId', false, 'INVALID_SECOND_CHARACTER'],
    ['TP03000012345678', 'cardNumber', true, null],
    ['TP0300001234567X', 'cardNumber', false, 'INVALID_FORMAT'],
    ['service@greenchem.com.tw', 'email', true, null],
    ['service@greenchem', 'email', false, 'INVALID_DOMAIN'],
    ['A12345678', 'nationalId', false, 'INVALID_LENGTH'],
    ['A8000000145', 'residentId', false, 'INVALID_LENGTH'],
    ['A523456789', 'nationalId', false, 'INVALID_SECOND_CHARACTER'],
    ['H560227', 'controlNumber', false, 'INVALID_LENGTH'],
    ['H56022701', 'controlNumber', false, 'INVALID_LENGTH'],
    ['TP0300001234567', 'cardNumber', false, 'INVALID_LENGTH'],
    ['hello', 'unknown', false, 'UNRECOGNIZED'],
    ['臺北市', 'unknown', false, 'UNRECOGNIZED'],
    ['', 'unknown', false, 'EMPTY'],
  ])('%j is %s (valid: %s, reason: %s)', (value, kind, valid, reason) => {
    const r = identify(value);
    expect({ kind: r.kind, valid: r.valid, reason: r.reason }).toEqual({ kind, valid, reason });
    expect(r.message === null).toBe(valid);
  });

  it('returns the normalized value', () => {
    expect(identify(' ａ１２３４５６７８９ ').value).toBe('A123456789');
    expect(identify('ｈ５６０２２７０')).toMatchObject({ value: 'H5602270', kind: 'controlNumber', valid: true });
  });

  it('honours the legacy 統一編號 rule', () => {
    expect(identify('04595252').valid).toBe(true);
    expect(identify('04595252', { businessIdRule: 'legacy' })).toMatchObject({ valid: false, reason: 'INVALID_CHECKSUM' });
  });

  it('refuses options it would misread, naming the option, whatever the input (a misspelt rule was read as current)', () => {
    expect(() => identify('04595252', { rule: 'legacy' } as never)).toThrow(new RangeError('identify: "rule" is not an option (they are businessIdRule)'));
    expect(() => identify('hello', { businessIdRule: 'Legacy' as never })).toThrow(
      new RangeError('identify: option businessIdRule must be "current" or "legacy" (or left out for current), not "Legacy"'),
    );
    expect(() => identify('04595252', 5 as never)).toThrow(new RangeError('identify: options must be an object or left out, not 5'));
  });

  it('answers non-strings and huge strings without throwing', () => {
    expect(identify(42)).toMatchObject({ kind: 'unknown', valid: false, reason: 'NOT_A_STRING' });
    expect(identify(undefined).reason).toBe('NOT_A_STRING');
    const huge = identify('A'.repeat(2_000_000));
    expect(huge).toMatchObject({ kind: 'unknown', valid: false, reason: 'UNRECOGNIZED' });
    expect(huge.value.length).toBeLessThanOrEqual(40);
  });

  it('never throws, and a valid result always has a known kind and no reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z]{0,2}[0-9]{6,14}$/)), (s) => {
        const r = identify(s);
        if (r.valid) {
          expect(r.kind).not.toBe('unknown');
          expect(r.reason).toBeNull();
        } else {
          expect(typeof r.reason).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
