/**
 * Migration 0009 (state `closed`) on a database that was at 0008 with an active account: the status CHECK and
 * the open-application index are found in the catalog, whatever they were renamed to; a closed account frees its
 * control number, and one open application per number still holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteStore } from '../../src/enroll/store/pglite-store.js';
import { DBA_INDEXES, UNIQUE_PARTIAL } from './dba-indexes.js';
import { databasesBefore, type DatabasesBefore } from './support/pglite-template.js';

const insertDraft = `INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at) VALUES (gen_random_uuid(),'H5600123','draft',now(),now())`;

/** The database at 0008 with an active account, built once (from the initdb template) and copied per case. */
let prepared: DatabasesBefore;
beforeAll(async () => {
  // The first run on a machine also makes the initdb template (tens of seconds on a loaded one).
  prepared = await databasesBefore(
    '0009-closed-accounts',
    `INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at) VALUES (gen_random_uuid(),'H5600123','active',now(),now())`,
    CASES,
  );
}, 180_000);
afterAll(() => prepared?.remove());

const CASES = [
  ['names as created', []],
  [
    'renamed CHECK and index',
    [
      'ALTER TABLE enroll_account_applications RENAME CONSTRAINT enroll_account_applications_status_check TO accounts_status_ck',
      'ALTER INDEX enroll_account_applications_open_key RENAME TO accounts_open_ix',
      ...DBA_INDEXES,
    ],
  ],
] as const;

describe('migration 0009 on an existing database', () => {
  it.each(CASES)('%s: applies, keeps the data, and a closed account frees its control number', async (name, renames) => {
    const dataDir = prepared.dir(name);
    const store = await PgliteStore.open({ dataDir });
    try {
      const refused = (sql: string): Promise<string> =>
        store.transaction((tx) => tx.query(sql)).then(() => 'done', (e: unknown) => String((e as { message?: string }).message));
      // While active, the number is taken.
      expect(await refused(insertDraft)).toMatch(/enroll_account_applications_open_key/);
      const closed = await store.transaction((tx) => tx.query<{ status: string }>(`UPDATE enroll_account_applications SET status='closed' RETURNING status`));
      expect(closed).toEqual([{ status: 'closed' }]);
      expect(await refused(insertDraft)).toBe('done');
      expect(await refused(insertDraft)).toMatch(/enroll_account_applications_open_key/);
      expect(await refused(`UPDATE enroll_account_applications SET status='gone'`)).toMatch(/enroll_account_applications_status_check/);
      const checks = await store.transaction((tx) =>
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid='enroll_account_applications'::regclass AND contype='c' AND pg_get_constraintdef(oid) LIKE 'CHECK ((status = ANY %'`),
      );
      expect(checks).toEqual([{ n: 1 }]);
      // The open-application index is replaced; a DBA's own unique partial indexes on the table stay.
      const names = await store.transaction((tx) => tx.query<{ name: string }>(UNIQUE_PARTIAL));
      const dba = renames.length > 0 ? ['dba_noted_number_once', 'dba_one_active_account', 'dba_one_review_per_applicant', 'dba_open_number_folded'] : [];
      expect(names.map((r) => r.name)).toEqual([...dba, 'enroll_account_applications_open_key']);
    } finally {
      await store.close();
    }
  });
});
