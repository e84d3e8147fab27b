import { PGlite } from '@electric-sql/pglite';
import { runMigrations } from './migrate.js';
import type { EnrollStore, Row, SqlSession } from './store.js';

/** Options of {@link PgliteStore.open}. */
export interface PgliteStoreOptions {
  /** Directory for a persistent database; omitted means in-memory. */
  readonly dataDir?: string;
  /** Start from a snapshot made by {@link PgliteStore.snapshot} (skips initdb; tests, demos). */
  readonly loadDataDir?: Blob;
}

/**
 * The embedded default store: PostgreSQL compiled to WASM (PGlite), same schema
 * and SQL as `PgStore` (`twpki/enroll/pg`). PGlite runs one transaction at a time, so
 * concurrent commands queue rather than interleave.
 */
export class PgliteStore implements EnrollStore {
  /** The underlying PGlite database (for diagnostics and tests). */
  public readonly db: PGlite;

  /** Wraps an existing PGlite instance; call {@link migrate} before use. */
  public constructor(db: PGlite) {
    this.db = db;
  }

  /** Opens (or creates) a database and applies the migrations. */
  public static async open(options: PgliteStoreOptions = {}): Promise<PgliteStore> {
    const db = await PGlite.create({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
    });
    const store = new PgliteStore(db);
    await store.migrate();
    return store;
  }

  /** A tarball of the whole database, loadable with `loadDataDir`. */
  public async snapshot(): Promise<Blob> {
    return this.db.dumpDataDir('none');
  }

  /** Runs `fn` in a transaction (READ COMMITTED; invariants rest on constraints and row locks). */
  public transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const session: SqlSession = {
        query: async <R extends Row = Row>(text: string, params?: readonly unknown[]) =>
          (await tx.query<R>(text, params === undefined ? undefined : [...params])).rows,
        runScript: async (script: string) => {
          await tx.exec(script);
        },
      };
      return fn(session);
    });
  }

  /** Applies pending migrations; safe to call from several processes at once. */
  public async migrate(): Promise<void> {
    await runMigrations(this);
  }

  /** Releases connections (or the embedded database). */
  public async close(): Promise<void> {
    await this.db.close();
  }
}
