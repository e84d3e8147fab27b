/**
 * Runs the flows inside a transaction the caller already opened on the same
 * database, so a team's own writes (phone, notes, attachments) and an SDK
 * command commit or roll back together.
 */
import { withSavepoint } from './savepoint.js';
import type { EnrollStore, Row, SqlSession } from './store.js';

/**
 * An {@link EnrollStore} over the caller's open transaction `session` (from
 * `store.transaction(async (tx) => …)`). Each command runs in a SAVEPOINT:
 * a failed command undoes only its own writes and leaves the caller's
 * transaction usable (PostgreSQL would otherwise abort it); a successful one
 * commits or rolls back with the caller's transaction. `migrate` and `close`
 * do nothing: the owning store does both.
 */
export function joinTransaction(session: SqlSession): EnrollStore {
  return {
    transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
      return withSavepoint(session, () =>
        fn({
          query: <R extends Row = Row>(text: string, params?: readonly unknown[]) => session.query<R>(text, params),
          runScript: (script: string) => session.runScript(script),
        }),
      );
    },
    migrate: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
