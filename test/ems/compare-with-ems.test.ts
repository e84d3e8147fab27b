import { describe, expect, it } from 'vitest';
import {
  compareFieldValues,
  compareWithEms,
  DEFAULT_FIELDS,
  defineFieldSet,
  InMemoryEmsSource,
  parseFieldValues,
  verifyApplication,
  EmsError,
  extendFieldSet,
  findDifferingSpan,
  parsePolicy,
  resultToJson,
  type ComparedFieldResult,
  type ComparisonResult,
} from '../../src/ems/index.js';
import { applicationWith, EMS_RECORD } from './sample-data.js';

function field(result: ComparisonResult, key: string): ComparedFieldResult {
  const f = result.fields.find((x) => x.field.key === key);
  if (!f?.compared) throw new Error(`${key} is not a compared field`);
  return f;
}

describe('compareWithEms: the seed’s example', () => {
  // The seed's result page: ✓ 管制編號, 公司名稱, 負責人, ✗ 事業地址, ✓ 事業電子郵件信箱,
  // then 郵寄地址, 聯絡人, 聯絡人電子信箱 unmarked.
  const applicant = applicationWith({ facilityAddress: '臺北市中正區重慶南路1段122號5樓', contactName: '另一位聯絡人' });
  const result = compareWithEms(applicant, EMS_RECORD);

  it('fails on the address alone', () => {
    expect(result.pass).toBe(false);
    expect(result.policy).toBe('strict');
    expect(result.fields.map((f) => [f.field.key, f.pass])).toEqual([
      ['controlNumber', true],
      ['companyName', true],
      ['responsiblePerson', true],
      ['facilityAddress', false],
      ['facilityEmail', true],
      ['mailingAddress', null],
      ['contactName', null],
      ['contactEmail', null],
    ]);
  });

  it('explains the address as a real difference with the differing span', () => {
    const f = field(result, 'facilityAddress');
    expect(f.normalizedEqual).toBe(false);
    expect(f.reason).toEqual({
      code: 'different',
      span: { start: 16, applicant: '5樓', record: '3樓之1' },
      normalizedSpan: { start: 16, applicant: '5樓', record: '3樓之1' },
    });
  });

  it('does not judge uncompared fields even when they differ', () => {
    const contact = result.fields.find((f) => f.field.key === 'contactName');
    expect(contact).toMatchObject({ compared: false, pass: null, reason: null, normalizedEqual: null, applicant: '另一位聯絡人' });
  });
});

