/** The SQL of `enroll_account_applications`: the account flow's applications (and, once active, accounts). */
import type { ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { ACCOUNT_MACHINE, type AccountStatus } from '../machine/account-machine.js';
import type { BasicData } from '../domain/basic-data.js';
import type { EmsComparison } from '../ports/ems.js';
import type { SqlSession } from '../store/store.js';
import { applicationFromRow, type AccountApplication } from './account-records.js';
import type { QueueSource } from './review-queue.js';

/** One open application per control number (partial unique index). */
export const OPEN_APPLICATION_KEY = 'enroll_account_applications_open_key';

/** The reviewer queue's source. */
export const APPLICATION_QUEUE: QueueSource<AccountApplication> = {
  table: 'enroll_account_applications',
  key: 'id',
  states: ACCOUNT_MACHINE.states,
  map: applicationFromRow,
};

/** Inserts a `draft` application owned by `applicantId`. */
export async function insertApplication(
  tx: SqlSession,
  a: { id: string; controlNumber: ControlNumber; applicantId: string; at: string },
): Promise<AccountApplication> {
  const rows = await tx.query(
    `INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at, applicant_id)
     VALUES ($1,$2,'draft',$3,$3,$4) RETURNING *`,
    [a.id, a.controlNumber, a.at, a.applicantId],
  );
  return applicationFromRow(rows[0] ?? {});
}

/** Loads and row-locks the control number's application in `draft` or `basicDataVerified`, if any. */
export async function lockUnfinished(tx: SqlSession, controlNumber: ControlNumber): Promise<AccountApplication | undefined> {
  const rows = await tx.query(
    `SELECT * FROM enroll_account_applications WHERE control_number = $1 AND status IN ('draft','basicDataVerified') FOR UPDATE`,
    [controlNumber],
  );
  return rows[0] === undefined ? undefined : applicationFromRow(rows[0]);
}

/** An application by ID; `undefined` when there is none. */
export async function findApplication(tx: SqlSession, id: string): Promise<AccountApplication | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_account_applications WHERE id = $1', [id]);
  return rows[0] === undefined ? undefined : applicationFromRow(rows[0]);
}

/** The actor ID that applied (`null` for applications made before owners were recorded). */
export async function applicationOwner(tx: SqlSession, id: string): Promise<string | null> {
  const rows = await tx.query('SELECT applicant_id FROM enroll_account_applications WHERE id = $1', [id]);
  const owner = rows[0]?.applicant_id;
  return typeof owner === 'string' ? owner : null;
}

/** Applications in `status`, oldest first. */
export async function applicationsIn(tx: SqlSession, status: AccountStatus): Promise<AccountApplication[]> {
  const rows = await tx.query('SELECT * FROM enroll_account_applications WHERE status = $1 ORDER BY created_at, id', [status]);
  return rows.map(applicationFromRow);
}

/** Every application of a control number, newest first. */
export async function applicationsOf(tx: SqlSession, controlNumber: ControlNumber): Promise<AccountApplication[]> {
  const rows = await tx.query('SELECT * FROM enroll_account_applications WHERE control_number = $1 ORDER BY created_at DESC, id', [controlNumber]);
  return rows.map(applicationFromRow);
}

/** Loads and row-locks an application, so concurrent commands on it queue. */
export async function lockApplication(tx: SqlSession, id: string): Promise<AccountApplication> {
  const rows = await tx.query('SELECT * FROM enroll_account_applications WHERE id = $1 FOR UPDATE', [id]);
  const row = rows[0];
  if (row === undefined) throw new EnrollError('NOT_FOUND', `no account application ${id}`);
  return applicationFromRow(row);
}

/** Loads and row-locks the active account of a control number; `undefined` when it has none. */
export async function lockActiveAccountIfAny(tx: SqlSession, controlNumber: ControlNumber): Promise<AccountApplication | undefined> {
  const rows = await tx.query(
    `SELECT * FROM enroll_account_applications WHERE control_number = $1 AND status = 'active' FOR UPDATE`,
    [controlNumber],
  );
  return rows[0] === undefined ? undefined : applicationFromRow(rows[0]);
}

/** Loads and row-locks the active account of a control number; NOT_FOUND when it has none. */
export async function lockActiveAccount(tx: SqlSession, controlNumber: ControlNumber): Promise<AccountApplication> {
  const app = await lockActiveAccountIfAny(tx, controlNumber);
  if (app === undefined) throw new EnrollError('NOT_FOUND', `no active account for control number ${controlNumber}`);
  return app;
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
