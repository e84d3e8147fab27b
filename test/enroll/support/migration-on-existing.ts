/**
 * One migration's test on databases the releases before it left: each case a database at the migration before,
 * seeded (and with the case's renames run on it, a DBA's or a restore's), opened by the store, so migrated, then
 * checked; on PGlite (copies of one prepared database) and on PostgreSQL (a schema of its own per case). Under
 * `CI=true` a missing PostgreSQL fails the test; elsewhere it is skipped.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PgStore } from '../../../src/enroll/store/pg-store.js';
import { PgliteStore } from '../../../src/enroll/store/pglite-store.js';
import type { EnrollStore } from '../../../src/enroll/store/store.js';
import { getDatabaseUrl, stopOwnPostgres } from '../helpers.js';
import { databasesBefore, type DatabasesBefore } from './pglite-template.js';
import { postgresSchemaBefore } from './postgres-before.js';

/** A case: its name (in the test title) and the SQL run on the seeded database before the store opens it. */
export type UpgradeCase = readonly [name: string, renames: readonly string[]];

/** What {@link describeMigrationOnExistingDatabases} runs. */
export interface MigrationOnExisting {
  /** The migration's id, e.g. `0014-official-deactivation`; its first four characters name the describe and schemas. */
  readonly migrationId: string;
  /** SQL run on the database at the migration before: the rows the releases before wrote. */
  readonly seed: string;
  /** The databases to upgrade. */
  readonly cases: readonly UpgradeCase[];
  /** What each test shows, after `<store>, <case>: ` in its title. */
  readonly shows: string;
  /** The checks on the store once opened (and so migrated), given the case's renames. */
  readonly check: (store: EnrollStore, renames: readonly string[]) => Promise<void>;
}

/** Registers the prepared databases' set-up and one test per case and store. */
export function describeMigrationOnExistingDatabases(spec: MigrationOnExisting): void {
  const number = spec.migrationId.slice(0, 4);
  let prepared: DatabasesBefore | undefined;
  beforeAll(async () => {
    prepared = await databasesBefore(spec.migrationId, spec.seed, spec.cases);
  }, 180_000);
  afterAll(async () => {
    prepared?.remove();
    await stopOwnPostgres();
  });

  describe(`migration ${number} on an existing database`, () => {
    it.for(spec.cases)(`pglite, %s: ${spec.shows}`, async ([name, renames]) => {
      if (prepared === undefined) throw new Error('the prepared databases were not built');
      const store = await PgliteStore.open({ dataDir: prepared.dir(name) });
      try {
        await spec.check(store, renames);
      } finally {
        await store.close();
      }
    });

    it.for(spec.cases)(`postgres, %s: ${spec.shows}`, async ([name, renames], ctx) => {
      const url = await getDatabaseUrl();
      if (url === undefined) {
        if (process.env['CI'] === 'true') throw new Error('CI needs PostgreSQL for the migration tests');
        ctx.skip();
        return;
      }
      const schema = `enroll_t_m${number}_${spec.cases.findIndex(([n]) => n === name)}`;
      const pool = await postgresSchemaBefore(url, schema, spec.migrationId, spec.seed, renames);
      try {
        await spec.check(await PgStore.open({ pool }), renames);
      } finally {
        await pool.end();
      }
    });
  });
}
