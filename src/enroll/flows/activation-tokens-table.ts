/** The SQL of `enroll_activation_tokens`: single-use, expiring activation links (only hashes are stored). */
import { EnrollError } from '../errors.js';
import { isoOf } from '../store/rows.js';
import type { SqlSession } from '../store/store.js';

/** Stores a new link's hash. */
export async function insertActivationToken(
  tx: SqlSession,
  t: { hash: string; applicationId: string; sentTo: string; at: string; expiresAt: string },
): Promise<void> {
  await tx.query(
    'INSERT INTO enroll_activation_tokens (token_hash, application_id, sent_to, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)',
    [t.hash, t.applicationId, t.sentTo, t.at, t.expiresAt],
  );
}

/** Revokes an application's unused links (a new one replaces them). */
export async function revokeOpenTokens(tx: SqlSession, applicationId: string, at: string): Promise<void> {
  await tx.query(
    'UPDATE enroll_activation_tokens SET revoked_at = $2 WHERE application_id = $1 AND used_at IS NULL AND revoked_at IS NULL',
    [applicationId, at],
  );
}

/**
 * The application a link belongs to, read without a lock: the caller locks
 * that application before it consumes the link, so a link and a reviewer's
 * command on the same application (a reissue revokes the link under the
 * application's lock) take their locks in one order and cannot deadlock.
 */
export async function applicationOfToken(tx: SqlSession, hash: string): Promise<string | undefined> {
  const rows = await tx.query('SELECT application_id FROM enroll_activation_tokens WHERE token_hash = $1', [hash]);
  const id = rows[0]?.application_id;
  return id === undefined ? undefined : String(id);
}

/**
 * A live link (unused, not replaced, not expired at `at`), read without
 * changing or locking it: what 開通帳號權限 would open, for the page that asks.
 * Its conditions are {@link consumeToken}'s, so a link this finds is one the
 * activation would take.
 */
export async function liveToken(tx: SqlSession, hash: string, at: string): Promise<{ applicationId: string; expiresAt: string } | undefined> {
  const rows = await tx.query(
    `SELECT application_id, expires_at FROM enroll_activation_tokens
      WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2`,
    [hash, at],
  );
  const row = rows[0];
  return row === undefined ? undefined : { applicationId: String(row.application_id), expiresAt: isoOf(row.expires_at) };
}

/** Consumes a live link by a conditional UPDATE (once, before expiry); its application ID, or `undefined`. */
export async function consumeToken(tx: SqlSession, hash: string, at: string): Promise<string | undefined> {
  const used = await tx.query(
    `UPDATE enroll_activation_tokens SET used_at = $2
      WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
      RETURNING application_id`,
    [hash, at],
  );
  const id = used[0]?.application_id;
  return id === undefined ? undefined : String(id);
}

/** Why a link could not be consumed: unknown, used, replaced or expired. */
export async function tokenFailure(tx: SqlSession, hash: string): Promise<EnrollError> {
  const rows = await tx.query('SELECT used_at, revoked_at, expires_at FROM enroll_activation_tokens WHERE token_hash = $1', [hash]);
  const row = rows[0];
  if (row === undefined) return new EnrollError('TOKEN_INVALID', 'unknown activation link');
  if (row.used_at != null) return new EnrollError('TOKEN_USED', 'this activation link was already used');
  if (row.revoked_at != null) return new EnrollError('TOKEN_INVALID', 'this activation link was replaced by a newer one');
  return new EnrollError('TOKEN_EXPIRED', `this activation link expired at ${isoOf(row.expires_at)}`);
}
