/**
 * Runs the flows inside a transaction the caller already opened on the same
 * database, so a team's own writes (phone, notes, attachments) and an SDK
 * command commit or roll back together.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { withSavepoint } from './savepoint.js';
import { lostRaceError } from './sql-errors.js';
import type { EnrollStore, Row, SqlSession } from './store.js';

/** The last command queued on each caller session: commands of one session run one after another. */
const lastTurn = new WeakMap<SqlSession, Promise<void>>();
/** The sessions whose turn the current async context holds (a command's own nested transaction runs at once). */
const holding = new AsyncLocalStorage<ReadonlySet<SqlSession>>();

/**
 * Runs `fn` once the commands started before it on `session` have settled.
 * Savepoints nest in the order they are taken on the one connection: two
 * commands running at once (`Promise.all` over flows joined to one
 * transaction) interleaved them, and rolling back the first command's
 * savepoint also undid the second's writes after it had answered success, or
 * left it releasing a savepoint that no longer existed (PGlite then rolled
 * back the caller's whole transaction).
 */
function inTurn<T>(session: SqlSession, fn: () => Promise<T>): Promise<T> {
  const held = holding.getStore();
  if (held?.has(session) === true) return fn();
  const run = (lastTurn.get(session) ?? Promise.resolve()).then(() => holding.run(new Set([...(held ?? []), session]), fn));
  lastTurn.set(
    session,
    run.then(
      () => undefined,
      () => undefined,
    ),
  );
  return run;
}

/**
 * An {@link EnrollStore} over the caller's open transaction `session` (from
 * `store.transaction(async (tx) => …)`). Each command runs in a SAVEPOINT:
 * a failed command undoes only its own writes and leaves the caller's
 * transaction usable (PostgreSQL would otherwise abort it); a successful one
 * commits or rolls back with the caller's transaction. Commands started at
 * once on stores joined to one transaction take turns. `migrate` and `close`
 * do nothing: the owning store does both.
 */
export function joinTransaction(session: SqlSession): EnrollStore {
  return {
    transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
      // A command that lost a race inside the caller's transaction answers CONCURRENT_UPDATE as on the store
      // itself; its savepoint is undone and the caller's transaction stays usable, but the caller's own locks
      // may be what it deadlocked on, so retrying is for the caller to decide (its whole transaction, usually).
      return inTurn(session, () =>
        withSavepoint(session, () =>
          fn({
            query: <R extends Row = Row>(text: string, params?: readonly unknown[]) => session.query<R>(text, params),
            runScript: (script: string) => session.runScript(script),
          }),
        ).catch((err: unknown) => {
          throw lostRaceError(err);
        }),
      );
    },
    migrate: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
