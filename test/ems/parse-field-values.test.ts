import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELDS, EmsError, parseFieldValues, type EmsErrorCode } from '../../src/ems/index.js';
import { applicationWith, EMS_RECORD } from './sample-data.js';

function codeOf(fn: () => unknown): { code: EmsErrorCode; field: string | undefined } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EmsError);
    return { code: (err as EmsError).code, field: (err as EmsError).field };
  }
  throw new Error('expected an EmsError');
}

describe('parseFieldValues', () => {
  it('returns the string values of every defined field', () => {
    const values = parseFieldValues({ ...EMS_RECORD }, DEFAULT_FIELDS, { side: 'record' });
    expect(values).toEqual(EMS_RECORD);
  });

  it('allows uncompared fields to be absent or null', () => {
    const { mailingAddress: _m, contactName: _c, ...rest } = EMS_RECORD;
    const values = parseFieldValues({ ...rest, contactEmail: null }, DEFAULT_FIELDS, { side: 'applicant' });
    expect(values.mailingAddress).toBeUndefined();
    expect(values.contactEmail).toBeUndefined();
    expect(values.companyName).toBe(EMS_RECORD.companyName);
  });

  it('refuses options it would misread, naming the option, before the input is read (5 gave "the undefined data lacks …")', () => {
    const parse = (options: unknown) => () => parseFieldValues({ ...EMS_RECORD }, DEFAULT_FIELDS, options as never);
    for (const [options, shown] of [[5, '5'], [undefined, 'undefined (missing)'], [null, 'null']] as const) {
      expect(parse(options)).toThrow(new RangeError(`parseFieldValues: options must be an object, not ${shown}`));
    }
    expect(parse({})).toThrow(new RangeError('parseFieldValues: option side must be "applicant" or "record", not undefined (missing)'));
    expect(parse({ side: 'Applicant' })).toThrow(/option side must be .*, not "Applicant"$/);
    // A misspelt rejectUnknownKey: false was dropped, so the applicant's extra keys were still refused.
    expect(parse({ side: 'applicant', rejectUnknownKey: false })).toThrow(
      new RangeError('parseFieldValues: "rejectUnknownKey" is not an option (they are side, rejectUnknownKeys)'),
    );
    expect(parse({ side: 'record', rejectUnknownKeys: 'false' })).toThrow(new RangeError('parseFieldValues: option rejectUnknownKeys must be true or false, not "false"'));
    expect(() => parseFieldValues(null, DEFAULT_FIELDS, 5 as never)).toThrow(RangeError);
  });

  it('refuses fields that are no field set as INVALID_FIELD_DEFINITION (5 was a TypeError from inside)', () => {
    for (const fields of [5, [], [{ key: 'companyName' }]]) {
      expect(codeOf(() => parseFieldValues({ ...EMS_RECORD }, fields as never, { side: 'record' })).code).toBe('INVALID_FIELD_DEFINITION');
    }
  });

  it.each([null, 'text', 42, ['a']])('rejects %j as MALFORMED_RECORD', (input) => {
    expect(codeOf(() => parseFieldValues(input, DEFAULT_FIELDS, { side: 'applicant' })).code).toBe('MALFORMED_RECORD');
  });

  it('names a missing compared field', () => {
    const { facilityAddress: _f, ...rest } = EMS_RECORD;
    const err = codeOf(() => parseFieldValues(rest, DEFAULT_FIELDS, { side: 'record' }));
    expect(err).toEqual({ code: 'MISSING_FIELD', field: 'facilityAddress' });
  });

  it.each([123, true, { a: 1 }, ['x']])('rejects a non-string value %j as NOT_A_STRING', (bad) => {
    const err = codeOf(() => parseFieldValues({ ...EMS_RECORD, companyName: bad }, DEFAULT_FIELDS, { side: 'applicant' }));
    expect(err).toEqual({ code: 'NOT_A_STRING', field: 'companyName' });
  });

  it('rejects a huge value as VALUE_TOO_LONG, even on an uncompared field', () => {
    const huge = '臺'.repeat(1_000_000);
    expect(codeOf(() => parseFieldValues(applicationWith({ facilityAddress: huge }), DEFAULT_FIELDS, { side: 'applicant' }))).toEqual({
      code: 'VALUE_TOO_LONG',
      field: 'facilityAddress',
    });
    expect(codeOf(() => parseFieldValues(applicationWith({ contactName: huge }), DEFAULT_FIELDS, { side: 'record' }))).toEqual({
      code: 'VALUE_TOO_LONG',
      field: 'contactName',
    });
  });

  it('keeps the message short for huge input', () => {
    expect.assertions(1);
    try {
      parseFieldValues(applicationWith({ facilityAddress: 'x'.repeat(100_000) }), DEFAULT_FIELDS, { side: 'applicant' });
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(200);
    }
  });

  it('rejects unknown applicant keys but ignores extra EMS columns', () => {
    expect(codeOf(() => parseFieldValues({ ...EMS_RECORD, companyname: 'x' }, DEFAULT_FIELDS, { side: 'applicant' }))).toEqual({
      code: 'UNKNOWN_FIELD',
      field: 'companyname',
    });
    const values = parseFieldValues({ ...EMS_RECORD, permitType: 'A' }, DEFAULT_FIELDS, { side: 'record' });
    expect(values.permitType).toBeUndefined();
  });

  it('does not read inherited properties', () => {
    const proto = { ...EMS_RECORD };
    const obj = Object.create(proto) as object;
    expect(codeOf(() => parseFieldValues(obj, DEFAULT_FIELDS, { side: 'record' })).code).toBe('MISSING_FIELD');
  });
});
