/**
 * Runs the flows inside a transaction the caller already opened on the same
 * database, so a team's own writes (phone, notes, attachments) and an SDK
 * command commit or roll back together.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { withSavepoint } from './savepoint.js';
import { storeError } from './sql-errors.js';
import type { EnrollStore, Row, SqlSession } from './store.js';

/** The last command queued on each caller session: commands of one session run one after another. */
const lastTurn = new WeakMap<SqlSession, Promise<void>>();

/**
 * One command's turn on a session: `active` while its function runs, and the
 * last of the calls it started itself (`tail`), which take turns among
 * themselves after it.
 */
interface Turn {
  active: boolean;
  tail: Promise<void>;
}

/** The turns the current async context runs in, by session. */
const holding = new AsyncLocalStorage<ReadonlyMap<SqlSession, Turn>>();

/**
 * Runs `fn` once the commands started before it on `session` have settled.
 * Savepoints nest in the order they are taken on the one connection: two
 * commands running at once (`Promise.all` over flows joined to one
 * transaction) interleaved them, and rolling back the first command's
 * savepoint also undid the second's writes after it had answered success, or
 * left it releasing a savepoint that no longer existed (PGlite then rolled
 * back the caller's whole transaction).
 *
 * A call made from inside a running command (a command's own nested
 * transaction, or a port the command calls that uses a joined flow) cannot
 * wait for the session's queue, which holds the command itself: it queues
 * behind the other calls that command started, so calls started together
 * there take turns too. Work that outlives its command (a timer it set) finds
 * that turn over and queues on the session like any other call. A call that
 * joins a command's turn while the command still runs belongs to the command:
 * `fn` gets `drain`, which waits for every such call, so the command ends
 * (releases or rolls back its savepoint) only after them. Otherwise a call
 * started just before the command returned ran inside a savepoint the
 * command then released, and failed releasing its own.
 */
function inTurn<T>(session: SqlSession, fn: (drain: () => Promise<void>) => Promise<T>): Promise<T> {
  const held = holding.getStore();
  const parent = held?.get(session);
  const within = parent?.active === true ? parent : undefined;
  const before = within?.tail ?? lastTurn.get(session) ?? Promise.resolve();
  const turn: Turn = { active: false, tail: Promise.resolve() };
  // Calls that join while it waits queue on the tail too, so it waits until the tail stays put.
  const drain = async (): Promise<void> => {
    for (let waited = undefined as Promise<void> | undefined; waited !== turn.tail; ) {
      waited = turn.tail;
      await waited;
    }
  };
  const run = before
    .then(() => {
      turn.active = true;
      return holding.run(new Map([...(held ?? []), [session, turn]]), () => fn(drain));
    })
    .finally(() => {
      turn.active = false;
    });
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  if (within !== undefined) within.tail = settled;
  else lastTurn.set(session, settled);
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
      // A connection the server dropped is STORE_UNAVAILABLE, as on the store itself.
      return inTurn(session, (drain) =>
        withSavepoint(session, async () => {
          try {
            return await fn({
              query: <R extends Row = Row>(text: string, params?: readonly unknown[]) => session.query<R>(text, params),
              runScript: (script: string) => session.runScript(script),
            });
          } finally {
            await drain();
          }
        }).catch((err: unknown) => {
          throw storeError(err);
        }),
      );
    },
    migrate: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
