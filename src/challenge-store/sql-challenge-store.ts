import type { ChallengeRecord, ChallengeStore, ConsumedChallenge } from '../cert/trust/login/challenge-store.js';
import { sessionIdProblem } from '../cert/trust/login/challenge-issuer.js';
import { LoginConfigurationError } from '../cert/trust/login/errors.js';
import { runMigrations } from '../enroll/store/migrate.js';
import { moduleNotFound } from '../shared/module-not-found.js';
import type { EnrollStore } from '../enroll/store/store.js';
import { CHALLENGE_STORE_MIGRATIONS } from './migrations.js';

/** Settings of a {@link SqlChallengeStore}. */
export interface SqlChallengeStoreOptions {
  /** Clock for purging; default `Date`. */
  readonly now?: () => Date;
  /** Least time between two purges of expired rows by this instance; default 60 s. */
  readonly purgeIntervalMs?: number;
}

/** Options of {@link SqlChallengeStore.open}. */
export interface OpenSqlChallengeStoreOptions extends SqlChallengeStoreOptions {
  /**
   * The database, the same one enrollment uses: a `PgStore` (PostgreSQL,
   * needed when several processes or hosts verify logins) or a `PgliteStore`.
   * Default: a new in-memory PGlite database, closed with the store; PGlite (`@electric-sql/pglite`) is an
   * optional peer of twpki, so that default needs it installed, and `open` rejects with
   * `LoginConfigurationError` `INVALID_CONFIGURATION`, naming the package and this option, when it is not.
   */
  readonly store?: EnrollStore;
}

interface ChallengeRow {
  readonly session_id: string;
  readonly issued_at: Date | string;
  readonly expires_at: Date | string;
  readonly [column: string]: unknown;
}

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/**
 * The default store: an in-memory PGlite, loaded only here so that a backend
 * passing its own `PgStore` needs no PGlite installed.
 */
async function openDefaultStore(): Promise<EnrollStore> {
  let module: typeof import('../enroll/store/pglite-store.js');
  try {
    module = await import('../enroll/store/pglite-store.js');
  } catch (error) {
    if (!moduleNotFound(error)) throw error;
    throw new LoginConfigurationError(
      'INVALID_CONFIGURATION',
      'SqlChallengeStore.open: without `store` the challenges go to an embedded PGlite, an optional peer of twpki that ' +
        `is not installed (npm install @electric-sql/pglite), or pass your PgStore as \`store\` (${(error as Error).message})`,
    );
  }
  return module.PgliteStore.open();
}

/**
 * A {@link ChallengeStore} in PostgreSQL (or embedded PGlite), on the same
 * store as enrollment, for several backend instances sharing challenges.
 *
 * `consume` is single-use across processes: the conditional
 * `UPDATE … SET used_at WHERE used_at IS NULL` takes the row lock, so of two
 * concurrent consumers exactly one changes the row; the other, re-checking
 * the row after the first commits, changes nothing and reads it as used.
 */
export class SqlChallengeStore implements ChallengeStore {
  private readonly now: () => Date;
  private readonly purgeIntervalMs: number;
  private lastPurge = 0;

  /**
   * Wraps a store whose schema is migrated (see {@link open} and {@link migrate}).
   * @param owned close `db` with this store.
   */
  public constructor(
    /** The database the challenges live in. */
    public readonly db: EnrollStore,
    options: SqlChallengeStoreOptions = {},
    private readonly owned = false,
  ) {
    this.now = options.now ?? (() => new Date());
    this.purgeIntervalMs = options.purgeIntervalMs ?? 60_000;
  }

  /** Opens the store on `options.store` (default an in-memory PGlite) and applies its migration. */
  public static async open(options: OpenSqlChallengeStoreOptions = {}): Promise<SqlChallengeStore> {
    const owned = options.store === undefined;
    const db = options.store ?? (await openDefaultStore());
    const store = new SqlChallengeStore(db, options, owned);
    await store.migrate();
    return store;
  }

  /** Creates the challenge table if it is missing; safe from several processes at once. */
  public async migrate(): Promise<void> {
    await runMigrations(this.db, CHALLENGE_STORE_MIGRATIONS);
  }

  /** {@inheritDoc ChallengeStore.put} */
  public async put(record: ChallengeRecord): Promise<void> {
    // The column's CHECK (or text's refusal of NUL) would answer with a driver error: say it as the issuer does.
    const problem = sessionIdProblem(record.sessionId);
    if (problem !== undefined) throw new RangeError(problem);
    const now = this.now();
    const purge = now.getTime() - this.lastPurge >= this.purgeIntervalMs;
    if (purge) this.lastPurge = now.getTime();
    await this.db.transaction(async (tx) => {
      if (purge) await tx.query('DELETE FROM twpki_login_challenges WHERE expires_at < $1', [now]);
      await tx.query(
        'INSERT INTO twpki_login_challenges (value, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)',
        [record.value, record.sessionId, record.issuedAt, record.expiresAt],
      );
    });
  }

  /** {@inheritDoc ChallengeStore.consume} */
  public async consume(value: string): Promise<ConsumedChallenge | undefined> {
    return this.db.transaction(async (tx) => {
      const won = await tx.query<ChallengeRow>(
        `UPDATE twpki_login_challenges SET used_at = $2 WHERE value = $1 AND used_at IS NULL
         RETURNING session_id, issued_at, expires_at`,
        [value, this.now()],
      );
      const [first] = won;
      if (first !== undefined) return { record: toRecord(value, first), alreadyUsed: false };
      // Lost the race or a replay: each statement sees the latest committed rows.
      const [seen] = await tx.query<ChallengeRow>(
        'SELECT session_id, issued_at, expires_at FROM twpki_login_challenges WHERE value = $1',
        [value],
      );
      return seen === undefined ? undefined : { record: toRecord(value, seen), alreadyUsed: true };
    });
  }

  /** Closes the database when this store opened it (an in-memory PGlite); a shared store stays open. */
  public async close(): Promise<void> {
    if (this.owned) await this.db.close();
  }
}

function toRecord(value: string, row: ChallengeRow): ChallengeRecord {
  return { value, sessionId: row.session_id, issuedAt: asDate(row.issued_at), expiresAt: asDate(row.expires_at) };
}
