/**
 * SAVEPOINTs inside an open transaction. PostgreSQL (server and PGlite)
 * aborts the whole transaction on a failed statement; a savepoint confines
 * the failure, so the transaction can still write, e.g., the audit entry of
 * a refusal, and commit.
 */
import type { SqlSession } from './store.js';

let counter = 0;

/**
 * Runs `fn` inside a SAVEPOINT of `session`: released when `fn` resolves;
 * rolled back to (undoing only `fn`'s writes, leaving the transaction usable)
 * when it throws, and the error rethrown.
 */
export async function withSavepoint<T>(session: SqlSession, fn: () => Promise<T>): Promise<T> {
  const name = `twpki_enroll_${++counter}`;
  await session.query(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await session.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (err) {
    await session.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw err;
  }
}
