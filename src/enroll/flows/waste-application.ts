/**
 * 帳號申請 of the waste system (圖 1-1 網路帳號密碼申請書): the form's fields
 * validated all at once, the 載入 button's company lookup, and the new
 * application. 自訂密碼 is the host system's: the form has no password field and
 * one passed by mistake is refused, never stored.
 */
import { randomUUID } from 'node:crypto';
import { parseActor, type Actor } from '../domain/actor.js';
import {
  parseBusinessId,
  parseEmail,
  parseNationalId,
  parsePhone,
  parseRequiredText,
  textDefect,
  type BusinessId,
  isBlank,
} from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import type { LoginMethodStatus } from '../machine/login-machine.js';
import { assertEventAllowed } from '../machine/machine.js';
import { WASTE_APPLICATION_MACHINE } from '../machine/waste-machine.js';
import { twzipcodeDirectory } from '../adapters/twzipcode.js';
import { isPostalAddressCode, type PostalAddress } from '../ports/company-registry.js';
import { foldPlaceName, type PostalCodeDirectory } from '../ports/postal-code-directory.js';
import { recordTransition } from '../store/audit.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { SqlSession } from '../store/store.js';
import { WASTE_COMMANDS, authorize } from './authorization.js';
import { LOGIN_METHOD_LABELS, type LoginMethod } from './login-records.js';
import { areaPrefix, locateArea } from './waste-areas.js';
import { insertApplication, lockAwaitingDocuments, updateStatus, type PhoneNumber, type WasteApplication, type WasteApplicationForm } from './waste-records.js';
import { LOGIN_METHODS, guardWaste, parseOptionalControlNumber, wastePostalCodes, type WasteSystemOptions } from './waste-shared.js';

/** A phone number as typed: the number and an optional 分機. */
export interface PhoneInput {
  /** The number, e.g. `02-2311-7722`. */
  readonly number: string;
  /** 分機 (digits), if any. */
  readonly extension?: string;
}

/**
 * An address as 圖 1-1 takes it: 縣市 and 鄉鎮市區 (縣市別及郵遞區號輔助填寫), then the rest; the 郵遞區號 is the
 * directory's for the first two (系統自動產生). An unknown 縣市 or 鄉鎮市區 is `NOT_AN_OPTION` naming
 * `….county` or `….district`.
 */
export interface DistrictAddressInput {
  /**
   * 縣市, e.g. `臺北市` (台北市, full-width or spaced forms are read as 臺北市). A 縣 of before the 2010 / 2014 upgrades
   * (臺北縣, 臺中縣, 臺南縣, 高雄縣, 桃園縣) with one of its 鄉, 鎮 or 縣轄市, by the name it had (新市鄉; 新市市 is
   * `NOT_AN_OPTION` naming `….district`), is read as today's 縣市 and 區, and stored so.
   */
  readonly county: string;
  /** 鄉鎮市區, e.g. `中正區` (or a former 縣's `板橋市`, read as 新北市 `板橋區`). */
  readonly district: string;
  /**
   * The rest: 村里, 路街, 門牌, e.g. `重慶南路一段122號`. A rest that repeats the 縣市 and 鄉鎮市區 loses the repeat; one
   * that begins with another 縣市 and 鄉鎮市區 is `MISMATCH` naming `….address`.
   */
  readonly address: string;
  /**
   * 郵遞區號 as a page that still has the box sends it: optional, and checked. 3, 5 or 6 digits whose first 3 are
   * the directory's for the 縣市 and 鄉鎮市區 (else `MISMATCH` naming `….postalCode`); one that agrees is kept, since a
   * 3+2 or 3+3 code says more than the 3 digits the directory gives.
   */
  readonly postalCode?: string;
}

/**
 * The address as the form took it before the 郵遞區號 was generated: the code typed and the whole address.
 * Still accepted, and checked: the address must begin with its 縣市 and 鄉鎮市區 (as this field always asked), which
 * must be the directory's or a former 縣's, or with a former 縣轄市 alone that no other place shares the name of
 * (板橋市…; not 桃園市…, also today's city) (`INVALID_FORMAT` naming `….address` otherwise, with the reason), and the
 * code's first 3 digits theirs (`MISMATCH` naming `….postalCode`).
 * @deprecated Send a {@link DistrictAddressInput}: 縣市, 鄉鎮市區 and the rest, the 郵遞區號 generated.
 */
