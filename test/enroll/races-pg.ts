/**
 * What the race tests need to order concurrent commands on a real PostgreSQL
 * deterministically: a store in a private schema whose connections carry a
 * name, a transaction that holds row locks until told to let go, and a wait
 * for a number of this store's connections to be blocked on a lock. A command
 * started while another waits on the same lock queues behind it, so a test
 * can line up the exact interleaving a race needs instead of hoping for it.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { PgStore } from '../../src/enroll/store/pg-store.js';
import type { SqlSession } from '../../src/enroll/store/store.js';
import { getDatabaseUrl, resetTables, stopOwnPostgres } from './helpers.js';

/** A PgStore in its own schema, and the lock helpers over it. */
export interface RaceStore {
  readonly store: PgStore;
  /** Resolves once `count` of this store's connections wait on a lock (fails after 10 s). */
  waitForBlocked(count: number): Promise<void>;
  /**
   * Runs `lock` in a transaction and keeps it open until the returned release is called, which commits it, or with
   * `rollBack` rolls it back (a row that those waiting on it then never see).
   */
  hold(lock: (tx: SqlSession) => Promise<unknown>, options?: { readonly rollBack?: boolean }): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Opens a {@link RaceStore} in `schema` (dropped and created anew); `undefined` without a server. */
export async function openRaceStore(schema: string): Promise<RaceStore | undefined> {
  const url = await getDatabaseUrl();
  if (url === undefined) {
    if (process.env['CI'] === 'true') throw new Error('CI needs PostgreSQL for the race tests');
    return undefined;
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`CREATE SCHEMA ${schema}`);
  // The name tells this file's waiting connections from those of files running beside it on the same server.
  const name = `twpki_${schema}`;
  const pool = new pg.Pool({ connectionString: url, max: 20, application_name: name, options: `-c search_path=${schema}` });
  const store = await PgStore.open({ pool });

  const waitForBlocked = async (count: number): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rows = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [name],
      );
      if ((rows.rows[0]?.n ?? 0) >= count) return;
      if (Date.now() > deadline) throw new Error(`expected ${count} connections waiting on a lock`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const hold = async (lock: (tx: SqlSession) => Promise<unknown>, options: { readonly rollBack?: boolean } = {}): Promise<() => Promise<void>> => {
    let letGo!: () => void;
    const gate = new Promise<void>((r) => {
      letGo = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const rolledBack = new Error('rolled back by the race test');
    const done = store
      .transaction(async (tx) => {
        await lock(tx);
        locked();
        await gate;
        if (options.rollBack === true) throw rolledBack;
      })
      .catch((err: unknown) => {
        if (err !== rolledBack) throw err;
      });
    await Promise.race([isLocked, done]);
    return async () => {
      letGo();
      await done;
    };
  };

  return {
    store,
    waitForBlocked,
    hold,
    close: async () => {
      await store.close();
      await pool.end();
      await admin.end();
    },
  };
}

/**
 * The hooks of a race test file: a {@link RaceStore} in `schema` opened before its tests and closed after them
 * (with the PostgreSQL the tests started, if they did), its tables emptied before each test. Returns the
 * store's getter: `undefined` without a server (outside CI only), for the test to skip.
 */
export function useRaceStore(schema: string): () => RaceStore | undefined {
  let race: RaceStore | undefined;
  beforeAll(async () => {
    race = await openRaceStore(schema);
  }, 120_000);
  afterAll(async () => {
    await race?.close();
    await stopOwnPostgres();
  });
  beforeEach(async () => {
    if (race !== undefined) await resetTables(race.store);
  });
  return () => race;
}