describe('compareWithEms: policies', () => {
  const formattingOnly = applicationWith({
    companyName: '台灣綠能化學股份有限公司',
    facilityAddress: '100 台北市中正區重慶南路一段１２２號3F-1',
    facilityEmail: 'Service@GreenChem.com.tw',
  });

  it('passes an identical application under both policies, with no reasons', () => {
    for (const policy of ['strict', 'normalized'] as const) {
      const r = compareWithEms(applicationWith(), EMS_RECORD, { policy });
      expect(r.pass).toBe(true);
      expect(r.fields.every((f) => f.reason === null)).toBe(true);
    }
  });

  it('strict trims outer whitespace only', () => {
    const r = compareWithEms(applicationWith({ companyName: `\u3000 ${EMS_RECORD.companyName}\n` }), EMS_RECORD);
    expect(r.pass).toBe(true);
    expect(field(r, 'companyName').reason).toBeNull();
    const inner = compareWithEms(applicationWith({ responsiblePerson: '王 大明' }), EMS_RECORD);
    expect(inner.pass).toBe(false);
    expect(field(inner, 'responsiblePerson').reason).toEqual({ code: 'formattingOnly', rules: ['spaces'] });
  });

  it('strict fails formatting-only differences and says they are only formatting', () => {
    const r = compareWithEms(formattingOnly, EMS_RECORD, { policy: 'strict' });
    expect(r.pass).toBe(false);
    expect(field(r, 'companyName')).toMatchObject({ pass: false, normalizedEqual: true, reason: { code: 'formattingOnly', rules: ['taiTai'] } });
    expect(field(r, 'facilityAddress').reason).toEqual({
      code: 'formattingOnly',
      rules: ['width', 'spaces', 'postalCode', 'taiTai', 'floor', 'numerals', 'hyphen'],
    });
    expect(field(r, 'facilityEmail').reason).toEqual({ code: 'formattingOnly', rules: ['letterCase'] });
  });

  it('normalized passes the same application, keeping the reasons for display', () => {
    const r = compareWithEms(formattingOnly, EMS_RECORD, { policy: 'normalized' });
    expect(r.pass).toBe(true);
    expect(r.policy).toBe('normalized');
    expect(field(r, 'companyName')).toMatchObject({ pass: true, normalizedEqual: true, reason: { code: 'formattingOnly' } });
  });

  it('normalized still fails a real difference', () => {
    const r = compareWithEms(applicationWith({ responsiblePerson: '王小明' }), EMS_RECORD, { policy: 'normalized' });
    expect(r.pass).toBe(false);
    expect(field(r, 'responsiblePerson').reason).toMatchObject({ code: 'different', span: { start: 1, applicant: '小', record: '大' } });
  });

  it('gives a narrower normalized span when formatting widens the raw one', () => {
    const r = compareWithEms(applicationWith({ facilityAddress: '100台北市中正區重慶南路一段12號3樓之1' }), EMS_RECORD);
    const reason = field(r, 'facilityAddress').reason;
    expect(reason?.code).toBe('different');
    if (reason?.code !== 'different') return;
    expect(reason.span.start).toBe(0);
    expect(reason.normalizedSpan).toEqual({ start: 14, applicant: '', record: '2' });
  });

  it('a compared field left empty fails as blank, naming the side', () => {
    const r = compareWithEms(applicationWith({ facilityEmail: '   ' }), EMS_RECORD);
    expect(field(r, 'facilityEmail')).toMatchObject({ pass: false, applicant: '', reason: { code: 'empty', side: 'applicant' } });
  });

  it('a blank EMS field passes nothing, not even an equally blank answer (帳號申請之資料欄位皆須填寫)', () => {
    for (const policy of ['strict', 'normalized'] as const) {
      const blankRecord = { ...EMS_RECORD, facilityEmail: '', facilityAddress: '   ' };
      const r = compareWithEms(applicationWith({ facilityEmail: '\u3000', facilityAddress: '' }), blankRecord, { policy });
      expect(r.pass).toBe(false);
      expect(field(r, 'facilityEmail')).toMatchObject({ pass: false, reason: { code: 'empty', side: 'both' } });
      expect(field(r, 'facilityAddress')).toMatchObject({ pass: false, reason: { code: 'empty', side: 'both' } });
      const json = resultToJson(r);
      expect(json.fields.find((f) => f.key === 'facilityEmail')?.reason).toEqual({ code: 'empty', side: 'both', message: 'EMS未登載本欄位資料，請至EMS補正後重新申請' });
      const filled = compareWithEms(applicationWith({}), blankRecord, { policy });
      expect(field(filled, 'facilityEmail')).toMatchObject({ pass: false, reason: { code: 'empty', side: 'record' } });
    }
  });

  it('parsePolicy accepts the two names and rejects others with UNKNOWN_POLICY', () => {
    expect(parsePolicy('strict')).toBe('strict');
    expect(parsePolicy('normalized')).toBe('normalized');
    expect(() => parsePolicy('lenient')).toThrow(EmsError);
    expect(() => parsePolicy('lenient')).toThrow(/strict or normalized/);
  });

  // A JavaScript caller or a configuration file can pass anything: the comparison used to run strictly and
  // report the bogus name as its policy.
  const BAD_POLICIES: unknown[] = ['loose', 'Normalized', 'STRICT', '', 42, null, {}];

  it('every entry point refuses a policy that is not one of the two, naming it, before comparing', async () => {
    const applicant = applicationWith({ facilityAddress: '台北市中正區重慶南路1段122號' });
    for (const policy of BAD_POLICIES) {
      const options = { policy } as unknown as { policy: 'strict' };
      for (const run of [
        () => compareWithEms(applicant, EMS_RECORD, options),
        () => compareFieldValues(parseFieldValues(applicant, DEFAULT_FIELDS, { side: 'applicant' }), parseFieldValues(EMS_RECORD, DEFAULT_FIELDS, { side: 'record' }), DEFAULT_FIELDS, policy as 'strict'),
      ]) {
        let thrown: unknown;
        try {
          run();
        } catch (err) {
          thrown = err;
        }
        expect(thrown, String(policy)).toBeInstanceOf(EmsError);
        expect((thrown as EmsError).code).toBe('UNKNOWN_POLICY');
        expect((thrown as EmsError).message).toMatch(typeof policy === 'string' ? `"${policy}"` : /of type/);
      }
      let looked = 0;
      const source = new InMemoryEmsSource([EMS_RECORD]);
      const counting = { lookup: (n: string) => (looked++, source.lookup(n)) };
      await expect(verifyApplication(applicant, counting, options)).rejects.toMatchObject({ code: 'UNKNOWN_POLICY' });
      expect(looked, 'no EMS query on a misconfigured policy').toBe(0);
    }
    // The two names still work everywhere, and the result says which ran.
    const found = await verifyApplication(applicant, new InMemoryEmsSource([EMS_RECORD]), { policy: 'normalized' });
    expect(found).toMatchObject({ status: 'compared', result: { policy: 'normalized' } });
  });
});

