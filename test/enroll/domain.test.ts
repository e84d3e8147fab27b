import fc from 'fast-check';
import { isBan, isIdCardNumber } from 'taiwan-id-validator';
import { describe, expect, it } from 'vitest';
import { nextBusinessDayStart } from '../../src/enroll/domain/business-day.js';
import { parseBasicData } from '../../src/enroll/domain/basic-data.js';
import { parseCardHolder } from '../../src/enroll/domain/card-holder.js';
import {
  isValidBusinessId,
  isValidNationalId,
  parseAgencyOid,
  parseCertificateSerial,
  parseControlNumber,
  parseEmail,
  parseNationalId,
  parsePhone,
} from '../../src/enroll/domain/identifiers.js';
import { parseActor } from '../../src/enroll/domain/actor.js';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { basicDataFor } from './fakes.js';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

describe('identifiers', () => {
  it('統一編號 checksum agrees with taiwan-id-validator on random input', () => {
    fc.assert(
      fc.property(digits(8), (id) => {
        expect(isValidBusinessId(id)).toBe(isBan(id));
      }),
      { numRuns: 3000 },
    );
    expect(isValidBusinessId('04595257')).toBe(true);
    expect(isValidBusinessId('04595258')).toBe(false);
    expect(isValidBusinessId('0459525')).toBe(false);
  });

  it('national ID checksum agrees with taiwan-id-validator', () => {
    const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    fc.assert(
      fc.property(letter, fc.constantFrom('1', '2'), digits(8), (l, g, rest) => {
        const id = `${l}${g}${rest}`;
        expect(isValidNationalId(id)).toBe(isIdCardNumber(id, { nationalId: true, uiNumber: false }));
      }),
      { numRuns: 3000 },
    );
    expect(isValidNationalId('A123456789')).toBe(true);
    expect(isValidNationalId('A123456788')).toBe(false);
  });

  it('upper-cases a 身分證統一編號 for a-z only: ı and ſ are not the letters I and S', () => {
    expect(parseNationalId('a123456789')).toBe('A123456789');
    for (const id of ['ı100000003', 'ſ100000006']) expect(() => parseNationalId(id), id).toThrow(InvalidInputError);
    expect(parseNationalId('I100000003')).toBe('I100000003');
  });

  it('normalizes serials, control numbers and OIDs', () => {
    expect(parseCertificateSerial('00:4A:0b 1C')).toBe('4a0b1c');
    expect(parseCertificateSerial('0')).toBe('0');
    expect(parseControlNumber(' h5600123 ')).toBe('H5600123');
    expect(parseAgencyOid('2.16.886.101.20003')).toBe('2.16.886.101.20003');
    expect(parsePhone('(02)2192-7111')).toBe('(02)2192-7111');
    for (const ok of ['02-2345-6789#123', '02-2345-6789 分機 123', '02-2345-6789轉123', '+886 2 2345 6789', '0912345678', '02-2701-3411#5312']) {
      expect(parsePhone(ok), ok).toBe(ok);
    }
    // Full-width digits and spaces read as ASCII, as the other identifiers.
    expect(parsePhone('０２-２３４５-６７８９')).toBe('02-2345-6789');
    expect(parsePhone('02\u30002345\u30006789')).toBe('02 2345 6789');
    // Big5's small forms, which NFKC read and width folding alone does not.
    expect(parsePhone('(02)2345﹣6789')).toBe('(02)2345-6789');
    expect(parsePhone('﹙02﹚23456789﹟12')).toBe('(02)23456789#12');
    expect(parsePhone('﹢886 2 2345 6789')).toBe('+886 2 2345 6789');
    expect(parseEmail('egov@service.gov.tw')).toBe('egov@service.gov.tw');
  });

  it.each([
    () => parseCertificateSerial('xyz'),
    () => parseControlNumber('5600123'),
    () => parseAgencyOid('2.16.01'),
    () => parseAgencyOid('oid'),
    // 40 × 1 + 50 is written as 90, which reads back as 2.10: no certificate names this agency as written.
    () => parseAgencyOid('1.50.886'),
    () => parseAgencyOid(`2.16.${'1'.repeat(130)}`),
    () => parseEmail('a@b'),
    () => parsePhone('call me'),
    () => parsePhone('0#####'),
    // Not NFKC: superscript and circled digits are not the digits they resemble.
    () => parsePhone('02-2345-678⁹'),
    () => parsePhone('02-②345-6789'),
    () => parsePhone('0------'),
    () => parsePhone('0((((('),
    () => parsePhone('02-2345-6789#'),
    () => parsePhone('123'),
    () => parseControlNumber(42),
    () => parseActor({ role: 'reviewer' }),
  ])('rejects malformed input %#', (call) => {
    expect(call).toThrow(InvalidInputError);
  });

  it('card holder validation names every bad field', () => {
    try {
      parseCardHolder({ authority: 'XYZ', subjectName: '', certificateSerial: 'q', cardNumber: '1' }, 'holder');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidInputError).issues.map((i) => i.field)).toEqual([
        'holder.authority',
        'holder.subjectName',
        'holder.certificateSerial',
        'holder.cardNumber',
      ]);
    }
  });

  it('a required card number that is missing says where one comes from (a login signed withCardSN)', () => {
    try {
      parseCardHolder({ authority: 'MOICA', subjectName: '王小明', certificateSerial: '4a01' }, 'holder', { requireCardNumber: true });
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidInputError).issues).toEqual([
        expect.objectContaining({ field: 'holder.cardNumber', code: 'REQUIRED', reason: expect.stringMatching(/withCardSN.*trustReportedCardNumber/) }),
      ]);
    }
    // Not required: absent is fine.
    expect(parseCardHolder({ authority: 'MOICA', subjectName: '王小明', certificateSerial: '4a01' }, 'holder').cardNumber).toBeUndefined();
  });

  it('basic data is trimmed and every field required', () => {
    const parsed = parseBasicData({ ...basicDataFor(), companyName: '  台灣化學運輸股份有限公司 ' });
    expect(parsed.companyName).toBe('台灣化學運輸股份有限公司');
    expect(() => parseBasicData({})).toThrow(InvalidInputError);
    expect(() => parseBasicData('text')).toThrow(InvalidInputError);
  });
});

