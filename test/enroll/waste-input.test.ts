/**
 * The waste system's inputs through the public API, on both stores: the form
 * reports every problem at once per field (the `twpki/ems` identifier rules;
 * NUL and lone surrogates named), 載入's registry failures, upload limits by
 * content, and the print layout's escaping.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CapturingMailer,
  EnrollError,
  InvalidInputError,
  ManualClock,
  StaticCompanyRegistry,
  StaticPostalCodeDirectory,
  WasteSystemFlow,
  renderWasteApplicationForm,
  type CompanyRecord,
  type CompanyRegistry,
  type PostalCounty,
  type WasteApplication,
} from '../../src/enroll/index.js';
import { parseWasteApplication, sniffMediaType } from '../../src/enroll/advanced.js';
import { describeEachStore, enrollFailure, tableCounts } from './helpers.js';
import { APPLICANT, COMPANY, JPEG, PDF, PNG, form, registry } from './waste-fixtures.js';

/** The [field, code] of each issue a 申請書 with `registeredAddress` is refused with (it must be refused). */
function issuesOf(registeredAddress: unknown): Array<[string, string]> {
  try {
    parseWasteApplication(form({ registeredAddress }));
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as InvalidInputError).issues.map((i) => [i.field, i.code]);
  }
  throw new Error('the form was accepted');
}

function fields(err: EnrollError): Record<string, string> {
  expect(err).toBeInstanceOf(InvalidInputError);
  return Object.fromEntries((err as InvalidInputError).issues.map((i) => [i.field, i.reason]));
}

