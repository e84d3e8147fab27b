/**
 * The new rejections on a real PostgreSQL, lined up behind held row locks:
 * a renewed card's login that holds the binding while it queues its request,
 * and the command removing that binding queued behind it, must end with the
 * request rejected (the command takes the binding's row before it rejects);
 * a reviewer's acceptance and the removal must not deadlock (the acceptance
 * takes the binding before the request, as the removal does). Before, the
 * acceptances of the login-enablement and organization flows locked the
 * request first, and PostgreSQL broke the cycle by aborting one of them.
 */
import { expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { OrgRegistrationFlow, type AdministratorSession } from '../../src/enroll/flows/org-registration.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { citizenCard } from './helpers.js';
import { FakePersonnelSystem, NFA, claire, host, member } from './official-fixtures.js';
import { useRaceStore, type RaceStore } from './races-pg.js';

const ANCHOR = 'a'.repeat(64);
const OLD = '2024-05-01T00:00:00.000Z';
const NEW = '2026-02-01T00:00:00.000Z';
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const clock = new ManualClock('2026-03-06T01:00:00Z');

const raceStore = useRaceStore('enroll_t_renewal_orphans_races');

const settle = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => v,
    (e: unknown) => e,
  );

/**
 * Starts `first`, waits until it is blocked on the lock `hold` takes, starts
 * `second` queued behind it, lets go, and returns both outcomes.
 */
async function inOrder(r: RaceStore, hold: string, params: unknown[], first: () => Promise<unknown>, second: () => Promise<unknown>): Promise<[unknown, unknown]> {
  const release = await r.hold((tx) => tx.query(hold, params));
  const a = settle(first());
  await r.waitForBlocked(1);
  const b = settle(second());
  await r.waitForBlocked(2);
  await release();
  return [await a, await b];
}

/** Neither outcome is PostgreSQL's deadlock (now typed CONCURRENT_UPDATE, so checked by its cause). */
function noDeadlock(...outcomes: unknown[]): void {
  for (const o of outcomes) {
    if (o instanceof Error) {
      expect(o).toBeInstanceOf(EnrollError);
      expect((o.cause as { code?: unknown } | undefined)?.code).not.toBe('40P01');
    }
  }
}

const code = (o: unknown): unknown => (o instanceof EnrollError ? o.code : o);

async function loginEnablement(r: RaceStore) {
  const company: Actor = { role: 'applicant', id: '04595257' };
  const flow = new LoginEnablementFlow({ store: r.store, clock, renewal: 'review' });
  const { verificationCode } = await flow.requestCertificateLogin(
    { businessId: '04595257', companyName: '公司', methods: { citizenCard: 'enabled', companyCard: 'enabled' } },
    company,
  );
  const first = citizenCard(1, { anchor: ANCHOR, validFrom: OLD });
  await flow.enableCertificateLogin({ businessId: '04595257', verificationCode, holder: first }, company);
  const renewed = citizenCard(1, { anchor: ANCHOR, validFrom: NEW, certificateSerial: '5b01' });
  const unbind = () => flow.unbindCard({ businessId: '04595257' }, first.certificateSerial, company);
  return { flow, renewed, unbind };
}

it('postgres: certificate-login enablement, a renewal queued while its card is unbound is rejected with it', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const { flow, renewed, unbind } = await loginEnablement(race);
  const [login, unbound] = await inOrder(race, 'SELECT 1 FROM enroll_login_bindings WHERE card_number=$1 FOR UPDATE', [renewed.cardNumber], () => flow.authorizeLogin(renewed), unbind);
  expect(code(login)).toBe('RENEWAL_PENDING_REVIEW');
  expect(unbound).toMatchObject({ status: 'awaitingBinding' });
  expect(await flow.pendingRenewals()).toEqual([]);
});

it('postgres: certificate-login enablement, a reviewer accepting while the card is unbound: no deadlock, nothing left waiting', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const { flow, renewed, unbind } = await loginEnablement(race);
  expect(code(await settle(flow.authorizeLogin(renewed)))).toBe('RENEWAL_PENDING_REVIEW');
  const [request] = await flow.pendingRenewals();
  const [accepted, unbound] = await inOrder(race, 'SELECT 1 FROM enroll_card_renewals FOR UPDATE', [], () => flow.acceptRenewal(request?.id ?? '', reviewer), unbind);
  noDeadlock(accepted, unbound);
  // The acceptance ran first and moved the binding to the renewed serial: unbinding the old one finds none.
  expect(accepted).toMatchObject({ certificateSerial: '5b01' });
  expect(code(unbound)).toBe('NOT_FOUND');
  expect(await flow.pendingRenewals()).toEqual([]);
});