describe('next business day (Taipei time)', () => {
  it.each([
    ['Monday 09:00', '2026-03-02T01:00:00Z', '2026-03-02T16:00:00.000Z'],
    ['Friday 09:00', '2026-03-06T01:00:00Z', '2026-03-08T16:00:00.000Z'],
    ['Friday 23:59 Taipei (15:59Z)', '2026-03-06T15:59:00Z', '2026-03-08T16:00:00.000Z'],
    ['Saturday 00:30 Taipei (Friday 16:30Z)', '2026-03-06T16:30:00Z', '2026-03-08T16:00:00.000Z'],
    ['Sunday', '2026-03-08T04:00:00Z', '2026-03-08T16:00:00.000Z'],
  ])('%s', (_n, now, expected) => {
    expect(nextBusinessDayStart(new Date(now)).toISOString()).toBe(expected);
  });

  it('skips listed holidays and honours make-up workdays', () => {
    const calendar = { isHoliday: (d: string) => (d === '2026-03-09' ? true : d === '2026-03-07' ? false : undefined) };
    // Friday: Saturday 03-07 is a make-up workday.
    expect(nextBusinessDayStart(new Date('2026-03-06T01:00:00Z'), calendar).toISOString()).toBe('2026-03-06T16:00:00.000Z');
    // Saturday (make-up workday) → Sunday no, Monday holiday → Tuesday.
    expect(nextBusinessDayStart(new Date('2026-03-07T01:00:00Z'), calendar).toISOString()).toBe('2026-03-09T16:00:00.000Z');
  });

  it('is always a later weekday start, at 00:00 Taipei', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (now) => {
        const next = nextBusinessDayStart(now);
        expect(next.getTime()).toBeGreaterThan(now.getTime());
        expect(next.getTime() - now.getTime()).toBeLessThanOrEqual(4 * 86_400_000);
        const local = new Date(next.getTime() + 8 * 3_600_000);
        expect(local.getUTCHours()).toBe(0);
        expect([1, 2, 3, 4, 5]).toContain(local.getUTCDay());
      }),
    );
  });
});
