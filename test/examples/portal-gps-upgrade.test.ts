/**
 * Upgrading a portal deployment from the releases that kept `portal_gps_owners` (application ID → the actor ID it
 * was applied with; owners are the flow's `AccountApplication.ownerId` since): the GPS system drops the table once,
 * on both stores, and the owners the table held are the ones the flow answers, so nothing it held is lost.
 */
import { beforeAll, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { AccountEnrollmentFlow, CapturingMailer, EmsLayerAdapter, joinTransaction, type EnrollStore } from 'twpki/enroll';
import { InMemoryEmsSource } from 'twpki/ems';
import { createTestPki, type TestPki } from 'twpki/testing';
import { demoTrust } from '../../examples/portal/demo-setup.js';
import { gpsSystem } from '../../examples/portal/gps/index.js';
import { startPortal } from '../../examples/portal/server.js';
import { describeEachStore } from '../enroll/helpers.js';

const RECORDS = ['A2000001', 'A2000002'].map((controlNumber, i) => ({
  controlNumber,
  companyName: `升級公司${i}股份有限公司`,
  responsiblePerson: `負責人${i}`,
  facilityAddress: `臺北市中正區重慶南路一段${i + 1}號`,
  facilityEmail: `facility${i}@example.com.tw`,
  mailingAddress: `臺北市中正區重慶南路一段${i + 1}號`,
  contactName: `聯絡人${i}`,
  contactEmail: `contact${i}@example.com.tw`,
}));

/** The table as the releases that kept it created it at start. */
const PREVIOUS_OWNER_TABLE = `CREATE TABLE IF NOT EXISTS portal_gps_owners (
  application_id TEXT PRIMARY KEY,
  actor_id TEXT NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 60_000);

const tableExists = async (store: EnrollStore): Promise<boolean> =>
  (await store.transaction((tx) => tx.query(`SELECT to_regclass('portal_gps_owners') IS NOT NULL AS present`)))[0]?.present === true;

describeEachStore('portal_gps_upgrade', (db) => {
  it('the GPS system drops portal_gps_owners once, and every owner it held is the one the flow records', async () => {
    const store = db();
    const ems = new EmsLayerAdapter(new InMemoryEmsSource(RECORDS));
    const flowOn = (s: EnrollStore) =>
      new AccountEnrollmentFlow({ store: s, clock: { now: () => new Date() }, mailer: new CapturingMailer(), ems, emsRecords: ems, activationLink: (t) => t });

    // What the previous release did: the table at start, and 送出申請 as the application and its row in one transaction.
    await store.transaction((tx) => tx.runScript(PREVIOUS_OWNER_TABLE));
    for (const rec of RECORDS) {
      const actor = { role: 'applicant' as const, id: `gps-account:${randomUUID()}` };
      await store.transaction(async (tx) => {
        const made = await flowOn(joinTransaction(tx)).apply({ controlNumber: rec.controlNumber }, actor);
        await tx.query('INSERT INTO portal_gps_owners (application_id, actor_id) VALUES ($1, $2)', [made.id, actor.id]);
      });
    }
    const held = await store.transaction((tx) => tx.query<{ application_id: string; actor_id: string }>('SELECT application_id, actor_id FROM portal_gps_owners ORDER BY application_id'));
    expect(held).toHaveLength(RECORDS.length);

    // Nothing the table held is lost: each row's actor is its application's owner, as the portal now reads it.
    for (const row of held) expect((await flowOn(store).get(row.application_id)).ownerId).toBe(row.actor_id);

    const start = () =>
      startPortal({
        port: 0,
        systems: [gpsSystem({ ems: RECORDS })],
        ...demoTrust(pki),
        mailer: new CapturingMailer(),
        reviewerPassword: 'reviewer-secret-gps-upgrade',
        databaseUrl: '',
        store,
      });
    const upgraded = await start();
    try {
      expect(await tableExists(store)).toBe(false);
      const recorded = await store.transaction((tx) => tx.query(`SELECT id FROM enroll_schema_migrations WHERE id = 'portal-gps-0001-drop-owners'`));
      expect(recorded).toHaveLength(1);
      // The applications and their owners are untouched.
      for (const row of held) expect((await flowOn(store).get(row.application_id)).ownerId).toBe(row.actor_id);
    } finally {
      await upgraded.close();
    }
    // Started again (a restart, a second instance): the drop is recorded, so it neither fails nor runs again.
    const again = await start();
    await again.close();
    expect(await tableExists(store)).toBe(false);
  }, 60_000);
});
