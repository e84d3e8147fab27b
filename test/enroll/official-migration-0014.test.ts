/**
 * Migration 0014 (停用 and who cancelled) on a database that was at 0013, on PGlite and on PostgreSQL: a member the
 * trail shows deactivated, and still not activated, is deactivated as of the last such sync; one never activated,
 * or reactivated since, is not. A cancelled application is the member's or the system's by its cancel's audit
 * actor, unknown (and counting) without one; a member whose only earlier application the system cancelled applies
 * as a first applicant.
 */
import { expect } from 'vitest';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { enrollFailure } from './helpers.js';
import { describeMigrationOnExistingDatabases } from './support/migration-on-existing.js';

const ID = '0014-official-deactivation';
const NFA = '2.16.886.101.20003.20001.20003';
const A = (n: number) => `00000000-0000-4000-8000-0000000140${String(n).padStart(2, '0')}`;
const member = (id: string, name: string, nid: string, activated: string | null) =>
  `('${id}','${name}','${nid}','${id}@example.com',${activated === null ? 'NULL' : `'${activated}'`},'2026-02-01T00:00:00Z','2026-02-10T00:00:00Z')`;
const app = (n: number, memberId: string, status: string, attempt: number) =>
  `('${A(n)}','${memberId}','${NFA}','內政部消防署','公務人員','${status}',${attempt},'2026-02-0${n}T00:00:00Z','2026-02-0${n}T00:00:00Z')`;
const audit = (subject: string, role: string, at: string, event: string, from: string, to: string, reason: string) =>
  `('officialAccount','${subject}','${role}','${role === 'applicant' ? subject : 'egov-portal'}','${at}','${event}','${from}','${to}','${reason}')`;

// As the release at 0013 wrote them. off: deactivated (twice: the later one counts); fresh: never activated;
// back: deactivated, then activated again; on: activated all along.
const SEED = `
INSERT INTO enroll_official_members (member_id, name, national_id, email, activated_at, created_at, updated_at) VALUES
  ${member('off', '張美善', 'A226812638', null)}, ${member('fresh', '王小明', 'A123456789', null)},
  ${member('back', '林小華', 'A100005677', '2026-02-20T00:00:00Z')}, ${member('on', '陳大文', 'F131104093', '2026-02-01T00:00:00Z')};
INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, created_at, updated_at) VALUES
  ${app(1, 'off', 'cancelled', 1)}, ${app(2, 'on', 'cancelled', 1)}, ${app(3, 'back', 'cancelled', 1)}, ${app(4, 'back', 'underReview', 2)};
INSERT INTO enroll_audit_log (flow, subject, actor_role, actor_id, at, event, from_state, to_state, reason) VALUES
  ${audit('off', 'system', '2026-02-05T00:00:00Z', 'syncMember', 'citizen', 'citizen', '帳號已停用')},
  ${audit(A(1), 'system', '2026-02-05T00:00:00Z', 'cancel', 'manualReview', 'cancelled', '帳號已停用，待該帳號啟用後須重新申請公務帳號')},
  ${audit('off', 'system', '2026-02-06T00:00:00Z', 'syncMember', 'citizen', 'citizen', '帳號已啟用 2026-02-06T00:00:00.000Z')},
  ${audit('off', 'system', '2026-02-07T00:00:00Z', 'syncMember', 'citizen', 'citizen', '帳號已停用')},
  ${audit('fresh', 'system', '2026-02-05T00:00:00Z', 'syncMember', 'none', 'citizen', '帳號尚未啟用')},
  ${audit(A(2), 'applicant', '2026-02-05T00:00:00Z', 'cancel', 'underReview', 'cancelled', '取消申請')},
  ${audit('back', 'system', '2026-02-05T00:00:00Z', 'syncMember', 'citizen', 'citizen', '帳號已停用')},
  ${audit('back', 'system', '2026-02-20T00:00:00Z', 'syncMember', 'citizen', 'citizen', '帳號已啟用 2026-02-20T00:00:00.000Z')};
`;
const CASES = [['as the release at 0013 left it', []]] as const;


async function checkUpgraded(store: EnrollStore): Promise<void> {
  const ledger = await store.transaction((tx) => tx.query<{ id: string }>('SELECT id FROM enroll_schema_migrations ORDER BY id'));
  expect(ledger.map((r) => r.id)).toContain(ID);
  const flow = new OfficialAccountFlow({
    store,
    clock: new ManualClock('2026-03-02T01:00:00Z'),
    agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
  });

  expect((await flow.member('off')).deactivatedAt).toBe('2026-02-07T00:00:00.000Z');
  expect((await flow.member('fresh')).deactivatedAt).toBeUndefined();
  expect(await flow.member('back')).toMatchObject({ activatedAt: '2026-02-20T00:00:00.000Z' });
  expect((await flow.member('back')).deactivatedAt).toBeUndefined();
  const input = (memberId: string) => ({ memberId, agencyOid: NFA, reason: '公務人員', attested: true });
  expect((await enrollFailure(flow.apply(input('off'), { role: 'applicant', id: 'off' }))).refusal).toBe('MEMBER_DEACTIVATED');
  expect((await enrollFailure(flow.apply(input('fresh'), { role: 'applicant', id: 'fresh' }))).refusal).toBe('APPLICANT_NOT_ACTIVATED');

  expect((await flow.get(A(1))).cancelledBy).toBe('system');
  expect((await flow.get(A(2))).cancelledBy).toBe('member');
  expect((await flow.get(A(3))).cancelledBy).toBeUndefined();
  expect((await flow.get(A(4))).cancelledBy).toBeUndefined();
  // Only cancelled rows carry it.
  const open = await store.transaction((tx) => tx.query(`SELECT cancelled_by FROM enroll_official_applications WHERE id=$1`, [A(4)]));
  expect(open).toEqual([{ cancelled_by: null }]);

  // off, reactivated: its one application the system cancelled leaves it a first applicant (underReview, no
  // personnel system); on's own 取消申請 counts (a second application: manualReview).
  await flow.syncMember({ memberId: 'off', name: '張美善', nationalId: 'A226812638', email: 'off@example.com', activatedAt: new Date('2026-03-01T00:00:00Z') }, { role: 'system', id: 'host' });
  expect(await flow.apply(input('off'), { role: 'applicant', id: 'off' })).toMatchObject({ status: 'underReview', attempt: 2 });
  expect(await flow.apply(input('on'), { role: 'applicant', id: 'on' })).toMatchObject({ status: 'manualReview', attempt: 2 });

  await expect(store.transaction((tx) => tx.query(`UPDATE enroll_official_applications SET cancelled_by='reviewer' WHERE id=$1`, [A(1)]))).rejects.toThrow(
    /cancelled_by_check/,
  );
}

describeMigrationOnExistingDatabases({
  migrationId: ID,
  seed: SEED,
  cases: CASES,
  shows: '停用 and who cancelled are read back from the trail',
  check: (store) => checkUpgraded(store),
});
