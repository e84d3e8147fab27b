/**
 * Migration 0010 (收件 of the official-account 申請書) on a database that was at 0009 with an application waiting
 * for its 申請書: the status CHECK and the open-application index are found in the catalog, whatever they were
 * renamed to; the application keeps its row, can be received (`formReceived`) and then still counts as the
 * member's one open application; a DBA's own unique partial index on the table stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteStore } from '../../src/enroll/store/pglite-store.js';
import { databasesBefore, type DatabasesBefore } from './support/pglite-template.js';

const WAITING = '00000000-0000-4000-8000-000000000101';
const insertOpen = `INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, created_at, updated_at)
  VALUES (gen_random_uuid(),'m1','2.16.886.101.20003','內政部','公務人員','manualReview',2,now(),now())`;
const UNIQUE_PARTIAL = `SELECT i.indexrelid::regclass::text AS name FROM pg_index i
  WHERE i.indrelid = 'enroll_official_applications'::regclass AND i.indisunique AND i.indpred IS NOT NULL ORDER BY 1`;

const CASES = [
  ['names as created', []],
  [
    'renamed CHECK and index, a DBA index beside them',
    [
      'ALTER TABLE enroll_official_applications RENAME CONSTRAINT enroll_official_applications_status_check TO official_status_ck',
      'ALTER INDEX enroll_official_applications_open_key RENAME TO official_open_ix',
      `CREATE UNIQUE INDEX dba_one_approval_per_member ON enroll_official_applications (member_id) WHERE status = 'approved'`,
    ],
  ],
] as const;

/** The database at 0009 with one application waiting for its 申請書, built once and copied per case. */
let prepared: DatabasesBefore;
beforeAll(async () => {
  prepared = await databasesBefore(
    '0010-official-form-receipt',
    `INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, created_at, updated_at, review_due_at)
     VALUES ('${WAITING}','m1','2.16.886.101.20003','內政部','公務人員','manualReview',1,'2026-03-02T01:00:00Z','2026-03-02T01:00:00Z','2026-03-03T16:00:00Z')`,
    CASES,
  );
}, 180_000);
afterAll(() => prepared?.remove());

describe('migration 0010 on an existing database', () => {
  it.each(CASES)('%s: applies, keeps the row, allows formReceived, which stays the open application', async (name, renames) => {
    const store = await PgliteStore.open({ dataDir: prepared.dir(name) });
    try {
      const run = (sql: string): Promise<string> =>
        store.transaction((tx) => tx.query(sql)).then(() => 'done', (e: unknown) => String((e as { message?: string }).message));
      const row = await store.transaction((tx) => tx.query<{ status: string; due: string | null; at: string | null }>(
        `SELECT status, review_due_at::text AS due, form_received_at::text AS at FROM enroll_official_applications WHERE id = '${WAITING}'`,
      ));
      // The row is as it was: its due time is replaced when 收件 is recorded.
      expect(row).toEqual([{ status: 'manualReview', due: expect.stringMatching(/^2026-03-0[34] /), at: null }]);
      expect(
        await run(`UPDATE enroll_official_applications SET status='formReceived', form_received_at=now(), form_received_via='fax', form_received_by='desk' WHERE id='${WAITING}'`),
      ).toBe('done');
      expect(await run(insertOpen)).toMatch(/enroll_official_applications_open_key/);
      // Half a receipt, another channel, a made-up state: each refused by its constraint.
      expect(await run(`UPDATE enroll_official_applications SET form_received_by=NULL WHERE id='${WAITING}'`)).toMatch(/enroll_official_applications_receipt_check/);
      expect(await run(`UPDATE enroll_official_applications SET form_received_via='post' WHERE id='${WAITING}'`)).toMatch(/enroll_official_applications_received_via_check/);
      expect(await run(`UPDATE enroll_official_applications SET status='gone' WHERE id='${WAITING}'`)).toMatch(/enroll_official_applications_status_check/);
      const checks = await store.transaction((tx) =>
        tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid='enroll_official_applications'::regclass AND contype='c' AND pg_get_constraintdef(oid) LIKE 'CHECK ((status = ANY %'`,
        ),
      );
      expect(checks).toEqual([{ n: 1 }]);
      const names = await store.transaction((tx) => tx.query<{ name: string }>(UNIQUE_PARTIAL));
      expect(names.map((r) => r.name)).toEqual([...(renames.length > 0 ? ['dba_one_approval_per_member'] : []), 'enroll_official_applications_open_key']);
      // Decided, the member may apply again.
      expect(await run(`UPDATE enroll_official_applications SET status='rejected' WHERE id='${WAITING}'`)).toBe('done');
      expect(await run(insertOpen)).toBe('done');
    } finally {
      await store.close();
    }
  });
});
