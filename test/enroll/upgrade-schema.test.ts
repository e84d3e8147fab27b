/**
 * The upgrade walk, schema side: a database an earlier release left at each schema point, with rows of every
 * table its flows used, runs the current migrations on PGlite and on PostgreSQL. They apply, keep every row, run
 * again as a no-op, and two migrators starting together apply each migration once.
 */
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHALLENGE_STORE_MIGRATIONS } from '../../src/challenge-store/migrations.js';
import { MIGRATIONS } from '../../src/enroll/migrations/index.js';
import { runMigrations } from '../../src/enroll/store/migrate.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { getDatabaseUrl, stopOwnPostgres } from './helpers.js';
import { SCHEMA_POINTS, oldPgSchema, oldPgliteSchema, storeOnPg, storeOnPglite, writeAsOldReleases, type SchemaPoint } from './upgrade-fixtures.js';
import { bareMemoryPglite } from './support/pglite-template.js';

// One PGlite for the file, a schema per point: starting PGlite is the slow part. It is what `PGlite.create()`
// gives, loaded from the initdb template instead of running initdb again (the first run on a machine makes it).
let shared: PGlite;
beforeAll(async () => {
  shared = await bareMemoryPglite();
}, 180_000);
afterAll(async () => {
  await shared.close();
  await stopOwnPostgres();
});

const ALL_IDS = [...MIGRATIONS, ...CHALLENGE_STORE_MIGRATIONS].map((m) => m.id).sort();

/** What a database holds: per table its row count, columns and a digest of its rows; and the ledger. */
interface Contents {
  readonly counts: Record<string, number>;
  readonly columns: Record<string, string[]>;
  readonly digests: Record<string, string>;
  readonly ledger: string[];
}

/**
 * The database's {@link Contents}. With `columnsOf` (the contents before the upgrade), each old table's digest
 * covers only its old columns, so it compares the old rows value for value across columns the upgrade added.
 */
async function snapshot(store: EnrollStore, columnsOf?: Record<string, string[]>): Promise<Contents> {
  return store.transaction(async (tx) => {
    const tables = await tx.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = current_schema() AND (table_name LIKE 'enroll\\_%' OR table_name LIKE 'twpki\\_%') AND table_name <> 'enroll_schema_migrations'
        ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    const columns: Record<string, string[]> = {};
    const digests: Record<string, string> = {};
    for (const { t } of tables) {
      counts[t] = Number((await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0]?.n);
      columns[t] = (
        await tx.query<{ c: string }>(
          'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
          [t],
        )
      ).map((r) => r.c);
      const cols = (columnsOf?.[t] ?? columns[t]).join(', ');
      const digest = await tx.query<{ d: string }>(`SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) AS d FROM (SELECT ROW(${cols})::text AS x FROM ${t}) rows`);
      digests[t] = String(digest[0]?.d);
    }
    const ledger = (await tx.query<{ id: string }>('SELECT id FROM enroll_schema_migrations ORDER BY id')).map((r) => r.id);
    return { counts, columns, digests, ledger };
  });
}

/** Runs the current enrollment and challenge-store migrations, as `PgStore.open` and `SqlChallengeStore.open` do. */
async function migrateAll(store: EnrollStore): Promise<string[]> {
  return [...(await runMigrations(store)), ...(await runMigrations(store, CHALLENGE_STORE_MIGRATIONS))];
}

function checkUpgrade(before: Contents, after: Contents): void {
  expect(after.ledger).toEqual(ALL_IDS);
  // Every old row is still there with every old value (no column dropped or rewritten); tables the old release
  // lacked are new and empty.
  for (const [table, n] of Object.entries(before.counts)) {
    expect({ table, n: after.counts[table], digest: after.digests[table] }).toEqual({ table, n, digest: before.digests[table] });
    expect(after.columns[table]).toEqual(expect.arrayContaining(before.columns[table] ?? []));
  }
  for (const [table, n] of Object.entries(after.counts)) if (!(table in before.counts)) expect({ table, n }).toEqual({ table, n: 0 });
}

