/**
 * The upgrade from the first release (schema at 0001), on PGlite and PostgreSQL, when a DBA or a restore renamed
 * the status CHECKs and the open-application index: every migration after it finds what it replaces in the
 * catalog. Migration 0004 dropped the official applications' status CHECK by name, so a renamed one failed the
 * whole upgrade ("constraint … does not exist", untyped) and left the database at 0001; 0008 and 0009 already
 * looked in the catalog. Also: a PGlite data directory the first release left, opened as a backend opens it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { MIGRATIONS } from '../../src/enroll/migrations/index.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { PgliteStore } from '../../src/enroll/store/pglite-store.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { FakeEms, citizenCard, getDatabaseUrl, stopOwnPostgres } from './helpers.js';
import { CN, MEMBERS, OLD, OLD_SECRETS, UPGRADED_AT, buildOldDatabase, oldPgSchema, storeOnPg, storeOnPglite } from './upgrade-fixtures.js';
import { bareMemoryPglite, copyBareDataDir } from './support/pglite-template.js';

const dirs: string[] = [];
// The first test's PGlite, started before it: what `PGlite.create()` gives, loaded from the initdb template (the
// first run on a machine makes it), so that the test's own time is the upgrade's.
let fresh: PGlite;
beforeAll(async () => {
  fresh = await bareMemoryPglite();
}, 180_000);
afterAll(async () => {
  if (fresh !== undefined && !fresh.closed) await fresh.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await stopOwnPostgres();
});

const RENAMES = [
  'ALTER TABLE enroll_official_applications RENAME CONSTRAINT enroll_official_applications_status_check TO official_status_ck',
  'ALTER TABLE enroll_account_applications RENAME CONSTRAINT enroll_account_applications_status_check TO accounts_status_ck',
  'ALTER INDEX enroll_account_applications_open_key RENAME TO accounts_open_ix',
];

/** Migrates the renamed old database and checks the result. */
async function upgradesRenamed(store: EnrollStore): Promise<void> {
  await store.migrate();
  const ledger = await store.transaction((tx) => tx.query<{ id: string }>('SELECT id FROM enroll_schema_migrations ORDER BY id'));
  expect(ledger.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  const checks = await store.transaction((tx) =>
    tx.query<{ tab: string; n: number }>(
      `SELECT conrelid::regclass::text AS tab, count(*)::int AS n FROM pg_constraint
        WHERE conrelid IN ('enroll_official_applications'::regclass, 'enroll_account_applications'::regclass)
          AND contype = 'c' AND pg_get_constraintdef(oid) LIKE 'CHECK ((status = ANY %'
        GROUP BY 1 ORDER BY 1`,
    ),
  );
  expect(checks).toEqual([
    { tab: 'enroll_account_applications', n: 1 },
    { tab: 'enroll_official_applications', n: 1 },
  ]);
  // 取消申請 (0004's state) works on the first release's application; a made-up state is still refused by name.
  const flow = new OfficialAccountFlow({
    store,
    clock: new ManualClock(UPGRADED_AT),
    agencies: new StaticAgencyDirectory([{ oid: '2.16.886.101.20003.20001.20003' as AgencyOid, name: '內政部消防署' }]),
  });
  expect((await flow.cancel(OLD.officialUnderReview, { role: 'applicant', id: MEMBERS.old1.memberId })).status).toBe('cancelled');
  const refused = await store
    .transaction((tx) => tx.query(`UPDATE enroll_official_applications SET status = 'gone' WHERE id = $1`, [OLD.officialManual]))
    .then(
      () => 'updated',
      (e: unknown) => String((e as { cause?: { message?: string }; message?: string }).message),
    );
  expect(refused).toMatch(/enroll_official_applications_status_check/);
}

describe('upgrade from the first release (0001)', () => {
  it('pglite: renamed CHECKs and index: every migration applies, one status CHECK per table, the new states allowed', async () => {
    // What oldPglite('0001-initial') builds, on a PGlite loaded from the initdb template instead of a new initdb.
    const db = fresh;
    try {
      await buildOldDatabase('0001-initial', async (sql, params) => {
        if (params === undefined) await db.exec(sql);
        else await db.query(sql, [...params]);
      });
      for (const sql of RENAMES) await db.exec(sql);
      await upgradesRenamed(storeOnPglite(db));
    } finally {
      await db.close();
    }
  });

  it('postgres: renamed CHECKs and index: every migration applies, one status CHECK per table, the new states allowed', async (ctx) => {
    const url = await getDatabaseUrl();
    if (url === undefined) {
      if (process.env['CI'] === 'true') throw new Error('CI needs PostgreSQL for the upgrade tests');
      ctx.skip();
      return;
    }
    const pool = await oldPgSchema(url, 'enroll_t_upgrade_renamed', '0001-initial');
    try {
      for (const sql of RENAMES) await pool.query(sql);
      await upgradesRenamed(storeOnPg(pool));
    } finally {
      await pool.end();
    }
  });

  it('pglite: a data directory the first release left opens with PgliteStore.open, migrates, and its old link works', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'twpki-upgrade-'));
    dirs.push(parent);
    const dir = join(parent, 'data');
    // A directory just past initdb (a copy of the template), which the first release's migrations then fill.
    await copyBareDataDir(dir);
    const old = new PGlite(dir);
    await buildOldDatabase('0001-initial', async (sql, params) => {
      if (params === undefined) await old.exec(sql);
      else await old.query(sql, [...params]);
    });
    await old.close();
    const store = await PgliteStore.open({ dataDir: dir });
    try {
      const ledger = await store.transaction((tx) => tx.query<{ id: string }>('SELECT id FROM enroll_schema_migrations ORDER BY id'));
      expect(ledger.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
      const ems = new FakeEms();
      const flow = new AccountEnrollmentFlow({
        store,
        clock: new ManualClock(UPGRADED_AT),
        mailer: new CapturingMailer(),
        ems,
        emsRecords: ems,
        activationLink: (t) => `https://gps.example.gov.tw/AccountActivate?key=${t}`,
      });
      expect((await flow.activate(OLD_SECRETS.activationToken)).status).toBe('active');
      expect(await flow.resolveLogin(citizenCard(4))).toBe(CN.approved);
    } finally {
      await store.close();
    }
  });
});
