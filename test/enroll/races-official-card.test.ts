/**
 * 憑證登入, or a reviewer accepting a renewal, while the member removes or
 * replaces the uploaded card (two devices, or the host's member sync): those
 * locked the card and then the member, the member's commands the member and
 * then the card, and PostgreSQL broke the deadlock by failing one with its own
 * error (40P01). Now they take the member first too: whichever runs first
 * finishes, the other sees what it left.
 */
import { expect, it } from 'vitest';
import { EnrollError } from '../../src/enroll/errors.js';
import { ManualClock, OfficialAccountFlow, StaticAgencyDirectory, type AgencyOid, type RenewalPolicy } from '../../src/enroll/index.js';
import { citizenCard } from './helpers.js';
import { FakePersonnelSystem, NFA, claire, host, member, reviewer } from './official-fixtures.js';
import { useRaceStore, type RaceStore } from './races-pg.js';

const clock = new ManualClock('2026-03-02T01:00:00Z');
const claireCard = citizenCard(1, { subjectName: '張美善', idHint: '2638', anchor: 'a'.repeat(64), validFrom: '2024-05-01T00:00:00.000Z' });
const renewedCard = citizenCard(1, { subjectName: '張美善', idHint: '2638', anchor: 'a'.repeat(64), validFrom: '2026-02-01T00:00:00.000Z', certificateSerial: '5b01' });
const otherCard = citizenCard(2, { subjectName: '張美善', idHint: '2638' });

const raceStore = useRaceStore('enroll_t_races_official_card');

function flowOn(r: RaceStore, renewal?: RenewalPolicy): OfficialAccountFlow {
  return new OfficialAccountFlow({
    store: r.store,
    clock,
    agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
    personnel: Object.assign(new FakePersonnelSystem(), { records: [{ name: '張美善', nationalId: 'A226812638', agencyOid: NFA }] }),
    ...(renewal === undefined ? {} : { renewal }),
  });
}

const settle = <T>(p: Promise<T>): Promise<T | unknown> =>
  p.then(
    (v) => v,
    (e: unknown) => e,
  );

/**
 * Lines up the login first and `command` second behind a lock on the uploaded
 * card's row, lets both go and returns both outcomes.
 */
async function loginThen(r: RaceStore, login: () => Promise<unknown>, command: () => Promise<unknown>): Promise<[unknown, unknown]> {
  const release = await r.hold((tx) => tx.query('SELECT 1 FROM enroll_official_cards FOR UPDATE'));
  const first = settle(login());
  await r.waitForBlocked(1);
  const second = settle(command());
  await r.waitForBlocked(2);
  await release();
  return [await first, await second];
}

it('postgres: 憑證登入 while the member removes the card: no deadlock, the login finds the card it was queued for', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = flowOn(race);
  await flow.syncMember(claire, host);
  await flow.uploadCertificate(claire.memberId, claireCard, member);
  const [login, removal] = await loginThen(race, () => flow.certificateLogin(claireCard), () => flow.removeCertificate(claire.memberId, member));
  expect(login).toMatchObject({ memberId: claire.memberId });
  expect(removal).toBeUndefined();
  expect(await flow.certificate(claire.memberId)).toBeUndefined();
});

it('postgres: 憑證登入 while the member uploads another card: no deadlock', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = flowOn(race);
  await flow.syncMember(claire, host);
  await flow.uploadCertificate(claire.memberId, claireCard, member);
  const [login, upload] = await loginThen(race, () => flow.certificateLogin(claireCard), () => flow.uploadCertificate(claire.memberId, otherCard, member));
  expect(login).toMatchObject({ memberId: claire.memberId });
  expect(upload).toMatchObject({ cardNumber: otherCard.cardNumber });
});

it('postgres: a reviewer accepting a renewal while the member removes the card: no deadlock, a typed answer', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = flowOn(race, 'review');
  await flow.syncMember(claire, host);
  await flow.uploadCertificate(claire.memberId, claireCard, member);
  await expect(flow.certificateLogin(renewedCard)).rejects.toMatchObject({ code: 'RENEWAL_PENDING_REVIEW' });
  const [request] = await flow.pendingRenewals();
  const [accepted, removal] = await loginThen(race, () => flow.acceptRenewal(request?.id ?? '', reviewer), () => flow.removeCertificate(claire.memberId, member));
  expect(accepted).toMatchObject({ certificateSerial: '5b01' });
  expect(removal).toBeUndefined();
  expect(await flow.certificate(claire.memberId)).toBeUndefined();
});

it('postgres: a login and a removal started together: typed outcomes only', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = flowOn(race);
  await flow.syncMember(claire, host);
  await flow.uploadCertificate(claire.memberId, claireCard, member);
  const outcomes = await Promise.all([settle(flow.certificateLogin(claireCard)), settle(flow.removeCertificate(claire.memberId, member))]);
  for (const o of outcomes) if (o instanceof Error) expect(o).toBeInstanceOf(EnrollError);
});