export interface TypedPostalAddressInput {
  /** 郵遞區號: 3, 5 or 6 digits. */
  readonly postalCode: string;
  /** 縣市, 鄉鎮市區 and the rest. */
  readonly address: string;
}

/** A postal address of the form: {@link DistrictAddressInput}, or the older {@link TypedPostalAddressInput}. */
export type PostalAddressInput = DistrictAddressInput | TypedPostalAddressInput;

/** The 網路帳號密碼申請書 as the company fills it in (圖 1-1), minus 自訂密碼. */
export interface WasteApplicationInput {
  /** 營利事業統一編號 */
  readonly businessId: string;
  /** 廢棄物管制編號: 有管制編號請輸入, 沒有就請空白. */
  readonly controlNumber?: string;
  /** 公司名稱 */
  readonly companyName: string;
  /** 負責人名稱 */
  readonly representativeName: string;
  /** 負責人身分證字號 */
  readonly representativeId: string;
  /** 營利事業登記地址 */
  readonly registeredAddress: PostalAddressInput;
  /** 營利事業通訊地址, or `sameAsRegistered` (the form's 請不用重複填寫 button). */
  readonly mailingAddress: PostalAddressInput | 'sameAsRegistered';
  /** 承辦人名稱 */
  readonly contactName: string;
  /** 承辦人電話1 with 分機. */
  readonly contactPhone1: PhoneInput;
  /** 承辦人電話2, optional. */
  readonly contactPhone2?: PhoneInput;
  /** 承辦人傳真號碼 */
  readonly contactFax: string;
  /** 承辦人郵件信箱 */
  readonly contactEmail: string;
  /**
   * 自然人憑證登入 / 工商憑證登入: each 啟用 or 停用 (anything else is `NOT_AN_OPTION` naming
   * `methods.citizenCard` / `methods.companyCard`). Both 停用 is allowed: the two rows are
   * the 申請書's only unstarred ones, so it is then an application for the 網路帳號 alone.
   */
  readonly methods: Readonly<Record<LoginMethod, LoginMethodStatus>>;
}

/** The form's Chinese labels by input field, for marking the fields an INVALID_INPUT names. */
export const WASTE_FORM_LABELS: Readonly<Record<keyof WasteApplicationInput, string>> = {
  businessId: '營利事業統一編號',
  controlNumber: '廢棄物管制編號',
  companyName: '公司名稱',
  representativeName: '負責人名稱',
  representativeId: '負責人身分證字號',
  registeredAddress: '營利事業登記地址',
  mailingAddress: '營利事業通訊地址',
  contactName: '承辦人名稱',
  contactPhone1: '承辦人電話1',
  contactPhone2: '承辦人電話2',
  contactFax: '承辦人傳真號碼',
  contactEmail: '承辦人郵件信箱',
  methods: '登入方式',
};

/**
 * The words 圖 1-1 prints beside a field, by input field: what a page shows for that field's problem, in place of
 * (for a missing value) or after the catalogue's general `field.*` text. The other fields have none in the manual;
 * 自訂密碼's (請輸入英文及數字及特殊字元) is the host system's, as the password is.
 */
export const WASTE_FORM_PROMPTS: Readonly<Partial<Record<keyof WasteApplicationInput, string>>> = {
  businessId: '請輸入統一編號',
  controlNumber: '有管制編號請輸入, 沒有就請空白',
};

/** What 載入 fills into the form. */
export interface CompanyPrefill {
  /** 營利事業統一編號 */
  readonly businessId: BusinessId;
  /** 公司名稱 */
  readonly companyName: string;
  /** 負責人名稱, when the registry has it. */
  readonly representativeName?: string;
  /** 營利事業登記地址, when the registry has it. */
  readonly registeredAddress?: PrefilledAddress;
}

