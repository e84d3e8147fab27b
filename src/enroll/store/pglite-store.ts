import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite } from '@electric-sql/pglite';
import { EnrollError } from '../errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { runMigrations } from './migrate.js';
import type { EnrollStore, Row, SqlSession } from './store.js';
import { transactionSession } from './transaction-session.js';
import { storeClosed } from './store-closed.js';
import { lostRaceError } from './sql-errors.js';
import { describeValue } from '../../shared/describe-value.js';
import { checkOptionNames } from '../../shared/option-names.js';

/** Options of {@link PgliteStore.open}. */
export interface PgliteStoreOptions {
  /**
   * Directory for a persistent database; omitted means in-memory. One
   * process at a time: the store locks it (`<dataDir>.lock`) and a second
   * opener gets `STORE_IN_USE`.
   */
  readonly dataDir?: string;
  /** Start from a snapshot made by {@link PgliteStore.snapshot} (skips initdb; tests, demos). */
  readonly loadDataDir?: Blob;
}

/** The names of {@link PgliteStoreOptions}; a Record so that an option added there and not here fails to compile. */
const OPEN_OPTIONS: Record<keyof PgliteStoreOptions, true> = { dataDir: true, loadDataDir: true };

/**
 * Refuses options PGlite would misread. A misspelt `datadir` opened an in-memory database that lost everything
 * at exit; a `dataDir` that is not text failed inside Node (`ERR_INVALID_ARG_TYPE`), a `loadDataDir` that is not
 * a Blob inside PGlite, and options that were no object at all opened an in-memory database.
 * @throws RangeError naming the option.
 */
function checkOpenOptions(options: unknown): asserts options is PgliteStoreOptions {
  checkOptionNames('PgliteStore.open', options, OPEN_OPTIONS);
  const { dataDir, loadDataDir } = options as { dataDir?: unknown; loadDataDir?: unknown };
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir.trim() === '')) {
    throw new RangeError(`PgliteStore.open: option dataDir must be a directory path or a PGlite URL (a non-empty string), or left out for an in-memory database, not ${describeValue(dataDir)}`);
  }
  // By its tag, not instanceof: a Blob from another realm (a test runner's, a bundler's polyfill) is one too.
  const tag = Object.prototype.toString.call(loadDataDir);
  if (loadDataDir !== undefined && tag !== '[object Blob]' && tag !== '[object File]') {
    throw new RangeError(`PgliteStore.open: option loadDataDir must be a Blob made by PgliteStore.snapshot(), not ${describeValue(loadDataDir)}`);
  }
}

/**
 * The embedded default store: PostgreSQL compiled to WASM (PGlite), same schema
 * and SQL as `PgStore` (`twpki/enroll/pg`). PGlite runs one transaction at a time, so
 * concurrent commands queue rather than interleave. It is one process's
 * database: a data directory is locked while open; several processes or hosts
 * share `PgStore` instead.
 */
export class PgliteStore implements EnrollStore {
  /** The underlying PGlite database (for diagnostics and tests). */
  public readonly db: PGlite;
  /**
   * The transaction the current async context runs in, if any (PGlite has one
   * connection). `active` turns false when it ends, so work it scheduled for
   * later (a timer inherits the context) may start a transaction of its own.
   */
  private readonly inTransaction = new AsyncLocalStorage<{ active: boolean }>();
  private release: (() => Promise<void>) | undefined;
  private closed = false;

  /**
   * Wraps an existing PGlite instance; call {@link migrate} before use.
   * @throws RangeError when `db` is not a PGlite instance (checked here, not at the first command).
   */
  public constructor(db: PGlite) {
    const methods = db as Partial<Record<'query' | 'exec' | 'transaction', unknown>> | null;
    if (typeof methods !== 'object' || methods === null || typeof methods.query !== 'function' || typeof methods.exec !== 'function' || typeof methods.transaction !== 'function') {
      throw new RangeError(`PgliteStore: db must be a PGlite instance (PgliteStore.open makes one), not ${describeValue(db)}`);
    }
    this.db = db;
  }

  /**
   * Opens (or creates) a database and applies the migrations.
   * @throws EnrollError `STORE_IN_USE` when another process (or this one) has `dataDir` open.
   * @throws RangeError naming the option, before anything is opened: `options` that is not an object or has a name
   *   that is no option, a `dataDir` that is not a non-empty string, a `loadDataDir` that is not a Blob.
   */
  public static async open(options: PgliteStoreOptions = {}): Promise<PgliteStore> {
    checkOpenOptions(options);
    const onDisk = options.dataDir !== undefined && !/^[a-z]+:\/\//i.test(options.dataDir) ? options.dataDir : undefined;
    const release = onDisk === undefined ? undefined : await lockDataDir(onDisk);
    try {
      const db = await PGlite.create({
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
        ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
      });
      const store = new PgliteStore(db);
      store.release = release;
      await store.migrate();
      return store;
    } catch (err) {
      await release?.();
      throw err;
    }
  }

  /** A tarball of the whole database, loadable with `loadDataDir`. */
  public async snapshot(): Promise<Blob> {
    return this.db.dumpDataDir('none');
  }

  /**
   * Runs `fn` in a transaction (READ COMMITTED; invariants rest on constraints and row locks).
   * @throws EnrollError `NESTED_TRANSACTION` when called from inside another of this store's
   *   transactions: PGlite's one connection would wait for the outer one for ever (a flow used
   *   inside `store.transaction` must be built with `joinTransaction(tx)`).
   * @throws EnrollError `CONCURRENT_UPDATE` for PostgreSQL's deadlock (40P01) or serialization failure (40001),
   *   the driver's error as `cause`, as `PgStore` does.
   */
  public transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(storeClosed());
    if (this.inTransaction.getStore()?.active === true) {
      return Promise.reject(
        new EnrollError(
          'NESTED_TRANSACTION',
          'a PGlite store transaction was started inside another one, which would wait for it for ever; inside ' +
            'store.transaction(tx => …), build the flow with joinTransaction(tx)',
        ),
      );
    }
    const marker = { active: true };
    // One connection cannot deadlock with itself, but a serialization failure can still be raised (a trigger, a
    // function): it reaches the caller as it would from PgStore.
    const run = this.db.transaction((tx) => this.inTransaction.run(marker, async () => {
      const { session, end } = transactionSession(
        async <R extends Row>(text: string, params: unknown[] | undefined) => (await tx.query<R>(text, params)).rows,
        async (script: string) => {
          await tx.exec(script);
        },
      );
      try {
        return await fn(session);
      } finally {
        end();
        marker.active = false;
      }
    }));
    return run.catch((err: unknown) => {
      throw lostRaceError(err);
    });
  }

  /** Applies pending migrations (none when up to date); safe to call again. */
  public async migrate(): Promise<void> {
    await runMigrations(this);
  }

  /** Releases connections (or the embedded database), and its data directory's lock. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.db.close();
    } finally {
      const release = this.release;
      this.release = undefined;
      await release?.();
    }
  }
}
