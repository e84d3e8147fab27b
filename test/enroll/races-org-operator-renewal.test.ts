/**
 * One person is 經辦人 of two agencies (the seed assigns operators per agency
 * by serial, so nothing stops it). Under the `review` policy their renewed
 * card logs in to both agencies at once: each login held its own operator
 * row, neither saw the other's uncommitted request, and the second insert of
 * the same open request (flow, new serial) failed on the open-request index
 * with the driver's unique violation (23505). Now a request the other login
 * inserted is the one both answer with (RENEWAL_PENDING_REVIEW).
 */
import { expect, it } from 'vitest';
import {
  ManualClock,
  OrgRegistrationFlow,
  StaticAgencyDirectory,
  type AdministratorSession,
  type AgencyOid,
  type VerifiedCardHolder,
} from '../../src/enroll/index.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { citizenCard } from './helpers.js';
import { useRaceStore, type RaceStore } from './races-pg.js';

const OID_A = '2.16.886.101.20003.20001.20003';
const OID_B = '2.16.886.101.20003.20001.20004';
const agencies = new StaticAgencyDirectory([
  { oid: OID_A as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' },
  { oid: OID_B as AgencyOid, name: '內政部警政署', agencyCode: 'B5678' },
]);
const orgA: VerifiedCardHolder = markVerified({ authority: 'GCA', subjectName: '內政部消防署', certificateSerial: 'a1b2c3', organizationOid: OID_A });
const orgB: VerifiedCardHolder = markVerified({ authority: 'GCA', subjectName: '內政部警政署', certificateSerial: 'b1b2c3', organizationOid: OID_B });
const ANCHOR = 'a'.repeat(64);
const adminA = citizenCard(1, { anchor: ANCHOR, validFrom: '2024-05-01T00:00:00.000Z' });
const adminB = citizenCard(3, { anchor: ANCHOR, validFrom: '2024-05-01T00:00:00.000Z' });
const operator = citizenCard(2, { subjectName: '李經辦', anchor: ANCHOR, validFrom: '2024-05-01T00:00:00.000Z' });
const renewed = citizenCard(2, { subjectName: '李經辦', anchor: ANCHOR, validFrom: '2026-02-01T00:00:00.000Z', certificateSerial: '5b02' });
const contact = { name: '王小明', email: 'admin@nfa.gov.tw', phone: '(02)8195-9119', nationalId: 'A123456789' };
const clock = new ManualClock('2026-03-06T01:00:00Z');

const raceStore = useRaceStore('enroll_t_races_org_operator_renewal');

const sessions: Record<string, AdministratorSession> = {
  A1234: { organizationCard: orgA, administratorCard: adminA, administratorNationalId: 'A123456789' },
  B5678: { organizationCard: orgB, administratorCard: adminB, administratorNationalId: 'A123456789' },
};

/** Both agencies registered, with the same person as 經辦人 of each, recorded by a first verified login in each. */
async function operatorOfTwoAgencies(store: RaceStore['store']): Promise<OrgRegistrationFlow> {
  const flow = new OrgRegistrationFlow({ store, clock, agencies, permissions: ['承保作業'], renewal: 'review' });
  await flow.register({ agencyCode: 'A1234', organizationCard: orgA, administratorCard: adminA, administrator: contact });
  await flow.register({ agencyCode: 'B5678', organizationCard: orgB, administratorCard: adminB, administrator: contact });
  for (const code of ['A1234', 'B5678']) {
    await flow.assignOperator(code, sessions[code] as AdministratorSession, {
      certificateSerial: operator.certificateSerial,
      name: '李經辦',
      nationalId: 'A123456789',
      permissions: ['承保作業'],
    });
    await flow.authorizeOperator(code, operator, '承保作業');
  }
  return flow;
}


it('postgres: a renewed operator card logging in to two agencies at once: both wait for review, one request', async (ctx) => {
  const r = raceStore();
  if (r === undefined) return ctx.skip();
  const flow = await operatorOfTwoAgencies(r.store);
  // The first login inserts its request and then waits to write its audit entry (the table is held); the
  // second, not seeing that uncommitted request, inserts the same one and waits on the index behind it.
  const release = await r.hold((tx) => tx.query('LOCK TABLE enroll_audit_log IN SHARE MODE'));
  const login = (code: string): Promise<unknown> =>
    flow.authorizeOperator(code, renewed, '承保作業').then(
      () => undefined,
      (e: unknown) => e,
    );
  const first = login('A1234');
  await r.waitForBlocked(1);
  const second = login('B5678');
  await r.waitForBlocked(2);
  await release();
  const logins = [first, second];
  const outcomes = await Promise.all(logins);
  for (const o of outcomes) {
    expect(o).toBeInstanceOf(EnrollError);
    expect((o as EnrollError).code).toBe('RENEWAL_PENDING_REVIEW');
  }
  expect(await flow.pendingRenewals()).toHaveLength(1);
});

it('postgres: two agencies removing that operator at the same moment reject the shared request', async (ctx) => {
  // The request both agencies' logins share goes only when no binding holds the old card and serial any more.
  // Each removal checked the other agency's operator row without a lock, so two at once each saw the other's
  // row (not yet deleted for it) and neither rejected: the request stayed pending for ever.
  const r = raceStore();
  if (r === undefined) return ctx.skip();
  const flow = await operatorOfTwoAgencies(r.store);
  for (const code of ['A1234', 'B5678']) {
    await expect(flow.authorizeOperator(code, renewed, '承保作業')).rejects.toMatchObject({ code: 'RENEWAL_PENDING_REVIEW' });
  }
  expect(await flow.pendingRenewals()).toHaveLength(1);
  // Both removals get as far as their audit entry before either commits.
  const release = await r.hold((tx) => tx.query('LOCK TABLE enroll_audit_log IN SHARE MODE'));
  const remove = (code: string): Promise<unknown> =>
    flow.removeOperator(code, sessions[code] as AdministratorSession, operator.certificateSerial).then(
      () => undefined,
      (e: unknown) => e,
    );
  const first = remove('A1234');
  await r.waitForBlocked(1);
  const second = remove('B5678');
  await r.waitForBlocked(2);
  await release();
  expect(await Promise.all([first, second])).toEqual([undefined, undefined]);
  expect(await flow.pendingRenewals()).toEqual([]);
});