/** 營利事業登記地址 as 載入 fills it in. */
export interface PrefilledAddress extends PostalAddress {
  /**
   * The address as the form's 縣市 and 鄉鎮市區 selects and its text box take it, when it begins with a 縣市 and
   * 鄉鎮市區 of the directory (names as the directory spells them). An older record's former 縣 is given as today's
   * 縣市 and 區 (臺北縣板橋市… → 新北市, 板橋區), whose 郵遞區號 it kept, and so is a former 縣轄市 written alone when
   * no other place has its name (板橋市… → 新北市, 板橋區).
   */
  readonly parts?: DistrictAddressInput;
  /**
   * Set when the 郵遞區號 directory could not be read (`POSTAL_CODES_UNAVAILABLE`): `parts` is absent for that reason
   * alone, and `postalCode` is the registry's as stored, not checked against the directory. Until it is back, the
   * form cannot generate a code: `apply` refuses with the same error.
   */
  readonly postalCodesUnavailable?: true;
  /**
   * Set when the registry's `postalCode` is not the directory's for `parts` (its first 3 digits differ, as a typed
   * code is checked): the registry's record disagrees with itself. 載入 still fills the form, `parts` from the
   * address; a page should ask the company to check its address, since the form generates the directory's code for
   * the 縣市 and 鄉鎮市區 it submits (系統自動產生) and never stores the registry's.
   */
  readonly postalCodeMismatch?: PostalCodeMismatch;
}

/** The registry's 郵遞區號 against the directory's, in {@link PrefilledAddress.postalCodeMismatch}. */
export interface PostalCodeMismatch {
  /** The directory's 3 digits for `parts`' 縣市 and 鄉鎮市區: what the form generates for them. */
  readonly directoryPostalCode: string;
}

const PASSWORD_KEYS = ['password', 'customPassword', '自訂密碼'];

/** 統一編號 with the seed's prompt when empty (請輸入統一編號). */
function takeBusinessId(value: unknown, issues: IssueCollector): BusinessId | undefined {
  if (isBlank(value)) {
    issues.add('businessId', 'REQUIRED', WASTE_FORM_PROMPTS.businessId as string);
    return undefined;
  }
  return issues.take(() => parseBusinessId(value));
}

/** A typed 郵遞區號 (3, 5 or 6 digits), `undefined` with an issue when it is not one. */
function takeTypedCode(value: unknown, field: string, issues: IssueCollector): string | undefined {
  const code = issues.take(() => parseRequiredText(value, field, 6));
  if (code === undefined || isPostalAddressCode(code)) return code;
  issues.add(field, 'INVALID_FORMAT', '郵遞區號 must be 3, 5 or 6 digits');
  return undefined;
}

/** A typed code agrees with the directory's when its first 3 digits are the directory's; else MISMATCH naming it. */
function agrees(typed: string, code: string, area: string, field: string, issues: IssueCollector): boolean {
  if (typed.slice(0, 3) === code) return true;
  issues.add(`${field}.postalCode`, 'MISMATCH', `郵遞區號 ${typed} is not ${area}'s (${code})`);
  return false;
}

/**
 * 縣市 + 鄉鎮市區 + the rest: the 郵遞區號 generated (系統自動產生), or a typed one checked against it. A former 縣's
 * names (臺北縣板橋市) are stored as today's (新北市板橋區), the names the code is the directory's for.
 */
