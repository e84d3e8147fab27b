/**
 * Migration 0012 (the activation of an official-account member) on a database that was at 0011 with members, on
 * PGlite and on PostgreSQL: the members stored before it are activated as of their first synchronization (the
 * hosts that stored them reported no activation, and the guide had them synchronize activated accounts only), so
 * they still apply; a row an earlier release's writer inserts without the column is activated too; the flow's own
 * `null` is kept, and refused at apply.
 */
import { expect } from 'vitest';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { enrollFailure } from './helpers.js';
import { describeMigrationOnExistingDatabases } from './support/migration-on-existing.js';

const ID = '0012-official-member-activation';
const NFA = '2.16.886.101.20003.20001.20003';
// As the release at 0011 wrote them: a 一般民眾 and a 公務人員, with no activation.
const SEED = `INSERT INTO enroll_official_members (member_id, name, national_id, email, member_type, agency_oid, agency_name, created_at, updated_at, version)
  VALUES ('clairesu1234','張美善','A226812638','claire01001@hotmail.com','citizen',NULL,NULL,'2026-02-01T00:00:00Z','2026-02-10T00:00:00Z',2),
         ('wang6789','王小明','A123456789','wang6789@example.com.tw','official','${NFA}','內政部消防署','2026-01-15T00:00:00Z','2026-01-20T00:00:00Z',1)`;
const CASES = [['as the release at 0011 left it', []]] as const;


async function checkUpgraded(store: EnrollStore): Promise<void> {
  const ledger = await store.transaction((tx) => tx.query<{ id: string }>('SELECT id FROM enroll_schema_migrations ORDER BY id'));
  expect(ledger.map((r) => r.id)).toContain(ID);
  const column = await store.transaction((tx) =>
    tx.query(`SELECT data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'enroll_official_members' AND column_name = 'activated_at'`),
  );
  expect(column).toEqual([{ data_type: 'timestamp with time zone', is_nullable: 'YES' }]);

  const flow = new OfficialAccountFlow({
    store,
    clock: new ManualClock('2026-03-02T01:00:00Z'),
    agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
  });
  // The stored members: activated when first synchronized, otherwise as they were.
  expect(await flow.member('clairesu1234')).toMatchObject({ activatedAt: '2026-02-01T00:00:00.000Z', memberType: 'citizen', version: 2, updatedAt: '2026-02-10T00:00:00.000Z' });
  expect(await flow.member('wang6789')).toMatchObject({ activatedAt: '2026-01-15T00:00:00.000Z', memberType: 'official', agencyName: '內政部消防署' });
  const claire = { role: 'applicant', id: 'clairesu1234' } as const;
  const input = { memberId: 'clairesu1234', agencyOid: NFA, reason: '公務人員', attested: true };
  expect((await flow.apply(input, claire)).status).toBe('underReview');

  // A writer of the release at 0011 during a rolling deploy names no activated_at: the row is activated.
  await store.transaction((tx) =>
    tx.query(`INSERT INTO enroll_official_members (member_id, name, national_id, email, created_at, updated_at)
      VALUES ('lin5678','林小華','A100005677','lin@example.com', now(), now())`),
  );
  expect((await flow.member('lin5678')).activatedAt).toEqual(expect.any(String));

  // This release writes the host's null, which is kept and refused at apply.
  await flow.syncMember({ memberId: 'lin5678', name: '林小華', nationalId: 'A100005677', email: 'lin@example.com', activatedAt: null }, { role: 'system', id: 'host' });
  expect(await store.transaction((tx) => tx.query(`SELECT activated_at FROM enroll_official_members WHERE member_id='lin5678'`))).toEqual([{ activated_at: null }]);
  const err = await enrollFailure(flow.apply({ ...input, memberId: 'lin5678' }, { role: 'applicant', id: 'lin5678' }));
  // Taken as activated (the DEFAULT), so the host's null deactivated it (停用, migration 0014).
  expect(err.refusal).toBe('MEMBER_DEACTIVATED');
}

describeMigrationOnExistingDatabases({
  migrationId: ID,
  seed: SEED,
  cases: CASES,
  shows: 'applies; stored members are activated as of their first sync; null is kept',
  check: (store) => checkUpgraded(store),
});
