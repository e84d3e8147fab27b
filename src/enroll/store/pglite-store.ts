import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite } from '@electric-sql/pglite';
import { EnrollError } from '../errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { runMigrations } from './migrate.js';
import type { EnrollStore, Row, SqlSession } from './store.js';
import { transactionSession } from './transaction-session.js';
import { storeClosed } from './store-closed.js';
import { lostRaceError } from './sql-errors.js';

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

  /** Wraps an existing PGlite instance; call {@link migrate} before use. */
  public constructor(db: PGlite) {
    this.db = db;
  }

  /**
   * Opens (or creates) a database and applies the migrations.
   * @throws EnrollError `STORE_IN_USE` when another process (or this one) has `dataDir` open.
   */
  public static async open(options: PgliteStoreOptions = {}): Promise<PgliteStore> {
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