function takeDistrictAddress(v: Record<string, unknown>, field: string, issues: IssueCollector, postalCodes: PostalCodeDirectory): PostalAddress | undefined {
  const county = issues.take(() => parseRequiredText(v.county, `${field}.county`, 20));
  const district = issues.take(() => parseRequiredText(v.district, `${field}.district`, 20));
  let rest = issues.take(() => parseRequiredText(v.address, `${field}.address`, 300));
  const typedGiven = !isBlank(v.postalCode);
  const typed = typedGiven ? takeTypedCode(v.postalCode, `${field}.postalCode`, issues) : undefined;
  if (county === undefined || district === undefined) return undefined;
  const area = locateArea(postalCodes, county, district);
  if ('unknown' in area) {
    issues.add(`${field}.${area.unknown}`, 'NOT_AN_OPTION', area.reason);
    return undefined;
  }
  if (rest === undefined || (typedGiven && typed === undefined)) return undefined;
  const chosen = area.county + area.district;
  if (typed !== undefined && !agrees(typed, area.postalCode, chosen, field, issues)) return undefined;
  // The rest may repeat the 縣市 and 鄉鎮市區 chosen (dropped). One that begins with others names another place than
  // the selects, and the code generated for them would go with an address it is not the code of.
  const repeated = areaPrefix(postalCodes, rest);
  if (repeated !== undefined && 'unplaced' in repeated) {
    // Neither kept (the stored address would name two places) nor dropped (it may not be the one chosen).
    issues.add(`${field}.address`, 'INVALID_FORMAT', `${repeated.unplaced}; or leave it out, and give here the rest after the 縣市 and 鄉鎮市區 chosen (路街, 門牌)`);
    return undefined;
  }
  if (repeated !== undefined) {
    if (foldPlaceName(repeated.county + repeated.district) !== foldPlaceName(chosen)) {
      issues.add(
        `${field}.address`,
        'MISMATCH',
        `begins with ${repeated.county}${repeated.district}, not the 縣市 and 鄉鎮市區 chosen (${chosen}): choose them, and give the rest (路街, 門牌) here`,
      );
      return undefined;
    }
    rest = repeated.rest;
  }
  if (rest === '') {
    issues.add(`${field}.address`, 'REQUIRED', 'the rest of the address (路街, 門牌) after 縣市 and 鄉鎮市區');
    return undefined;
  }
  return { postalCode: typed ?? area.postalCode, address: chosen + rest };
}

/** The older shape: a typed 郵遞區號 and the whole address, which must begin with a 縣市 + 鄉鎮市區 the code agrees with. */
function takeTypedAddress(v: Record<string, unknown>, field: string, issues: IssueCollector, postalCodes: PostalCodeDirectory): PostalAddress | undefined {
  const typed = takeTypedCode(v.postalCode, `${field}.postalCode`, issues);
  const whole = issues.take(() => parseRequiredText(v.address, `${field}.address`, 300));
  if (whole === undefined) return undefined;
  const area = areaPrefix(postalCodes, whole);
  if (area === undefined || 'unplaced' in area || area.rest === '') {
    const what =
      area === undefined ? 'must begin with its 縣市 and 鄉鎮市區 (臺北市中正區…)' : 'unplaced' in area ? area.unplaced : 'must go on after 縣市 and 鄉鎮市區 (路街, 門牌)';
    issues.add(`${field}.address`, 'INVALID_FORMAT', `${what}; or send county, district and the rest as address, and the 郵遞區號 is generated`);
    return undefined;
  }
  if (typed === undefined || !agrees(typed, area.postalCode, area.county + area.district, field, issues)) return undefined;
  return { postalCode: typed, address: area.county + area.district + area.rest };
}

function takeAddress(value: unknown, field: string, issues: IssueCollector, postalCodes: PostalCodeDirectory): PostalAddress | undefined {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return v.county !== undefined || v.district !== undefined
    ? takeDistrictAddress(v, field, issues, postalCodes)
    : takeTypedAddress(v, field, issues, postalCodes);
}

function takePhone(value: unknown, field: string, issues: IssueCollector): PhoneNumber | undefined {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const number = issues.take(() => parsePhone(v.number, `${field}.number`));
  let extension: string | undefined;
  if (!isBlank(v.extension)) {
    extension = issues.take(() => parseRequiredText(v.extension, `${field}.extension`, 6));
    if (extension !== undefined && !/^\d{1,6}$/.test(extension)) {
      issues.add(`${field}.extension`, 'INVALID_FORMAT', '分機 must be 1 to 6 digits');
      extension = undefined;
    }
  }
  return number === undefined ? undefined : { number, ...(extension === undefined ? {} : { extension }) };
}

/**
 * Validates the form; INVALID_INPUT lists every bad field at once. Each address's 郵遞區號 comes from
 * `postalCodes` (default {@link twzipcodeDirectory}), by its 縣市 and 鄉鎮市區.
 * @throws `EnrollError` `POSTAL_CODES_UNAVAILABLE` when the directory's table cannot be read.
 */