describe('the application form (no store needed)', () => {
  it('reports every bad field at once', () => {
    let err: unknown;
    try {
      parseWasteApplication({
        businessId: '',
        controlNumber: '12',
        companyName: ' ',
        representativeName: '林大同',
        representativeId: 'A123456788',
        registeredAddress: { postalCode: '1000', address: '臺北市中正區重慶南路一段122號' },
        mailingAddress: { postalCode: '100', address: '' },
        contactName: '王承辦',
        contactPhone1: { number: 'abc', extension: '12a' },
        contactPhone2: { number: '02-1234-5678', extension: '1234567' },
        contactFax: '',
        contactEmail: 'not-an-email',
        methods: { citizenCard: 'disabled', companyCard: 'disabled' },
        password: 'Secret#1',
      });
    } catch (e) {
      err = e;
    }
    const f = fields(err as EnrollError);
    expect(f.businessId).toBe('請輸入統一編號');
    expect(Object.keys(f).sort()).toEqual(
      [
        'businessId',
        'companyName',
        'contactEmail',
        'contactFax',
        'contactPhone1.extension',
        'contactPhone1.number',
        'contactPhone2.extension',
        'controlNumber',
        'mailingAddress.address',
        'password',
        'registeredAddress.postalCode',
        'representativeId',
      ].sort(),
    );
    expect(f.password).toContain('自訂密碼');
  });

  it('login methods: both 停用 is a valid 申請書 (neither row is starred); anything but 啟用 / 停用 names the method', () => {
    expect(parseWasteApplication(form({ methods: { citizenCard: 'disabled', companyCard: 'disabled' } })).methods).toEqual({ citizenCard: 'disabled', companyCard: 'disabled' });
    let err: unknown;
    try {
      // Both boxes of one row ticked (a checkbox form posting both values), the other row left out.
      parseWasteApplication(form({ methods: { citizenCard: ['enabled', 'disabled'] } }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).issues.map((i) => [i.field, i.code])).toEqual([
      ['methods.citizenCard', 'NOT_AN_OPTION'],
      ['methods.companyCard', 'NOT_AN_OPTION'],
    ]);
  });

  it('uses the twpki/ems identifier rules (checksums, NFKC 管制編號) and accepts 5- and 6-digit postal codes', () => {
    const ok = parseWasteApplication(
      form({
        controlNumber: 'ｅ５６００００１',
        registeredAddress: { postalCode: '10048', address: '臺北市中正區重慶南路一段122號' },
        mailingAddress: { postalCode: '100048', address: '臺北市中正區重慶南路一段122號' },
      }),
    );
    expect(ok.controlNumber).toBe('E5600001');
    expect(ok.mailingAddress.postalCode).toBe('100048');
    expect(() => parseWasteApplication(form({ businessId: '12345678' }))).toThrow(InvalidInputError);
  });

  it('an address as older records write it: a leading 郵遞區號 or 臺灣省 / 福建省 is passed over, and left out of what is stored', () => {
    const parsed = parseWasteApplication(
      form({
        registeredAddress: { postalCode: '302', address: '302臺灣省新竹縣竹北市光明六路10號' },
        mailingAddress: { postalCode: '893', address: '福建省 金門縣金城鎮民生路1號' },
      }),
    );
    expect(parsed.registeredAddress).toEqual({ postalCode: '302', address: '新竹縣竹北市光明六路10號' });
    expect(parsed.mailingAddress).toEqual({ postalCode: '893', address: '金門縣金城鎮民生路1號' });
    // The leading code is passed over, not trusted: the typed one must still agree with the 縣市 and 鄉鎮市區.
    expect(() => parseWasteApplication(form({ registeredAddress: { postalCode: '100', address: '100臺灣省新竹縣竹北市光明六路10號' } }))).toThrow(InvalidInputError);
    // With the parts given, a rest that repeats them with a province is cut the same way.
    const parts = parseWasteApplication(form({ registeredAddress: { county: '新竹縣', district: '竹北市', address: '臺灣省新竹縣竹北市光明六路10號' } }));
    expect(parts.registeredAddress).toEqual({ postalCode: '302', address: '新竹縣竹北市光明六路10號' });
  });

  it('an address of a former 縣 (臺北縣板橋市, 桃園縣中壢市 …) gets today\'s 縣市 + 區 and their code, and is stored under those names', () => {
    const parsed = parseWasteApplication(
      form({
        registeredAddress: { county: '台北縣', district: '板橋市', address: '臺北縣板橋市文化路一段1號' },
        mailingAddress: { postalCode: '32001', address: '320臺灣省桃園縣中壢市中大路300號' },
      }),
    );
    expect(parsed.registeredAddress).toEqual({ postalCode: '220', address: '新北市板橋區文化路一段1號' });
    expect(parsed.mailingAddress).toEqual({ postalCode: '32001', address: '桃園市中壢區中大路300號' });
    // The code is still checked against the place: 100 is not 板橋's.
    expect(issuesOf({ postalCode: '100', address: '臺北縣板橋市文化路一段1號' })).toEqual([['registeredAddress.postalCode', 'MISMATCH']]);
    // 高雄縣三民鄉 became 那瑪夏 (849), not 高雄市三民區 (807): refused, never placed.
    expect(issuesOf({ county: '高雄縣', district: '三民鄉', address: '民權村1號' })).toEqual([['registeredAddress.district', 'NOT_AN_OPTION']]);
    expect(issuesOf({ postalCode: '849', address: '高雄縣三民鄉民權村1號' })).toEqual([['registeredAddress.address', 'INVALID_FORMAT']]);
  });

  it('a former 縣\'s place only with the suffix it had: 臺南縣新市市場路 is refused naming the address, not stored as 臺南市新市區場路', () => {
    // Before, 新市 + 市 was read, and the 市 of 市場路 was lost from what was stored.
    const reasons = (registeredAddress: unknown): string[] => {
      try {
        parseWasteApplication(form({ registeredAddress }));
      } catch (e) {
        return (e as InvalidInputError).issues.map((i) => `${i.field} ${i.code} ${i.reason}`);
      }
      throw new Error('the form was accepted');
    };
    const typed = reasons({ postalCode: '744', address: '臺南縣新市市場路1號' });
    expect(typed).toHaveLength(1);
    expect(typed[0]).toMatch(/^registeredAddress\.address INVALID_FORMAT .*新市鄉/u);
    // The same text as the rest after the selects: neither dropped (a character short) nor kept.
    expect(issuesOf({ county: '臺南市', district: '新市區', address: '臺南縣新市市場路1號' })).toEqual([['registeredAddress.address', 'INVALID_FORMAT']]);
    expect(issuesOf({ county: '臺南縣', district: '新市市', address: '市場路1號' })).toEqual([['registeredAddress.district', 'NOT_AN_OPTION']]);
    // Written with the 鄉 it was, all of 市場路 is kept.
    expect(parseWasteApplication(form({ registeredAddress: { postalCode: '744', address: '臺南縣新市鄉市場路1號' } })).registeredAddress).toEqual({
      postalCode: '744',
      address: '臺南市新市區市場路1號',
    });
  });

  it('a former 縣轄市 alone (板橋市文化路…) is today\'s 縣市 + 區 when it is the only place of the name; 桃園市 alone is refused', () => {
    const parsed = parseWasteApplication(
      form({
        registeredAddress: { postalCode: '220', address: '板橋市文化路一段1號' },
        mailingAddress: { county: '桃園市', district: '中壢區', address: '中壢市中大路300號' },
      }),
    );
    expect(parsed.registeredAddress).toEqual({ postalCode: '220', address: '新北市板橋區文化路一段1號' });
    // The rest repeated the 區 by its former name: dropped, as today's name is.
    expect(parsed.mailingAddress).toEqual({ postalCode: '320', address: '桃園市中壢區中大路300號' });
    // Another place than the selects is MISMATCH, as for today's names; the code is still checked.
    expect(issuesOf({ county: '臺北市', district: '中正區', address: '板橋市文化路一段1號' })).toEqual([['registeredAddress.address', 'MISMATCH']]);
    expect(issuesOf({ postalCode: '100', address: '板橋市文化路一段1號' })).toEqual([['registeredAddress.postalCode', 'MISMATCH']]);
    // 桃園市 alone: today's city (which 區?) or 桃園縣's 桃園市 (桃園區).
    expect(issuesOf({ postalCode: '330', address: '桃園市中正路1號' })).toEqual([['registeredAddress.address', 'INVALID_FORMAT']]);
    expect(issuesOf({ county: '桃園市', district: '中壢區', address: '桃園市中正路1號' })).toEqual([['registeredAddress.address', 'INVALID_FORMAT']]);
  });

  it('today\'s 縣轄市 alone (竹北市光明六路…) is its 縣 + 市, stored so; after other selects it is MISMATCH', () => {
    const parsed = parseWasteApplication(
      form({
        registeredAddress: { postalCode: '302', address: '竹北市光明六路10號' },
        mailingAddress: { county: '苗栗縣', district: '頭份市', address: '頭份市中華路1號' },
      }),
    );
    expect(parsed.registeredAddress).toEqual({ postalCode: '302', address: '新竹縣竹北市光明六路10號' });
    // The rest repeated the 市 chosen: dropped, as a repeat of 縣 + 市 is.
    expect(parsed.mailingAddress).toEqual({ postalCode: '351', address: '苗栗縣頭份市中華路1號' });
    // Another place than the selects; a code that is not the 市's.
    expect(issuesOf({ county: '新竹縣', district: '竹東鎮', address: '竹北市光明六路10號' })).toEqual([['registeredAddress.address', 'MISMATCH']]);
    expect(issuesOf({ postalCode: '300', address: '竹北市光明六路10號' })).toEqual([['registeredAddress.postalCode', 'MISMATCH']]);
    // Today's 新竹市 without a 區 is still no address.
    expect(issuesOf({ postalCode: '300', address: '新竹市光復路二段1號' })).toEqual([['registeredAddress.address', 'INVALID_FORMAT']]);
  });

  it.each([
    ['companyName', 'a\u0000b'],
    ['contactName', '\uD800'],
    ['representativeName', 'x'.repeat(20_000)],
  ])('%s with %j → INVALID_INPUT naming the field', (field, value) => {
    let err: unknown;
    try {
      parseWasteApplication(form({ [field]: value }));
    } catch (e) {
      err = e;
    }
    expect(Object.keys(fields(err as EnrollError))).toEqual([field]);
  });

  it('nested strings are checked too', () => {
    let err: unknown;
    try {
      parseWasteApplication(form({ registeredAddress: { postalCode: '100', address: 'a\u0000' }, contactPhone1: { number: '02-2311-7722', extension: '\uDC00' } }));
    } catch (e) {
      err = e;
    }
    expect(Object.keys(fields(err as EnrollError)).sort()).toEqual(['contactPhone1.extension', 'registeredAddress.address']);
  });

  it('tells file types by content', () => {
    expect(sniffMediaType(PDF)).toBe('application/pdf');
    expect(sniffMediaType(JPEG)).toBe('image/jpeg');
    expect(sniffMediaType(PNG)).toBe('image/png');
    expect(sniffMediaType(new Uint8Array(Buffer.from('MZ\x90\x00')))).toBeUndefined();
    expect(sniffMediaType(new Uint8Array([0x25, 0x50]))).toBeUndefined();
  });

  it('the print layout escapes every value', () => {
    const evil = parseWasteApplication(form({ companyName: '<script>alert(1)</script>&"\'', contactName: '<b>王</b>' }));
    const html = renderWasteApplicationForm(evil, { systemName: '<i>系統</i>' });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>王');
    expect(html).not.toContain('<i>系統');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#38;&#34;&#39;');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('@page');
    expect(html).not.toContain('自訂密碼');
  });
});

describe('an address as 縣市 + 鄉鎮市區 + the rest (no store needed)', () => {

  it('a rest that begins with another 縣市 + 鄉鎮市區 than the ones chosen is MISMATCH naming the address, not an address under the chosen code', () => {
    // Stored before as 臺北市中正區新北市板橋區… with 100: neither the place nor the code of 板橋區 (220).
    expect(issuesOf({ county: '臺北市', district: '中正區', address: '新北市板橋區文化路一段1號' })).toEqual([['registeredAddress.address', 'MISMATCH']]);
    // Another 區 of the same 市, 台 for 臺 and a space as a page may send them.
    expect(issuesOf({ county: '臺北市', district: '中正區', address: '台北市 大安區羅斯福路4段1號' })).toEqual([['registeredAddress.address', 'MISMATCH']]);
    // The chosen ones repeated are still dropped.
    const same = parseWasteApplication(form({ registeredAddress: { county: '臺北市', district: '中正區', address: '台北市 中正區重慶南路一段122號' } }));
    expect(same.registeredAddress).toEqual({ postalCode: '100', address: '臺北市中正區重慶南路一段122號' });
  });
});

describeEachStore('enroll_t_waste_in', (db) => {
  let clock: ManualClock;
  let mailer: CapturingMailer;
  const make = (companies: CompanyRegistry = registry, documents?: { maxBytes?: number; mediaTypes?: readonly ('application/pdf' | 'image/jpeg' | 'image/png')[] }): WasteSystemFlow =>
    new WasteSystemFlow({ store: db(), clock, mailer, companies, ...(documents === undefined ? {} : { documents }) });

  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    mailer = new CapturingMailer();
  });

  describe('郵遞區號 (系統自動產生)', () => {
    it('is generated from 縣市 + 鄉鎮市區 (台 read as 臺), stored and read back; a typed code that agrees is kept', async () => {
      const flow = make();
      const app = await flow.apply(
        form({
          registeredAddress: { county: '新竹市', district: '香山區', address: '中華路五段1號' },
          // A page that still posts its box, and a rest that repeats the 縣市 and 鄉鎮市區.
          mailingAddress: { county: '台北市', district: '中正區', address: '台北市中正區重慶南路一段122號', postalCode: '100048' },
        }),
        APPLICANT,
      );
      const expected = {
        registeredAddress: { postalCode: '300', address: '新竹市香山區中華路五段1號' },
        mailingAddress: { postalCode: '100048', address: '臺北市中正區重慶南路一段122號' },
      };
      expect(app).toMatchObject(expected);
      expect(await flow.get(app.id, APPLICANT)).toMatchObject(expected);
      expect(await flow.printableForm(app.id, APPLICANT)).toContain('郵遞區號：300　新竹市香山區中華路五段1號');
    });

    it('an unknown 縣市 or 鄉鎮市區, or a typed code that disagrees (old callers too), is refused naming the field; nothing is stored', async () => {
      const flow = make();
      const before = await tableCounts(db());
      const issues = async (overrides: Parameters<typeof form>[0]): Promise<Array<[string, string]>> => {
        const err = await enrollFailure(flow.apply(form(overrides), APPLICANT));
        expect(err).toBeInstanceOf(InvalidInputError);
        return (err as InvalidInputError).issues.map((i) => [i.field, i.code]);
      };
      expect(
        await issues({
          registeredAddress: { county: '臺北市', district: '板橋區', address: '文化路一段1號' },
          mailingAddress: { county: '新竹市', district: '東區', address: '光復路二段1號', postalCode: '302' },
        }),
      ).toEqual([
        ['registeredAddress.district', 'NOT_AN_OPTION'],
        ['mailingAddress.postalCode', 'MISMATCH'],
      ]);
      expect(await issues({ registeredAddress: { county: '台灣市', district: '中正區', address: '重慶南路1號' } })).toEqual([['registeredAddress.county', 'NOT_AN_OPTION']]);
      expect(await issues({ registeredAddress: { county: '臺北市', district: '中正區', address: '臺北市中正區' } })).toEqual([['registeredAddress.address', 'REQUIRED']]);
      // The older shape: the code typed, the whole address.
      expect(await issues({ registeredAddress: { postalCode: '103', address: '臺北市中正區重慶南路一段122號' } })).toEqual([['registeredAddress.postalCode', 'MISMATCH']]);
      expect(await issues({ registeredAddress: { postalCode: '100', address: '重慶南路一段122號' } })).toEqual([['registeredAddress.address', 'INVALID_FORMAT']]);
      expect(await tableCounts(db())).toEqual(before);
    });

    it('a host directory replaces the default, for apply and for the selects; a bad one is refused', async () => {
      const postalCodes = new StaticPostalCodeDirectory([{ county: '台北市', district: '中正區', postalCode: '100' }]);
      const flow = new WasteSystemFlow({ store: db(), clock, mailer, companies: registry, postalCodes });
      expect(flow.postalCounties()).toEqual([{ name: '臺北市', districts: [{ name: '中正區', postalCode: '100' }] }]);
      const err = await enrollFailure(flow.apply(form({ registeredAddress: { county: '新竹市', district: '東區', address: '光復路二段1號' } }), APPLICANT));
      expect(Object.keys(fields(err))).toEqual(['registeredAddress.county']);
      expect((await flow.apply(form({ registeredAddress: { county: '臺北市', district: '中正區', address: '重慶南路1號' } }), APPLICANT)).registeredAddress.postalCode).toBe('100');
      expect(() => new WasteSystemFlow({ store: db(), clock, mailer, companies: registry, postalCodes: {} as never })).toThrow(/postalCodes/);
      // The port is the host's: an answer that is no 3-digit code is no 郵遞區號 to store.
      const broken = { find: () => '1', counties: () => [] };
      const refused = await enrollFailure(
        new WasteSystemFlow({ store: db(), clock, mailer, companies: registry, postalCodes: broken }).apply(
          form({ registeredAddress: { county: '臺北市', district: '中正區', address: '重慶南路1號' } }),
          APPLICANT,
        ),
      );
      expect(refused.code).toBe('POSTAL_CODES_UNAVAILABLE');
    });

    it('the selects\' list (postalCounties) says POSTAL_CODES_UNAVAILABLE for a host directory that throws its own error or answers another shape, as apply does', () => {
      const selects = (postalCodes: ConstructorParameters<typeof WasteSystemFlow>[0]['postalCodes']): unknown => {
        try {
          return new WasteSystemFlow({ store: db(), clock, mailer, companies: registry, postalCodes }).postalCounties();
        } catch (error) {
          return error instanceof EnrollError ? error.code : error;
        }
      };
      const failing = new Error('ENOENT: the host\'s table file is missing');
      expect(selects({ find: () => undefined, counties: () => { throw failing; } })).toBe('POSTAL_CODES_UNAVAILABLE');
      expect(selects({ find: () => undefined, counties: () => 'not a list' as never })).toBe('POSTAL_CODES_UNAVAILABLE');
      expect(selects({ find: () => undefined, counties: () => [{ name: '臺北市', districts: [{ name: '中正區', postalCode: '1' }] }] })).toBe('POSTAL_CODES_UNAVAILABLE');
      expect(selects({ find: () => undefined, counties: () => [{ name: '臺北市', districts: [{ name: '中正區', postalCode: '100' }] }] })).toEqual([
        { name: '臺北市', districts: [{ name: '中正區', postalCode: '100' }] },
      ]);
    });

    it('a host list that throws as it is read (a lazy row\'s getter) is POSTAL_CODES_UNAVAILABLE for the selects and 送出, not a 500', async () => {
      const lazy = {
        get name(): string {
          throw new Error('row not loaded');
        },
        districts: [{ name: '中正區', postalCode: '100' }],
      };
      // find() does not know the pair, so apply reads the list too (a former 縣's name, the 縣市 known at all).
      const postalCodes = { find: () => undefined, counties: () => [lazy] };
      const flow = new WasteSystemFlow({ store: db(), clock, mailer, companies: registry, postalCodes });
      let selects: unknown;
      try {
        flow.postalCounties();
      } catch (error) {
        selects = error;
      }
      expect(selects).toMatchObject({ name: 'EnrollError', code: 'POSTAL_CODES_UNAVAILABLE', cause: { message: 'row not loaded' } });
      const refused = await enrollFailure(flow.apply(form({ registeredAddress: { county: '臺北市', district: '中正區', address: '重慶南路1號' } }), APPLICANT));
      expect(refused).toMatchObject({ code: 'POSTAL_CODES_UNAVAILABLE', cause: { message: 'row not loaded' } });
    });
  });

  describe('載入', () => {
    it('empty → 請輸入統一編號; bad checksum → INVALID_INPUT; unknown → NOT_FOUND', async () => {
      const flow = make();
      expect(fields(await enrollFailure(flow.loadCompany(''))).businessId).toBe('請輸入統一編號');
      expect((await enrollFailure(flow.loadCompany('12345678'))).code).toBe('INVALID_INPUT');
      expect((await enrollFailure(flow.loadCompany('22099131'))).code).toBe('NOT_FOUND');
    });

    it('an address of a former 縣 fills the selects with today\'s 縣市 and 區; the registry\'s address and code are shown as stored', async () => {
      const older = new StaticCompanyRegistry([
        { businessId: COMPANY.businessId, companyName: '公司', registeredAddress: { postalCode: '830', address: '臺灣省高雄縣鳳山市光復路二段132號' } },
      ]);
      expect((await make(older).loadCompany(COMPANY.businessId)).registeredAddress).toEqual({
        postalCode: '830',
        address: '臺灣省高雄縣鳳山市光復路二段132號',
        parts: { county: '高雄市', district: '鳳山區', address: '光復路二段132號' },
      });
    });

    it('a former 縣轄市 without its 縣 fills the selects too', async () => {
      const older = new StaticCompanyRegistry([
        { businessId: COMPANY.businessId, companyName: '公司', registeredAddress: { postalCode: '220', address: '板橋市文化路一段1號' } },
      ]);
      expect((await make(older).loadCompany(COMPANY.businessId)).registeredAddress).toEqual({
        postalCode: '220',
        address: '板橋市文化路一段1號',
        parts: { county: '新北市', district: '板橋區', address: '文化路一段1號' },
      });
    });

    it('today\'s 縣轄市 without its 縣 fills the selects with its 縣 and 市, and its code is checked', async () => {
      const today = (postalCode: string): StaticCompanyRegistry =>
        new StaticCompanyRegistry([{ businessId: COMPANY.businessId, companyName: '公司', registeredAddress: { postalCode, address: '竹北市光明六路10號' } }]);
      expect((await make(today('302')).loadCompany(COMPANY.businessId)).registeredAddress).toEqual({
        postalCode: '302',
        address: '竹北市光明六路10號',
        parts: { county: '新竹縣', district: '竹北市', address: '光明六路10號' },
      });
      expect((await make(today('300')).loadCompany(COMPANY.businessId)).registeredAddress).toMatchObject({ postalCodeMismatch: { directoryPostalCode: '302' } });
    });

    it('checks the registry\'s own 郵遞區號 against the directory\'s for its address: a mismatch is flagged with the directory\'s code, the form still filled', async () => {
      const registryOf = (postalCode: string, address: string): StaticCompanyRegistry =>
        new StaticCompanyRegistry([{ businessId: COMPANY.businessId, companyName: '公司', representativeName: '林大同', registeredAddress: { postalCode, address } }]);
      // 新北市板橋區 is 220; the registry stored 臺北市中正區's 100 with it.
      expect(await make(registryOf('100', '新北市板橋區文化路一段1號')).loadCompany(COMPANY.businessId)).toEqual({
        businessId: COMPANY.businessId,
        companyName: '公司',
        representativeName: '林大同',
        registeredAddress: {
          postalCode: '100',
          address: '新北市板橋區文化路一段1號',
          parts: { county: '新北市', district: '板橋區', address: '文化路一段1號' },
          postalCodeMismatch: { directoryPostalCode: '220' },
        },
      });
      // A former 縣's address against today's code, and a 3+3 code: compared by the first 3 digits.
      expect((await make(registryOf('830', '高雄縣岡山鎮岡山路1號')).loadCompany(COMPANY.businessId)).registeredAddress).toMatchObject({
        parts: { county: '高雄市', district: '岡山區' },
        postalCodeMismatch: { directoryPostalCode: '820' },
      });
      for (const [code, address] of [
        ['220041', '新北市板橋區文化路一段1號'],
        ['820', '臺灣省高雄縣岡山鎮岡山路1號'],
        ['10048', '臺北市中正區重慶南路一段122號'],
      ] as const) {
        const loaded = (await make(registryOf(code, address)).loadCompany(COMPANY.businessId)).registeredAddress;
        expect(loaded?.parts, address).toBeDefined();
        expect(loaded, address).not.toHaveProperty('postalCodeMismatch');
      }
      // An address without a 縣市 + 鄉鎮市區 to check against is given as stored, unflagged.
      expect((await make(registryOf('100', '文化路一段1號')).loadCompany(COMPANY.businessId)).registeredAddress).toEqual({ postalCode: '100', address: '文化路一段1號' });
    });

    it('a 郵遞區號 directory that cannot be read leaves the company\'s data loading: the stored code, flagged, no parts', async () => {
      for (const failure of [new EnrollError('POSTAL_CODES_UNAVAILABLE', 'the table could not be loaded'), new Error('EIO')]) {
        const down = {
          find: (): string | undefined => {
            throw failure;
          },
          counties: (): readonly PostalCounty[] => {
            throw failure;
          },
        };
        const flow = new WasteSystemFlow({ store: db(), clock, mailer, companies: registry, postalCodes: down });
        expect(await flow.loadCompany(COMPANY.businessId)).toEqual({
          businessId: COMPANY.businessId,
          companyName: '測試環保股份有限公司',
          representativeName: '林大同',
          registeredAddress: { postalCode: '100', address: '臺北市中正區重慶南路一段122號', postalCodesUnavailable: true },
        });
        // No code can be generated meanwhile: apply says why, typed, whichever the directory threw.
        const refused = await enrollFailure(flow.apply(form({ registeredAddress: { county: '臺北市', district: '中正區', address: '重慶南路1號' } }), APPLICANT));
        expect(refused.code).toBe('POSTAL_CODES_UNAVAILABLE');
      }
    });

    it('a failing or garbled registry is COMPANY_REGISTRY_FAILURE, never a crash', async () => {
      const down: CompanyRegistry = { findByBusinessId: () => Promise.reject(new Error('ECONNREFUSED')) };
      expect((await enrollFailure(make(down).loadCompany(COMPANY.businessId))).code).toBe('COMPANY_REGISTRY_FAILURE');
      // A host's registry (StaticCompanyRegistry refuses such entries when built): its answer is checked at 載入.
      const answering = (record: CompanyRecord): CompanyRegistry => ({ findByBusinessId: () => Promise.resolve(record) });
      const garbled = answering({ businessId: COMPANY.businessId, companyName: 'a\u0000' });
      expect((await enrollFailure(make(garbled).loadCompany(COMPANY.businessId))).code).toBe('COMPANY_REGISTRY_FAILURE');
      const partial = answering({ businessId: COMPANY.businessId, companyName: '公司', registeredAddress: { postalCode: 'x', address: '臺北市' } });
      expect(await make(partial).loadCompany(COMPANY.businessId)).toEqual({ businessId: COMPANY.businessId, companyName: '公司' });
    });
  });

  describe('uploads', () => {
    let app: WasteApplication;
    beforeEach(async () => {
      app = await make().apply(form(), APPLICANT);
    });

    it('refuses an oversized, empty, mistyped or renamed file, naming document.content; nothing is stored', async () => {
      const flow = make(registry, { maxBytes: 64, mediaTypes: ['application/pdf', 'image/png'] });
      const before = await tableCounts(db());
      const big = new Uint8Array(65);
      big.set(PDF.subarray(0, 5));
      const cases: Array<[Uint8Array | string, string]> = [
        [big, '超過上限'],
        [new Uint8Array(0), 'empty'],
        [JPEG, '檔案格式'],
        [new Uint8Array(Buffer.from('MZ\x90\x00 this is an executable')), '檔案格式'],
        ['%PDF-1.7 as a string', 'Uint8Array'],
      ];
      for (const [content, reason] of cases) {
        const err = await enrollFailure(flow.uploadDocument(app.id, { kind: 'applicationForm', content: content as Uint8Array, fileName: 'scan.pdf' }, APPLICANT));
        expect(fields(err)['document.content']).toContain(reason);
      }
      const kind = await enrollFailure(flow.uploadDocument(app.id, { kind: 'passport' as never, content: PDF }, APPLICANT));
      expect(Object.keys(fields(kind))).toEqual(['document.kind']);
      const name = await enrollFailure(flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF, fileName: 'a\u0000.pdf' }, APPLICANT));
      expect(Object.keys(fields(name))).toEqual(['document.fileName']);
      expect(await tableCounts(db())).toEqual(before);
    });

    it('a PNG named .pdf is stored as a PNG; a second upload of a kind replaces the first', async () => {
      const flow = make();
      expect((await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PNG, fileName: 'scan.pdf' }, APPLICANT)).mediaType).toBe('image/png');
      const replaced = await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
      expect(replaced.mediaType).toBe('application/pdf');
      expect(replaced.fileName).toBeUndefined();
      const docs = await flow.listDocuments(app.id, APPLICANT);
      expect(docs).toHaveLength(1);
      expect(Buffer.from((await flow.getDocument(app.id, 'applicationForm', APPLICANT)).content).equals(Buffer.from(PDF))).toBe(true);
    });

    it('the caller’s buffer can be reused after the upload', async () => {
      const flow = make();
      const buf = new Uint8Array(PDF);
      const info = await flow.uploadDocument(app.id, { kind: 'businessRegistration', content: buf }, APPLICANT);
      buf.fill(0);
      const doc = await flow.getDocument(app.id, 'businessRegistration', APPLICANT);
      expect(Buffer.from(doc.content).equals(Buffer.from(PDF))).toBe(true);
      expect(doc.sha256).toBe(info.sha256);
    });
  });

  it('impossible limits are a RangeError at construction', () => {
    expect(() => make(registry, { maxBytes: 0 })).toThrow(RangeError);
    expect(() => make(registry, { mediaTypes: [] })).toThrow(RangeError);
    expect(() => make(registry, { mediaTypes: ['text/html' as never] })).toThrow(RangeError);
  });

  it('bad IDs and actors are INVALID_INPUT naming them', async () => {
    const flow = make();
    const err = await enrollFailure(flow.submitForReview('42', { role: 'superuser', id: '' } as never));
    expect(Object.keys(fields(err)).sort()).toEqual(['actor.id', 'actor.role', 'applicationId']);
    expect(Object.keys(fields(await enrollFailure(flow.approve('x', { role: 'reviewer', id: 's' }, 'a\u0000'))))).toEqual(['applicationId', 'note']);
  });
});
