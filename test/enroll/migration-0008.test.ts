/**
 * Migration 0008 (state `abandoned`) on a database that was at 0007 with data: the old status CHECKs and the
 * GPS open-application index are found in the catalog, whatever a DBA or a restore renamed them to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteStore } from '../../src/enroll/store/pglite-store.js';
import { DBA_INDEXES, UNIQUE_PARTIAL } from './dba-indexes.js';
import { databasesBefore, type DatabasesBefore } from './support/pglite-template.js';

/** The database at 0007 with two applications of one control number, built once (from the initdb template) and copied per case. */
let prepared: DatabasesBefore;
beforeAll(async () => {
  // The first run on a machine also makes the initdb template (tens of seconds on a loaded one).
  prepared = await databasesBefore(
    '0008-unfinished-applications',
    `INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at)
       VALUES (gen_random_uuid(),'H5600123','draft',now(),now()), (gen_random_uuid(),'H5600123','rejected',now(),now())`,
    CASES,
  );
}, 180_000);
afterAll(() => prepared?.remove());

const CASES = [
  ['names as created', []],
  [
    'renamed CHECKs and index',
    [
      'ALTER TABLE enroll_account_applications RENAME CONSTRAINT enroll_account_applications_status_check TO accounts_status_ck',
      'ALTER TABLE enroll_waste_applications RENAME CONSTRAINT enroll_waste_applications_status_check TO waste_status_ck',
      'ALTER INDEX enroll_account_applications_open_key RENAME TO accounts_open_ix',
      ...DBA_INDEXES,
    ],
  ],
] as const;

describe('migration 0008 on an existing database', () => {
  it.each(CASES)('%s: applies, keeps the data, and an application can be abandoned', async (name, renames) => {
    const dataDir = prepared.dir(name);
    const store = await PgliteStore.open({ dataDir });
    try {
      const applied = await store.transaction((tx) => tx.query<{ id: string }>('SELECT id FROM enroll_schema_migrations ORDER BY id'));
      expect(applied.map((r) => r.id)).toContain('0008-unfinished-applications');
      const moved = await store.transaction((tx) =>
        tx.query<{ status: string }>(`UPDATE enroll_account_applications SET status='abandoned' WHERE status='draft' RETURNING status`),
      );
      expect(moved).toEqual([{ status: 'abandoned' }]);
      // The new open-application rule: an abandoned application leaves the number free, a second open one is refused.
      await store.transaction((tx) =>
        tx.query(`INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at) VALUES (gen_random_uuid(),'H5600123','draft',now(),now())`),
      );
      const second = await store
        .transaction((tx) =>
          tx.query(`INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at) VALUES (gen_random_uuid(),'H5600123','draft',now(),now())`),
        )
        .then(() => 'inserted', (e: unknown) => String((e as { message?: string }).message));
      expect(second).toMatch(/enroll_account_applications_open_key/);
      const waste = await store.transaction((tx) =>
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid='enroll_waste_applications'::regclass AND contype='c' AND pg_get_constraintdef(oid) LIKE '%abandoned%'`),
      );
      expect(waste).toEqual([{ n: 1 }]);
      // The open-application index is replaced; a DBA's own unique partial indexes on the table stay.
      const names = await store.transaction((tx) => tx.query<{ name: string }>(UNIQUE_PARTIAL));
      const dba = renames.length > 0 ? ['dba_noted_number_once', 'dba_one_active_account', 'dba_one_review_per_applicant', 'dba_open_number_folded'] : [];
      expect(names.map((r) => r.name)).toEqual([...dba, 'enroll_account_applications_open_key']);
    } finally {
      await store.close();
    }
  });
});