export function parseWasteApplication(input: unknown, postalCodes: PostalCodeDirectory = twzipcodeDirectory): WasteApplicationForm {
  const issues = new IssueCollector();
  const v = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  for (const key of PASSWORD_KEYS) {
    if (key in v) issues.add(key, 'NOT_KEPT', '自訂密碼 belongs to the host system: keep it there; the SDK stores no password');
  }
  const businessId = takeBusinessId(v.businessId, issues);
  const controlNumber = issues.take(() => parseOptionalControlNumber(v.controlNumber));
  const companyName = issues.take(() => parseRequiredText(v.companyName, 'companyName'));
  const representativeName = issues.take(() => parseRequiredText(v.representativeName, 'representativeName', 100));
  const representativeId = issues.take(() => parseNationalId(v.representativeId, 'representativeId'));
  const registeredAddress = takeAddress(v.registeredAddress, 'registeredAddress', issues, postalCodes);
  const mailingAddress = v.mailingAddress === 'sameAsRegistered' ? registeredAddress : takeAddress(v.mailingAddress, 'mailingAddress', issues, postalCodes);
  const contactName = issues.take(() => parseRequiredText(v.contactName, 'contactName', 100));
  const contactPhone1 = takePhone(v.contactPhone1, 'contactPhone1', issues);
  const contactPhone2 = isBlank(v.contactPhone2) ? undefined : takePhone(v.contactPhone2, 'contactPhone2', issues);
  const contactFax = issues.take(() => parsePhone(v.contactFax, 'contactFax'));
  const contactEmail = issues.take(() => parseEmail(v.contactEmail, 'contactEmail'));
  const m = (typeof v.methods === 'object' && v.methods !== null ? v.methods : {}) as Record<string, unknown>;
  for (const method of LOGIN_METHODS) {
    if (m[method] !== 'enabled' && m[method] !== 'disabled') issues.add(`methods.${method}`, 'NOT_AN_OPTION', `${LOGIN_METHOD_LABELS[method]}: choose 啟用 (enabled) or 停用 (disabled)`);
  }
  issues.throwIfAny();
  return {
    businessId: businessId as BusinessId,
    ...(controlNumber === '' || controlNumber === undefined ? {} : { controlNumber }),
    companyName: companyName as string,
    representativeName: representativeName as string,
    representativeId: representativeId as WasteApplicationForm['representativeId'],
    registeredAddress: registeredAddress as PostalAddress,
    mailingAddress: mailingAddress as PostalAddress,
    contactName: contactName as string,
    contactPhone1: contactPhone1 as PhoneNumber,
    ...(contactPhone2 === undefined ? {} : { contactPhone2 }),
    contactFax: contactFax as string,
    contactEmail: contactEmail as WasteApplicationForm['contactEmail'],
    methods: { citizenCard: m.citizenCard as LoginMethodStatus, companyCard: m.companyCard as LoginMethodStatus },
  };
}

/**
 * 送出: records the application (`awaitingDocuments`), replacing one of the company left awaiting its
 * documents for `unfinishedTtlMs`; next, print it and upload the stamped copy.
 */
export async function apply(o: WasteSystemOptions, input: WasteApplicationInput, actor: Actor, unfinishedTtlMs: number): Promise<WasteApplication> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const form = issues.take(() => parseWasteApplication(input, wastePostalCodes(o)));
  issues.throwIfAny();
  const f = form as WasteApplicationForm;
  const id = randomUUID();
  return guardWaste(o, async () => {
    authorize(WASTE_COMMANDS, 'apply', who as Actor, { subject: id });
    try {
      return await o.store.transaction(async (tx) => {
        const at = o.clock.now().toISOString();
        await replaceUnfinished(tx, f, who as Actor, at, unfinishedTtlMs);
        const app = await insertApplication(tx, id, f, (who as Actor).id, at);
        await recordTransition(tx, {
          flow: 'wasteApplication',
          subject: id,
          actor: who as Actor,
          at,
          event: 'apply',
          from: 'none',
          to: app.status,
          reason: `${f.businessId}${f.controlNumber === undefined ? '' : `/${f.controlNumber}`}: citizenCard=${f.methods.citizenCard}, companyCard=${f.methods.companyCard}`,
        });
        return app;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'enroll_waste_applications_open_key')) {
        throw new EnrollError('APPLICATION_IN_PROGRESS', '此統一編號及管制編號已有申請中的案件，請勿重複申請');
      }
      throw err;
    }
  });
}

