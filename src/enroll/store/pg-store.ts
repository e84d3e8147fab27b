import pg from 'pg';
import { runMigrations } from './migrate.js';
import type { EnrollStore, Row, SqlSession } from './store.js';
import { transactionSession } from './transaction-session.js';
import { storeClosed } from './store-closed.js';
import { storeError, type StoreFailureStage } from './sql-errors.js';
import { describeValue } from '../../shared/describe-value.js';
import { checkOptionNames } from '../../shared/option-names.js';

/** Options of {@link PgStore}: a connection string or an existing pool. */
export type PgStoreOptions =
  | {
      /** PostgreSQL connection URI (e.g. `postgres://user:pass@host:5432/db`); the store creates and owns the pool. */
      readonly connectionString: string;
      /** Maximum connections of the created pool (default 10). */
      readonly max?: number;
    }
  | {
      /** An existing pool to share; {@link PgStore.close} leaves it open. */
      readonly pool: pg.Pool;
    };

/** Production store on a PostgreSQL server via `pg`, same schema as `PgliteStore` (`twpki/enroll/pglite`). */
export class PgStore implements EnrollStore {
  /** The connection pool (shared with the application if it passed one in). */
  public readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private closed = false;

  /**
   * Uses the given pool, or creates one from `connectionString`.
   * @throws RangeError naming the option: a missing or empty `connectionString` (pg would quietly connect to
   *   its defaults, perhaps another database), a `max` that is not a positive whole number (a pool of none never
   *   answers), a `pool` that is not a pg pool, a name that is no option (beside `pool`, any other: the pool's
   *   own settings are the pool's).
   */
  public constructor(options: PgStoreOptions) {
    checkPgOptions(options);
    const given = options as { pool?: pg.Pool; connectionString?: string; max?: number };
    if (given.pool !== undefined) {
      this.pool = given.pool;
      this.ownsPool = false;
    } else {
      this.pool = new pg.Pool({ connectionString: given.connectionString, max: given.max ?? 10 });
      // An idle connection the server drops is an 'error' on the pool, which would end the process unheard;
      // the pool discards that client and the next checkout connects anew. (A pool passed in is the caller's.)
      this.pool.on('error', () => undefined);
      this.ownsPool = true;
    }
  }

  /** Connects, applies the migrations and returns the store. */
  public static async open(options: PgStoreOptions): Promise<PgStore> {
    const store = new PgStore(options);
    await store.migrate();
    return store;
  }

  /**
   * Runs `fn` in a transaction (READ COMMITTED; invariants rest on constraints and row locks).
   * @throws EnrollError `CONCURRENT_UPDATE` when PostgreSQL aborted it for a deadlock (40P01) or a serialization
   *   failure (40001), the driver's error as `cause`; it is not run again by itself (see `lostRaceError`).
   * @throws EnrollError `STORE_UNAVAILABLE` when the server cannot be reached or the connection is lost (refused,
   *   reset, timed out, shut down, `pg_terminate_backend`), the driver's error as `cause`; not run again either.
   *   Lost during COMMIT, whether the transaction was saved is unknown (the message says so).
   * @throws EnrollError `STORE_CLOSED` after {@link close}.
   */
  public async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    if (this.closed) throw storeClosed();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      // Refused, timed out, shutting down: transient, said as such (a refused password or a missing database
      // is not, and stays the driver's error).
      throw storeError(err, { stage: 'connect' });
    }
    let broken: Error | undefined;
    let connectionLost = false;
    let stage: StoreFailureStage = 'transaction';
    // A connection lost while checked out (failover, idle_in_transaction_session_timeout, a killed backend) is an
    // 'error' event on the client, and an unheard one ends the process: the pending query rejects anyway, so the
    // transaction fails and the client is discarded.
    const lost = (error: Error): void => {
      broken = error;
      connectionLost = true;
    };
    client.on('error', lost);
    try {
      // Named, not left to the server: a database or role whose default is REPEATABLE READ or SERIALIZABLE would
      // otherwise give every transaction a snapshot taken at its first statement, and a migrator that waited for
      // the advisory lock would not see the ledger row the winner committed meanwhile (it ran the migration again).
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const { session, end } = transactionSession(
        async <R extends Row>(text: string, params: unknown[] | undefined) => (await client.query<R>(text, params)).rows,
        // Without parameters pg uses the simple protocol, which accepts several statements.
        async (script: string) => {
          await client.query(script);
        },
      );
      let result: T;
      try {
        result = await fn(session);
      } finally {
        // Retired before COMMIT (or ROLLBACK) is sent: a query the callback left behind must not queue up on
        // the client behind them and run after the transaction, or after the client went back to the pool.
        end();
      }
      stage = 'commit';
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // A connection that cannot roll back must not go back into the pool.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      // A deadlock or serialization failure (also one COMMIT reports) is a lost race, answered as such; a
      // connection the server or the network dropped is STORE_UNAVAILABLE (try again later).
      throw storeError(err, { stage, connectionLost });
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** Applies pending migrations; safe to call from several processes at once. */
  public async migrate(): Promise<void> {
    await runMigrations(this);
  }

  /** Releases connections (or the embedded database). */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }
}

/** The names of {@link PgStoreOptions} (both kinds); a Record so that an option added there and not here fails to compile. */
const PG_OPTIONS: Record<keyof Extract<PgStoreOptions, { pool: unknown }> | keyof Extract<PgStoreOptions, { connectionString: string }>, true> = {
  connectionString: true,
  max: true,
  pool: true,
};

function checkPgOptions(options: unknown): asserts options is PgStoreOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    // Not shown: a string here is most likely the connection string itself, password and all.
    const given = typeof options === 'string' ? 'a string (pass it as { connectionString })' : describeValue(options);
    throw new RangeError(`PgStore: options must be { connectionString } or { pool }, not ${given}`);
  }
  const o = options as Record<string, unknown>;
  // A misspelt name (`maxConnections`, `connectionstring`) was dropped for its default.
  checkOptionNames('PgStore', o, PG_OPTIONS);
  // A setting left `undefined` is left out (`{ pool, connectionString: process.env.X }` with X unset, or the reverse).
  if (o.pool !== undefined) {
    // A `connectionString` or `max` beside a pool was dropped without a word: the store used the pool's database.
    const beside = (['connectionString', 'max'] as const).find((name) => o[name] !== undefined);
    if (beside !== undefined) throw new RangeError(`PgStore: option ${beside} cannot be given with pool (the pool's own settings are the pool's)`);
    const pool = o.pool as Partial<pg.Pool> | null;
    if (typeof pool !== 'object' || pool === null || typeof pool.connect !== 'function') throw new RangeError('PgStore: option pool must be a pg.Pool');
    return;
  }
  if (typeof o.connectionString !== 'string' || o.connectionString.trim() === '') {
    throw new RangeError('PgStore: option connectionString must be a PostgreSQL URI (postgres://user:pass@host:5432/db); is the variable you read it from set?');
  }
  if (o.max !== undefined && (typeof o.max !== 'number' || !Number.isSafeInteger(o.max) || o.max < 1)) {
    throw new RangeError(`PgStore: option max must be a positive whole number of connections, not ${JSON.stringify(o.max) ?? String(o.max)}`);
  }
}
