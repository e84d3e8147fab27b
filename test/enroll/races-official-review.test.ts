/**
 * A reviewer's decision on an official-account application while the host
 * syncs the member with a changed name: the decision locked the application
 * and then the member, the sync the member and then the member's open
 * applications (to cancel them), and PostgreSQL broke the deadlock by failing
 * one with its own error (40P01). Now every application command locks the
 * member first.
 */
import { expect, it } from 'vitest';
import { ManualClock, OfficialAccountFlow, StaticAgencyDirectory, type AgencyOid } from '../../src/enroll/index.js';
import { NFA, claire, host, member, reviewer } from './official-fixtures.js';
import { useRaceStore } from './races-pg.js';

const clock = new ManualClock('2026-03-02T01:00:00Z');

const raceStore = useRaceStore('enroll_t_races_official_review');

const settle = <T>(p: Promise<T>): Promise<T | unknown> =>
  p.then(
    (v) => v,
    (e: unknown) => e,
  );

it('postgres: a reviewer approving while the host syncs a changed name: no deadlock; the member ends a citizen', async (ctx) => {
  const r = raceStore();
  if (r === undefined) return ctx.skip();
  // No personnel system: a first application waits for a reviewer (審核中).
  const flow = new OfficialAccountFlow({ store: r.store, clock, agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]) });
  await flow.syncMember(claire, host);
  const app = await flow.apply({ memberId: claire.memberId, agencyOid: NFA, reason: '公務人員', attested: true }, member);
  expect(app.status).toBe('underReview');
  const release = await r.hold((tx) => tx.query('SELECT 1 FROM enroll_official_applications FOR UPDATE'));
  const approval = settle(flow.approve(app.id, reviewer));
  await r.waitForBlocked(1);
  const sync = settle(flow.syncMember({ ...claire, name: '張美美' }, host));
  await r.waitForBlocked(2);
  await release();
  const [approved, synced] = [await approval, await sync];
  expect(approved).toMatchObject({ status: 'approved' });
  // The sync ran after the approval, so the changed name took 公務人員 away again.
  expect(synced).toMatchObject({ name: '張美美', memberType: 'citizen' });
});