/**
 * Retires the company's application still waiting for its documents once
 * `unfinishedTtlMs` passed since it last changed, so a new one can start;
 * a younger one keeps the company (APPLICATION_IN_PROGRESS from the insert).
 */
async function replaceUnfinished(tx: SqlSession, f: WasteApplicationForm, who: Actor, at: string, unfinishedTtlMs: number): Promise<void> {
  const open = await lockAwaitingDocuments(tx, f.businessId, f.controlNumber ?? '');
  if (open === undefined || new Date(at).getTime() - new Date(open.updatedAt).getTime() < unfinishedTtlMs) return;
  assertEventAllowed(WASTE_APPLICATION_MACHINE, open.status, 'abandon');
  await updateStatus(tx, open.id, 'abandoned', at);
  await recordTransition(tx, {
    flow: 'wasteApplication',
    subject: open.id,
    actor: who,
    at,
    event: 'abandon',
    from: open.status,
    to: 'abandoned',
    reason: '申請書逾期未上傳，由新申請取代',
  });
}

function registryText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' || t.length > max || textDefect(t) !== undefined ? undefined : t;
}

/** 載入: the company's registered data for the form; NOT_FOUND when the registry has none. Loads without the 郵遞區號 directory (see {@link prefilled}). */
export async function loadCompany(o: WasteSystemOptions, businessId: string): Promise<CompanyPrefill> {
  const issues = new IssueCollector();
  const bid = takeBusinessId(businessId, issues);
  issues.throwIfAny();
  const id = bid as BusinessId;
  let found: unknown;
  try {
    found = await o.companies.findByBusinessId(id);
  } catch (err) {
    throw new EnrollError('COMPANY_REGISTRY_FAILURE', `the company registry could not answer for ${id}`, { cause: err });
  }
  if (found === undefined || found === null) throw new EnrollError('NOT_FOUND', `查無統一編號 ${id} 之公司資料，請自行填寫`);
  // The registry is outside the SDK: its answer is validated like any input.
  const r = (typeof found === 'object' ? found : {}) as Record<string, unknown>;
  const companyName = registryText(r.companyName, 200);
  if (companyName === undefined || r.businessId !== id) {
    throw new EnrollError('COMPANY_REGISTRY_FAILURE', `the company registry answered for ${id} without a usable record`);
  }
  const representativeName = registryText(r.representativeName, 100);
  const a = (typeof r.registeredAddress === 'object' && r.registeredAddress !== null ? r.registeredAddress : {}) as Record<string, unknown>;
  const postalCode = registryText(a.postalCode, 6);
  const address = registryText(a.address, 300);
  return {
    businessId: id,
    companyName,
    ...(representativeName === undefined ? {} : { representativeName }),
    ...(postalCode === undefined || address === undefined || !isPostalAddressCode(postalCode) ? {} : { registeredAddress: prefilled(o, postalCode, address) }),
  };
}

/**
 * The registry's address, with its parts for the form when it begins with a 縣市 and 鄉鎮市區 of the directory (a
 * former 縣's names given as today's, the names the selects offer), and its code checked against them: a mismatch is
 * flagged, not refused, since nothing of 載入 is stored and refusing would withhold the company's name as well. When
 * the directory cannot answer, the company's data still loads: the address and code as the registry stores them,
 * without parts, flagged.
 */
function prefilled(o: WasteSystemOptions, postalCode: string, address: string): PrefilledAddress {
  let area: ReturnType<typeof areaPrefix>;
  try {
    area = areaPrefix(wastePostalCodes(o), address);
  } catch (error) {
    if (error instanceof EnrollError && error.code === 'POSTAL_CODES_UNAVAILABLE') return { postalCode, address, postalCodesUnavailable: true };
    throw error;
  }
  // An address that begins with a place it cannot read (UnplacedPrefix) fills no selects, as one naming none, and
  // leaves nothing to check the code against.
  if (area === undefined || 'unplaced' in area) return { postalCode, address };
  return {
    postalCode,
    address,
    parts: { county: area.county, district: area.district, address: area.rest },
    ...(postalCode.slice(0, 3) === area.postalCode ? {} : { postalCodeMismatch: { directoryPostalCode: area.postalCode } }),
  };
}
