/** The SQL of `enroll_result_keys`: the rejection mail's read-only result-page keys (only hashes are stored). */
import { isoOf } from '../store/rows.js';
import type { SqlSession } from '../store/store.js';
import { applicationFromRow, type AccountApplication } from './account-records.js';

/** Stores a new key's hash. */
export async function insertResultKey(tx: SqlSession, k: { hash: string; applicationId: string; at: string; expiresAt: string }): Promise<void> {
  await tx.query('INSERT INTO enroll_result_keys (key_hash, application_id, created_at, expires_at) VALUES ($1,$2,$3,$4)', [
    k.hash,
    k.applicationId,
    k.at,
    k.expiresAt,
  ]);
}

/** The application a key reads, and the key's expiry; `undefined` for an unknown key. */
export async function applicationByResultKey(tx: SqlSession, hash: string): Promise<{ application: AccountApplication; expiresAt: string } | undefined> {
  const rows = await tx.query(
    `SELECT a.*, k.expires_at AS key_expires_at FROM enroll_result_keys k JOIN enroll_account_applications a ON a.id = k.application_id
      WHERE k.key_hash = $1`,
    [hash],
  );
  const row = rows[0];
  return row === undefined ? undefined : { application: applicationFromRow(row), expiresAt: isoOf(row.key_expires_at) };
}
