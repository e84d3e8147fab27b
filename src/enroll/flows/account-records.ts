/** Rows of the account flow and their mapping to domain records. */
import type { BasicData } from '../domain/basic-data.js';
import type { CardNumber, CertificateSerial, ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import type { AccountStatus } from '../machine/account-machine.js';
import type { EmsComparison } from '../ports/ems.js';
import { isoOf, jsonOf, optionalText } from '../store/rows.js';
import type { Row, SqlSession } from '../store/store.js';

/** A company's account application; once `active` it is the company's account. */
export interface AccountApplication {
  /** Record ID (UUID). */
  readonly id: string;
  /** 管制編號 the application is for. */
  readonly controlNumber: ControlNumber;
  /** Current state. */
  readonly status: AccountStatus;
  /** Basic data as typed, once submitted. */
  readonly basicData?: BasicData;
  /** EMS comparison of the basic data (per-field result), once submitted. */
  readonly emsComparison?: EmsComparison;
  /** Reviewer's note on approval or rejection. */
  readonly reviewNote?: string;
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
  /** Optimistic-lock counter, incremented by every transition. */
  readonly version: number;
}

/** A citizen card bound to a control number (one row of 自然人憑證管理). */
export interface CardBinding {
  /** 卡號 */
  readonly cardNumber: CardNumber;
  /** Certificate serial (GPKI). */
  readonly certificateSerial: CertificateSerial;
  /** Control number the card logs into. */
  readonly controlNumber: ControlNumber;
  /** 姓名 */
  readonly holderName: string;
  /** 連絡電話 */
  readonly phone: string;
  /** Email */
  readonly email: string;
  /** `pending` while the application is under review, `active` after activation. */
  readonly status: 'pending' | 'active';
  /** When the card was bound (ISO). */
  readonly boundAt: string;
}

/** Maps an `enroll_account_applications` row. */
export function applicationFromRow(r: Row): AccountApplication {
  const reviewNote = optionalText(r.review_note);
  return {
    id: String(r.id),
    controlNumber: String(r.control_number) as ControlNumber,
    status: r.status as AccountStatus,
    ...(r.basic_data == null ? {} : { basicData: jsonOf<BasicData>(r.basic_data) }),
    ...(r.ems_comparison == null ? {} : { emsComparison: jsonOf<EmsComparison>(r.ems_comparison) }),
    ...(reviewNote === undefined ? {} : { reviewNote }),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}

/** Maps an `enroll_card_bindings` row. */
export function bindingFromRow(r: Row): CardBinding {
  return {
    cardNumber: String(r.card_number) as CardNumber,
    certificateSerial: String(r.certificate_serial) as CertificateSerial,
    controlNumber: String(r.control_number) as ControlNumber,
    holderName: String(r.holder_name),
    phone: String(r.phone),
    email: String(r.email),
    status: r.status as 'pending' | 'active',
    boundAt: isoOf(r.bound_at),
  };
}

/** Loads and row-locks an application, so concurrent commands on it queue. */
export async function lockApplication(tx: SqlSession, id: string): Promise<AccountApplication> {
  const rows = await tx.query('SELECT * FROM enroll_account_applications WHERE id = $1 FOR UPDATE', [id]);
  const row = rows[0];
  if (row === undefined) throw new EnrollError('NOT_FOUND', `no account application ${id}`);
  return applicationFromRow(row);
}

/** Loads and row-locks the active account of a control number. */
export async function lockActiveAccount(tx: SqlSession, controlNumber: ControlNumber): Promise<AccountApplication> {
  const rows = await tx.query(
    `SELECT * FROM enroll_account_applications WHERE control_number = $1 AND status = 'active' FOR UPDATE`,
    [controlNumber],
  );
  const row = rows[0];
  if (row === undefined) throw new EnrollError('NOT_FOUND', `no active account for control number ${controlNumber}`);
  return applicationFromRow(row);
}

/** Writes a transition; the version check turns a lost update into CONCURRENT_UPDATE. */
export async function saveApplication(
  tx: SqlSession,
  before: AccountApplication,
  change: { status: AccountStatus; basicData?: BasicData; emsComparison?: EmsComparison; reviewNote?: string; at: string },
): Promise<AccountApplication> {
  const rows = await tx.query(
    `UPDATE enroll_account_applications
        SET status = $3,
            basic_data = COALESCE($4::jsonb, basic_data),
            ems_comparison = COALESCE($5::jsonb, ems_comparison),
            review_note = COALESCE($6, review_note),
            updated_at = $7,
            version = version + 1
      WHERE id = $1 AND version = $2
      RETURNING *`,
    [
      before.id,
      before.version,
      change.status,
      change.basicData === undefined ? null : JSON.stringify(change.basicData),
      change.emsComparison === undefined ? null : JSON.stringify(change.emsComparison),
      change.reviewNote ?? null,
      change.at,
    ],
  );
  const row = rows[0];
  if (row === undefined) throw new EnrollError('CONCURRENT_UPDATE', `application ${before.id} changed concurrently`);
  return applicationFromRow(row);
}
