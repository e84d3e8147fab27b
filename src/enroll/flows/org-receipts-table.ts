/**
 * The SQL of the organization flow's two logs: `enroll_org_registration_records`
 * (查詢憑證註冊收件紀錄) and `enroll_org_consents` (用戶約定條款 accepted per
 * sub-function).
 */
import { isoOf, optionalText } from '../store/rows.js';
import type { SqlSession } from '../store/store.js';
import { recordFromRow, type RegistrationItem, type RegistrationRecord } from './org-records.js';

/**
 * One consent to the 用戶約定條款: an administrator's (首次註冊, 更換…: `administratorSerial`), or the 申請人's of a
 * review filed at 機關憑證確認 (`requestReview`, before any administrator is named: `organizationSerial` and
 * `applicant`).
 */
export interface OrgConsent {
  /** Sub-function (首次註冊, 更換…). */
  subFunction: string;
  /** Terms version accepted. */
  termsVersion: string;
  /** Serial of the administrator card that accepted; absent for a consent given with a review filed at 機關憑證確認. */
  administratorSerial?: string;
  /** Serial of the agency card a review was filed with at 機關憑證確認; absent for an administrator's consent. */
  organizationSerial?: string;
  /** The 申請人 who filed that review (姓名, 電話); absent for an administrator's consent. */
  applicant?: {
    /** 姓名 */
    name: string;
    /** 電話, as entered. */
    phone: string;
  };
  /** When (ISO). */
  acceptedAt: string;
}

/** Appends one row to 憑證註冊收件紀錄. */
export async function addRecord(tx: SqlSession, code: string, name: string, item: RegistrationItem, at: string): Promise<void> {
  await tx.query('INSERT INTO enroll_org_registration_records (agency_code, organization_name, item, received_at) VALUES ($1,$2,$3,$4)', [
    code,
    name,
    item,
    at,
  ]);
}

/** An agency's registration records, oldest first. */
export async function recordsOf(tx: SqlSession, code: string): Promise<RegistrationRecord[]> {
  return (await tx.query('SELECT * FROM enroll_org_registration_records WHERE agency_code=$1 ORDER BY id', [code])).map(recordFromRow);
}

/** Records consent to the 用戶約定條款 for one sub-function (terms version and time). */
export async function recordConsent(tx: SqlSession, code: string, subFunction: RegistrationItem, termsVersion: string, adminSerial: string, at: string): Promise<void> {
  await tx.query(
    'INSERT INTO enroll_org_consents (agency_code, sub_function, terms_version, admin_certificate_serial, accepted_at) VALUES ($1,$2,$3,$4,$5)',
    [code, subFunction, termsVersion, adminSerial, at],
  );
}

/**
 * Records the consent of the 申請人 who files a review at 機關憑證確認 (migration 0015): the agency card and the
 * 申請人's 姓名 and 電話 stand where an administrator card's serial would.
 */
export async function recordReviewConsent(
  tx: SqlSession,
  code: string,
  termsVersion: string,
  orgSerial: string,
  applicant: { readonly name: string; readonly phone: string },
  at: string,
): Promise<void> {
  const item: RegistrationItem = '首次註冊';
  await tx.query(
    `INSERT INTO enroll_org_consents (agency_code, sub_function, terms_version, org_certificate_serial, applicant_name, applicant_phone, accepted_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [code, item, termsVersion, orgSerial, applicant.name, applicant.phone, at],
  );
}

/** An agency's consents, oldest first. */
export async function consentsOf(tx: SqlSession, code: string): Promise<OrgConsent[]> {
  const rows = await tx.query('SELECT * FROM enroll_org_consents WHERE agency_code=$1 ORDER BY accepted_at, id', [code]);
  return rows.map((r) => {
    const admin = optionalText(r.admin_certificate_serial);
    const org = optionalText(r.org_certificate_serial);
    const name = optionalText(r.applicant_name);
    const phone = optionalText(r.applicant_phone);
    return {
      subFunction: String(r.sub_function),
      termsVersion: String(r.terms_version),
      // Migration 0015's CHECK: the administrator's serial, or the agency card with the 申請人 (a row written before
      // it always has the serial).
      ...(admin === undefined ? {} : { administratorSerial: admin }),
      ...(org === undefined ? {} : { organizationSerial: org }),
      ...(name === undefined || phone === undefined ? {} : { applicant: { name, phone } }),
      acceptedAt: isoOf(r.accepted_at),
    };
  });
}