describe('compareWithEms: configured fields', () => {
  it('compares a field added by configuration, such as 統一編號', () => {
    const fields = extendFieldSet(DEFAULT_FIELDS, [
      { key: 'businessId', labelZh: '統一編號', labelEn: 'Business ID', compared: true, kind: 'id' },
    ]);
    const ok = compareWithEms({ ...applicationWith(), businessId: '04595252' }, { ...EMS_RECORD, businessId: '04595252' }, { fields });
    expect(ok.pass).toBe(true);
    const bad = compareWithEms({ ...applicationWith(), businessId: '０４５９５２５２' }, { ...EMS_RECORD, businessId: '04595252' }, { fields });
    expect(bad.pass).toBe(false);
    expect(bad.fields.at(-1)).toMatchObject({ pass: false, reason: { code: 'formattingOnly', rules: ['width'] } });
  });

  it('can make an unmarked field compared', () => {
    const fields = extendFieldSet(DEFAULT_FIELDS, [
      { key: 'contactName', labelZh: '聯絡人', labelEn: 'Contact person', compared: true, kind: 'name' },
    ]);
    expect(compareWithEms(applicationWith({ contactName: '別人' }), EMS_RECORD, { fields }).pass).toBe(false);
  });
});

describe('compareWithEms: malformed input', () => {
  it.each([
    ['missing field', () => compareWithEms({ controlNumber: 'H5602270' }, EMS_RECORD), 'MISSING_FIELD'],
    ['missing field in the record', () => compareWithEms(applicationWith(), { controlNumber: 'H5602270' }), 'MISSING_FIELD'],
    ['non-string', () => compareWithEms(applicationWith({ facilityEmail: 5 as unknown as string }), EMS_RECORD), 'NOT_A_STRING'],
    ['huge string', () => compareWithEms(applicationWith({ companyName: 'x'.repeat(5000) }), EMS_RECORD), 'VALUE_TOO_LONG'],
    ['not an object', () => compareWithEms('[]', EMS_RECORD), 'MALFORMED_RECORD'],
    ['unknown key', () => compareWithEms({ ...applicationWith(), extra: 'x' }, EMS_RECORD), 'UNKNOWN_FIELD'],
  ])('%s → EmsError', (_name, run, code) => {
    expect(run).toThrow(EmsError);
    try {
      run();
    } catch (err) {
      expect((err as EmsError).code).toBe(code);
    }
  });
});

