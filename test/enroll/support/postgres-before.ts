/**
 * For a migration's test on existing PostgreSQL databases, the twin of `databasesBefore` (pglite-template.ts): a
 * schema migrated up to (not including) `migrationId`, as the releases before it left it, with `seed` and then the
 * case's `renames` (a DBA's or a restore's) run on it.
 */
import pg from 'pg';
import { MIGRATIONS } from '../../../src/enroll/migrations/index.js';

/** The ledger as every release's runner creates it. */
export const MIGRATION_LEDGER_SQL = 'CREATE TABLE enroll_schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())';

/** The migrations the releases before `migrationId` ran, in order. */
export function migrationsBefore(migrationId: string): typeof MIGRATIONS {
  const upTo = MIGRATIONS.findIndex((m) => m.id === migrationId);
  if (upTo <= 0) throw new Error(`no migration ${migrationId} after the first`);
  return MIGRATIONS.slice(0, upTo);
}

/** Schema `schema` (dropped and built anew) before `migrationId`, seeded; returns a pool whose connections use it. */
export async function postgresSchemaBefore(url: string, schema: string, migrationId: string, seed: string, renames: readonly string[] = []): Promise<pg.Pool> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    await client.query(MIGRATION_LEDGER_SQL);
    for (const m of migrationsBefore(migrationId)) {
      await client.query(m.sql);
      await client.query('INSERT INTO enroll_schema_migrations (id) VALUES ($1)', [m.id]);
    }
    await client.query(seed);
    for (const sql of renames) await client.query(sql);
  } finally {
    await client.end();
  }
  return new pg.Pool({ connectionString: url, max: 5, options: `-c search_path=${schema}` });
}