describe.each(SCHEMA_POINTS)('upgrade from %s', (point: SchemaPoint) => {
  it('pglite: applies the missing migrations, keeps every row, and a second run applies nothing', async () => {
    await oldPgliteSchema(shared, `upgrade_${point.slice(0, 4)}`, point);
    const store = storeOnPglite(shared);
    {
      const before = await snapshot(store);
      expect(Object.values(before.counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
      const pending = ALL_IDS.filter((id) => !before.ledger.includes(id));
      // Two migrators at once on one PGlite queue behind its one connection; each migration applies once.
      const [a, b] = await Promise.all([migrateAll(store), migrateAll(store)]);
      expect([...a, ...b].sort()).toEqual(pending.sort());
      checkUpgrade(before, await snapshot(store, before.columns));
      expect(await migrateAll(store)).toEqual([]);
    }
  });

  it('postgres: two migrators racing apply each missing migration once, keep every row, and a third run applies nothing', async (ctx) => {
    const url = await getDatabaseUrl();
    if (url === undefined) {
      if (process.env['CI'] === 'true') throw new Error('CI needs PostgreSQL for the upgrade tests');
      ctx.skip();
      return;
    }
    const schema = `enroll_t_upgrade_${point.slice(0, 4)}`;
    const pool = await oldPgSchema(url, schema, point);
    const other = await oldPgSchemaPool(url, schema);
    const one = storeOnPg(pool);
    const two = storeOnPg(other);
    try {
      const before = await snapshot(one);
      const pending = ALL_IDS.filter((id) => !before.ledger.includes(id));
      const [a, b] = await Promise.all([migrateAll(one), migrateAll(two)]);
      expect([...a, ...b].sort()).toEqual(pending.sort());
      checkUpgrade(before, await snapshot(one, before.columns));
      expect(await migrateAll(two)).toEqual([]);
    } finally {
      await pool.end();
      await other.end();
    }
  });
});

/** A second pool on the same schema: another process's migrator. */
async function oldPgSchemaPool(url: string, schema: string): Promise<import('pg').Pool> {
  const { default: pg } = await import('pg');
  return new pg.Pool({ connectionString: url, max: 5, options: `-c search_path=${schema}` });
}

describe('during a rolling deploy', () => {
  it('pglite: the old releases\' writes still fit the upgraded schema (every new column has a default or is nullable)', async () => {
    await shared.exec('DROP SCHEMA IF EXISTS upgrade_rolling CASCADE; CREATE SCHEMA upgrade_rolling; SET search_path TO upgrade_rolling');
    const store = storeOnPglite(shared);
    await migrateAll(store);
    await writeAsOldReleases(async (sql, params) => {
      await store.transaction(async (tx) => {
        if (params === undefined) await tx.runScript(sql);
        else await tx.query(sql, [...params]);
      });
    });
    const after = await snapshot(store);
    expect(after.counts['enroll_account_applications']).toBeGreaterThan(5);
    // What old writers left out got the defaults the new code reads: a 驗證碼 unused, no owner recorded.
    const login = await store.transaction((tx) => tx.query('SELECT DISTINCT code_used_citizen_card, code_used_company_card FROM enroll_login_accounts'));
    expect(login).toEqual([{ code_used_citizen_card: false, code_used_company_card: false }]);
  });
});

describe('migration 0004 as changed on 2026-12-02', () => {
  it('gives the same catalog as the SQL released with it, so a database that ran either is the same', async () => {
    const current = MIGRATIONS.find((m) => m.id === '0004-official');
    if (current === undefined) throw new Error('no 0004');
    // The released text dropped the CHECK by name where the catalog search now is.
    const released = current.sql.replace(/(?:--[^\n]*\n)*DO \$twpki\$[\s\S]*?\$twpki\$;\n/, 'ALTER TABLE enroll_official_applications DROP CONSTRAINT enroll_official_applications_status_check;\n');
    expect(released).not.toBe(current.sql);
    expect(released).not.toContain('$twpki$');
    const catalog = async (schema: string, sql0004: string): Promise<{ constraints: unknown[]; indexes: unknown[]; columns: unknown[] }> => {
      await shared.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
      for (const m of MIGRATIONS) await shared.exec(m.id === current.id ? sql0004 : m.sql);
      const rows = async (sql: string): Promise<unknown[]> => (await shared.query(sql)).rows;
      return {
        constraints: await rows(
          `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2`,
        ),
        indexes: await rows(`SELECT indexname, replace(indexdef, current_schema() || '.', '') AS d FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`),
        columns: await rows(
          `SELECT table_name, column_name, data_type, replace(coalesce(column_default, ''), current_schema() || '.', '') AS dflt, is_nullable
             FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2`,
        ),
      };
    };
    const now = await catalog('upgrade_0004_now', current.sql);
    expect(now.constraints.length).toBeGreaterThan(20);
    expect(now).toEqual(await catalog('upgrade_0004_released', released));
  });
});
