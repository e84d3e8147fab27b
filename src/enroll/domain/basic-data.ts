/**
 * 帳號申請(1/2)：基本資料填寫. Every field is required (seed: 帳號申請之資料欄位皆須填寫)
 * and the set is compared with the EMS basic data sheet (基本資料表C).
 */
import { IssueCollector } from '../errors.js';
import { parseControlNumber, parseEmail, parseRequiredText, type ControlNumber, type EmailAddress } from './identifiers.js';

/** The applicant's typed basic data. */
export interface BasicData {
  /** 管制編號 */
  readonly controlNumber: ControlNumber;
  /** 公司名稱 */
  readonly companyName: string;
  /** 公司/營業登記負責人姓名 */
  readonly responsiblePerson: string;
  /** 事業地址 */
  readonly facilityAddress: string;
  /** 事業電子郵件信箱 (as typed; activation mail never goes here, only to the EMS one). */
  readonly facilityEmail: EmailAddress;
  /** 郵寄地址 */
  readonly mailingAddress: string;
  /** 聯絡人 */
  readonly contactName: string;
  /** 聯絡人電子信箱 */
  readonly contactEmail: EmailAddress;
}

/** Keys of {@link BasicData}, in the form's order. */
export type BasicDataField = keyof BasicData;

/** Form order of the basic-data fields. */
export const BASIC_DATA_FIELDS: readonly BasicDataField[] = [
  'controlNumber',
  'companyName',
  'responsiblePerson',
  'facilityAddress',
  'facilityEmail',
  'mailingAddress',
  'contactName',
  'contactEmail',
];

/** The seed's labels for each field, for result pages (帳號申請結果). */
export const BASIC_DATA_LABELS: Readonly<Record<BasicDataField, string>> = {
  controlNumber: '管制編號',
  companyName: '公司名稱',
  responsiblePerson: '公司/營業登記負責人姓名',
  facilityAddress: '事業地址',
  facilityEmail: '事業電子郵件信箱',
  mailingAddress: '郵寄地址',
  contactName: '聯絡人',
  contactEmail: '聯絡人電子信箱',
};

/**
 * An e-mail address compared with EMS: checked as every address is, then kept as typed (trimmed). The checked form
 * folds full-width characters, and comparing that would pass `ｓｅｒｖｉｃｅ＠…` against EMS's `service@…` under the
 * strict policy (完全一致才算通過); the comparator's own policy decides what counts as the same.
 */
function comparedEmail(value: unknown, field: string): EmailAddress {
  parseEmail(value, field);
  return (value as string).trim() as EmailAddress;
}

/** Validates the form: reports every missing or malformed field at once. */
export function parseBasicData(value: unknown, field = 'basicData'): BasicData {
  const issues = new IssueCollector();
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) issues.add(field, 'REQUIRED', 'basic data is required');
  const f = (k: BasicDataField): string => `${field}.${k}`;
  const data = {
    controlNumber: issues.take(() => parseControlNumber(v.controlNumber, f('controlNumber'))),
    companyName: issues.take(() => parseRequiredText(v.companyName, f('companyName'))),
    responsiblePerson: issues.take(() => parseRequiredText(v.responsiblePerson, f('responsiblePerson'))),
    facilityAddress: issues.take(() => parseRequiredText(v.facilityAddress, f('facilityAddress'))),
    facilityEmail: issues.take(() => comparedEmail(v.facilityEmail, f('facilityEmail'))),
    mailingAddress: issues.take(() => parseRequiredText(v.mailingAddress, f('mailingAddress'))),
    contactName: issues.take(() => parseRequiredText(v.contactName, f('contactName'))),
    contactEmail: issues.take(() => parseEmail(v.contactEmail, f('contactEmail'))),
  };
  issues.throwIfAny();
  return data as BasicData;
}
