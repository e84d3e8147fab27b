import { describe, expect, it } from 'vitest';
import { compareField, compareWithEms, DEFAULT_FIELDS, defineFieldSet, EmsError, extendFieldSet, foldWidth, type FieldDefinition } from '../../src/ems/index.js';

describe('DEFAULT_FIELDS', () => {
  it('has the seed form’s eight fields in order, the first five compared', () => {
    expect(DEFAULT_FIELDS.map((f) => f.labelZh)).toEqual([
      '管制編號',
      '公司名稱',
      '公司/營業登記負責人姓名',
      '事業地址',
      '事業電子郵件信箱',
      '郵寄地址',
      '聯絡人',
      '聯絡人電子信箱',
    ]);
    expect(DEFAULT_FIELDS.map((f) => f.key)).toEqual([
      'controlNumber',
      'companyName',
      'responsiblePerson',
      'facilityAddress',
      'facilityEmail',
      'mailingAddress',
      'contactName',
      'contactEmail',
    ]);
    expect(DEFAULT_FIELDS.map((f) => f.compared)).toEqual([true, true, true, true, true, false, false, false]);
    expect(DEFAULT_FIELDS.map((f) => f.kind)).toEqual(['id', 'organizationName', 'name', 'address', 'email', 'address', 'name', 'email']);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_FIELDS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_FIELDS[0])).toBe(true);
  });
});

describe('defineFieldSet', () => {
  const good = { key: 'businessId', labelZh: '統一編號', labelEn: 'Business ID', compared: true, kind: 'id' };

  it('accepts data from configuration', () => {
    const set = defineFieldSet(JSON.parse(JSON.stringify([good, { ...good, key: 'note', kind: 'text', compared: false, maxLength: 20 }])));
    expect(set.map((f) => f.key)).toEqual(['businessId', 'note']);
    expect(set[1]?.maxLength).toBe(20);
  });

  it.each([
    ['not an array', { good }, /non-empty array/],
    ['empty', [], /non-empty array/],
    ['entry not an object', ['x'], /#0: must be an object/],
    ['bad key', [{ ...good, key: '1x' }], /"key" must be an identifier/],
    ['missing labelZh', [{ ...good, labelZh: ' ' }], /"labelZh"/],
    ['missing labelEn', [{ ...good, labelEn: undefined }], /"labelEn"/],
    ['compared not boolean', [{ ...good, compared: 'yes' }], /"compared"/],
    ['unknown kind', [{ ...good, kind: 'phone' }], /"kind" must be one of id, name, address, email, text, organizationName/],
    ['bad maxLength', [{ ...good, maxLength: 0 }], /"maxLength"/],
    ['duplicate key', [good, good], /duplicate key "businessId"/],
  ])('rejects %s with INVALID_FIELD_DEFINITION', (_name, input, message) => {
    expect(() => defineFieldSet(input)).toThrow(message);
    try {
      defineFieldSet(input);
    } catch (err) {
      expect(err).toBeInstanceOf(EmsError);
      expect((err as EmsError).code).toBe('INVALID_FIELD_DEFINITION');
    }
  });
});

describe('extendFieldSet', () => {
  it('appends new fields and replaces same-key ones in place', () => {
    const extended = extendFieldSet(DEFAULT_FIELDS, [
      { key: 'businessId', labelZh: '統一編號', labelEn: 'Business ID', compared: true, kind: 'id' },
      { key: 'mailingAddress', labelZh: '郵寄地址', labelEn: 'Mailing address', compared: true, kind: 'address' },
    ]);
    expect(extended).toHaveLength(9);
    expect(extended[5]?.key).toBe('mailingAddress');
    expect(extended[5]?.compared).toBe(true);
    expect(extended[8]?.key).toBe('businessId');
    expect(DEFAULT_FIELDS[5]?.compared).toBe(false);
  });

  it('refuses extra fields that are not an array of definitions (from configuration) as INVALID_FIELD_DEFINITION', () => {
    for (const extra of [null, { key: 'businessId' }, [null], ['x']]) {
      expect(() => extendFieldSet(DEFAULT_FIELDS, extra as never), JSON.stringify(extra)).toThrow(expect.objectContaining({ code: 'INVALID_FIELD_DEFINITION' }) as Error);
    }
  });

  it('a field keyed like an Object.prototype member and left out is absent, not the inherited function', () => {
    const record = { controlNumber: 'E5600123', companyName: '範例', responsiblePerson: '王大明', facilityAddress: '臺北市', facilityEmail: 'a@b.tw' };
    const fields = extendFieldSet(DEFAULT_FIELDS, [{ key: 'toString', labelZh: '備註', labelEn: 'Note', compared: false, kind: 'text' }]);
    const result = compareWithEms(record, record, { fields });
    expect(result.pass).toBe(true);
    expect(result.fields.find((f) => f.field.key === 'toString')).toMatchObject({ compared: false, applicant: undefined, record: undefined });
  });

  it('compareField names a value that is not text (NOT_A_STRING), on either side', () => {
    const company = DEFAULT_FIELDS[1] as FieldDefinition;
    expect(() => compareField(company, 123 as never, 'x', 'strict')).toThrow(expect.objectContaining({ code: 'NOT_A_STRING', field: 'companyName' }) as Error);
    expect(() => compareField(DEFAULT_FIELDS[5] as FieldDefinition, 'x', {} as never, 'strict')).toThrow(expect.objectContaining({ code: 'NOT_A_STRING' }) as Error);
    expect(() => foldWidth(123 as never)).toThrow(expect.objectContaining({ code: 'NOT_A_STRING' }) as Error);
  });
});