it('postgres: official account, a renewal queued while the card is removed is rejected with it', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = new OfficialAccountFlow({
    store: race.store,
    clock,
    agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
    personnel: new FakePersonnelSystem(),
    renewal: 'review',
  });
  const card = (extra: Partial<VerifiedCardHolder>) => citizenCard(1, { subjectName: claire.name, idHint: '2638', anchor: ANCHOR, validFrom: OLD, ...extra });
  await flow.syncMember(claire, host);
  await flow.uploadCertificate(claire.memberId, card({}), member);
  // The login locks the member, then the card; the removal queues on the member behind it.
  const [login, removed] = await inOrder(
    race,
    'SELECT 1 FROM enroll_official_members WHERE member_id=$1 FOR UPDATE',
    [claire.memberId],
    () => flow.certificateLogin(card({ validFrom: NEW, certificateSerial: '5b01' })),
    () => flow.removeCertificate(claire.memberId, member),
  );
  expect(code(login)).toBe('RENEWAL_PENDING_REVIEW');
  expect(removed).toBeUndefined();
  expect(await flow.pendingRenewals()).toEqual([]);
});

async function organization(r: RaceStore) {
  const OID = '2.16.886.101.20003.20001.20003';
  const agencies = new StaticAgencyDirectory([{ oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' }]);
  const orgCard = markVerified({ authority: 'GCA', subjectName: '內政部消防署', certificateSerial: 'a1b2c3', organizationOid: OID }) as VerifiedCardHolder;
  const admin = citizenCard(1, { anchor: ANCHOR, validFrom: OLD });
  const operator = citizenCard(2, { subjectName: '李經辦', anchor: ANCHOR, validFrom: OLD });
  const renewed = citizenCard(2, { subjectName: '李經辦', anchor: ANCHOR, validFrom: NEW, certificateSerial: '5b02' });
  const session: AdministratorSession = { organizationCard: orgCard, administratorCard: admin, administratorNationalId: 'A123456789' };
  const flow = new OrgRegistrationFlow({ store: r.store, clock, agencies, permissions: ['承保作業'], renewal: 'review' });
  await flow.register({ agencyCode: 'A1234', organizationCard: orgCard, administratorCard: admin, administrator: { name: '王小明', email: 'a@nfa.gov.tw', phone: '(02)8195-9119', nationalId: 'A123456789' } });
  await flow.assignOperator('A1234', session, { certificateSerial: operator.certificateSerial, name: '李經辦', nationalId: 'A123456789', permissions: ['承保作業'] });
  await flow.authorizeOperator('A1234', operator, '承保作業');
  const remove = () => flow.removeOperator('A1234', session, operator.certificateSerial);
  return { flow, operator, renewed, remove };
}

it('postgres: organization, a renewal queued while the operator is removed is rejected with it', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const { flow, renewed, remove } = await organization(race);
  const [login, removed] = await inOrder(
    race,
    'SELECT 1 FROM enroll_org_operators WHERE card_number=$1 FOR UPDATE',
    [renewed.cardNumber],
    () => flow.authorizeOperator('A1234', renewed, '承保作業'),
    remove,
  );
  expect(code(login)).toBe('RENEWAL_PENDING_REVIEW');
  expect(removed).toEqual([]);
  expect(await flow.pendingRenewals()).toEqual([]);
});

it('postgres: organization, a reviewer accepting while the operator is removed: no deadlock, nothing left waiting', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const { flow, renewed, remove } = await organization(race);
  expect(code(await settle(flow.authorizeOperator('A1234', renewed, '承保作業')))).toBe('RENEWAL_PENDING_REVIEW');
  const [request] = await flow.pendingRenewals();
  const [accepted, removed] = await inOrder(race, 'SELECT 1 FROM enroll_card_renewals FOR UPDATE', [], () => flow.acceptRenewal(request?.id ?? '', reviewer), remove);
  noDeadlock(accepted, removed);
  // The acceptance ran first and moved the operator to the renewed serial: the removal of the old one finds none.
  expect(accepted).toMatchObject({ holder: 'operator', certificateSerial: '5b02' });
  expect(code(removed)).toBe('NOT_FOUND');
  expect(await flow.pendingRenewals()).toEqual([]);
});
