/**
 * The SQL of the organization flow's two logs: `enroll_org_registration_records`
 * (查詢憑證註冊收件紀錄) and `enroll_org_consents` (用戶約定條款 accepted per
 * sub-function).
 */
import { isoOf } from '../store/rows.js';
import type { SqlSession } from '../store/store.js';
import { recordFromRow, type RegistrationItem, type RegistrationRecord } from './org-records.js';

/** One consent to the 用戶約定條款. */
export interface OrgConsent {
  /** Sub-function (首次註冊, 更換…). */
  subFunction: string;
  /** Terms version accepted. */
  termsVersion: string;
  /** Serial of the administrator card that accepted. */
  administratorSerial: string;
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

/** An agency's consents, oldest first. */
export async function consentsOf(tx: SqlSession, code: string): Promise<OrgConsent[]> {
  const rows = await tx.query('SELECT * FROM enroll_org_consents WHERE agency_code=$1 ORDER BY accepted_at, id', [code]);
  return rows.map((r) => ({
    subFunction: String(r.sub_function),
    termsVersion: String(r.terms_version),
    administratorSerial: String(r.admin_certificate_serial),
    acceptedAt: isoOf(r.accepted_at),
  }));
}
