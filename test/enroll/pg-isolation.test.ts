/**
 * PgStore names READ COMMITTED for its transactions: a database or role whose default isolation is REPEATABLE
 * READ or SERIALIZABLE must not change what the store's invariants rest on, and in particular must not let two
 * migrators that start together apply one migration twice (the one that waited for the advisory lock would work
 * from a snapshot older than the winner's ledger row).
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../src/enroll/store/migrate.js';
import { PgStore } from '../../src/enroll/store/pg-store.js';
import { getDatabaseUrl, stopOwnPostgres } from './helpers.js';
import { oldPgSchema } from './upgrade-fixtures.js';

afterAll(async () => {
  await stopOwnPostgres();
});

async function databaseUrl(): Promise<string> {
  const url = await getDatabaseUrl();
  if (url === undefined) throw new Error('PostgreSQL is needed (scripts/setup-debian.sh installs it)');
  return url;
}

/** A pool whose sessions default to `isolation`, in `schema`. */
function poolWith(url: string, schema: string, isolation: string): pg.Pool {
  return new pg.Pool({ connectionString: url, options: `-c search_path=${schema} -c default_transaction_isolation=${isolation.replace(' ', '\\ ')}` });
}

describe('PgStore under a stricter default isolation', () => {
  it.each(['repeatable read', 'serializable'])('runs its transactions at READ COMMITTED when the default is %s', async (isolation) => {
    const url = await databaseUrl();
    const pool = poolWith(url, 'public', isolation);
    try {
      const store = new PgStore({ pool });
      const [row] = await store.transaction((tx) => tx.query<{ transaction_isolation: string }>('SHOW transaction_isolation'));
      expect(row?.transaction_isolation).toBe('read committed');
      // Outside the store the pool's default holds: the setting above is the store's own.
      const outside = await pool.query<{ transaction_isolation: string }>('SHOW transaction_isolation');
      expect(outside.rows[0]?.transaction_isolation).toBe(isolation);
    } finally {
      await pool.end();
    }
  });

  it.each(['repeatable read', 'serializable', 'repeatable read', 'serializable'])(
    'two migrators starting together on a database at 0005 (default %s) apply each migration once',
    async (isolation) => {
      const url = await databaseUrl();
      const schema = `enroll_t_iso_${Math.random().toString(36).slice(2, 8)}`;
      await (await oldPgSchema(url, schema, '0005-org-cards')).end();
      const a = poolWith(url, schema, isolation);
      const b = poolWith(url, schema, isolation);
      try {
        const [first, second] = await Promise.all([runMigrations(new PgStore({ pool: a })), runMigrations(new PgStore({ pool: b }))]);
        const applied = [...first, ...second].sort();
        expect(applied.length).toBeGreaterThan(0);
        expect(new Set(applied).size).toBe(applied.length);
        expect(await runMigrations(new PgStore({ pool: a }))).toEqual([]);
      } finally {
        await a.end();
        await b.end();
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    },
  );
});