describe('findDifferingSpan', () => {
  it.each([
    ['abc', 'abc', { start: 3, applicant: '', record: '' }],
    ['abXc', 'abc', { start: 2, applicant: 'X', record: '' }],
    ['ac', 'abc', { start: 1, applicant: '', record: 'b' }],
    ['臺北市5樓', '臺北市3樓', { start: 3, applicant: '5', record: '3' }],
    ['aa', 'aaa', { start: 2, applicant: '', record: 'a' }],
    ['😀x', '😀y', { start: 1, applicant: 'x', record: 'y' }],
    ['', 'abc', { start: 0, applicant: '', record: 'abc' }],
  ])('%j vs %j', (a, b, span) => {
    expect(findDifferingSpan(a, b)).toEqual(span);
  });
});

describe('compareWithEms and compareField given bad options', () => {
  it('a fields option that is no field set, or definitions straight from a configuration file, are checked (INVALID_FIELD_DEFINITION)', () => {
    for (const fields of ['x', [{ key: 'facilityAddress', labelZh: '事業地址', kind: 'adress', compared: true }]]) {
      expect(() => compareWithEms(EMS_RECORD, EMS_RECORD, { fields: fields as never })).toThrow(expect.objectContaining({ code: 'INVALID_FIELD_DEFINITION' }));
    }
  });

  it('verifyApplication checks its fields option as compareWithEms does, before any EMS query', async () => {
    // The default set as a configuration file writes it ("compared": 1/0), 公司名稱 switched off: used as it
    // stood, 0 read as "not compared" and a different company passed.
    const fromConfig = DEFAULT_FIELDS.map((f) => ({ ...f, compared: f.key === 'companyName' ? 0 : f.compared ? 1 : 0 }));
    const otherCompany = applicationWith({ companyName: '完全不同的公司' });
    for (const fields of [{ controlNumber: {} }, [], fromConfig, [{ ...DEFAULT_FIELDS[0], maxLength: -1 }]]) {
      let looked = 0;
      const source = new InMemoryEmsSource([EMS_RECORD]);
      const counting = { lookup: (n: string) => (looked++, source.lookup(n)) };
      const err = await verifyApplication(otherCompany, counting, { fields: fields as never }).catch((e: unknown) => e);
      expect(err, JSON.stringify(fields).slice(0, 60)).toBeInstanceOf(EmsError);
      expect((err as EmsError).code).toBe('INVALID_FIELD_DEFINITION');
      expect(looked, 'no EMS query on a misconfigured field set').toBe(0);
    }
    // A set made with defineFieldSet from the same definitions, booleans this time, is used.
    const withoutName = defineFieldSet(DEFAULT_FIELDS.map((f) => ({ ...f, compared: f.compared && f.key !== 'companyName' })));
    const found = await verifyApplication(otherCompany, new InMemoryEmsSource([EMS_RECORD]), { fields: withoutName });
    expect(found).toMatchObject({ status: 'compared', result: { pass: true } });
  });

  it('compareWithEms refuses options of the wrong kind or a name that is no option', () => {
    // Before: polcy was dropped for strict, field for the default set, and null was a TypeError from inside.
    expect(() => compareWithEms(EMS_RECORD, EMS_RECORD, { polcy: 'normalized' } as never)).toThrow(
      new RangeError('compareWithEms: "polcy" is not an option (they are policy, fields)'),
    );
    expect(() => compareWithEms(EMS_RECORD, EMS_RECORD, { field: DEFAULT_FIELDS } as never)).toThrow(/^compareWithEms: "field" is not an option/);
    expect(() => compareWithEms(EMS_RECORD, EMS_RECORD, null as never)).toThrow(new RangeError('compareWithEms: options must be an object or left out, not null'));
    expect(() => compareWithEms(EMS_RECORD, EMS_RECORD, 'normalized' as never)).toThrow(new RangeError('compareWithEms: options must be an object or left out, not a string'));
  });

  it('compareField refuses a misspelt policy instead of failing the field', async () => {
    const { compareField } = await import('../../src/ems/index.js');
    const address = DEFAULT_FIELDS.find((f) => f.key === 'facilityAddress');
    expect(address).toBeDefined();
    expect(() => compareField(address as (typeof DEFAULT_FIELDS)[number], 'a', 'a', 'normalised' as never)).toThrow(expect.objectContaining({ code: 'UNKNOWN_POLICY' }));
  });
});

