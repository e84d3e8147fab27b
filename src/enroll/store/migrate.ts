import { MIGRATIONS, type Migration } from '../migrations/index.js';
import type { EnrollStore } from './store.js';

// Arbitrary constant: serializes concurrent migrators across processes.
const MIGRATION_LOCK_KEY = 7_341_260_006;

/** Applies `migrations` not yet recorded in `enroll_schema_migrations`, each in its own transaction. */
export async function runMigrations(store: EnrollStore, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await store.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS enroll_schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const seen = await tx.query('SELECT 1 FROM enroll_schema_migrations WHERE id = $1', [m.id]);
      if (seen.length > 0) return false;
      await tx.runScript(m.sql);
      await tx.query('INSERT INTO enroll_schema_migrations (id) VALUES ($1)', [m.id]);
      return true;
    });
    if (done) applied.push(m.id);
  }
  return applied;
}
