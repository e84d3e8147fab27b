/**
 * The upgrade walk, flow side: after the current migrations ran on a database an earlier release left at each
 * schema point, the old rows read through the public API and every flow continues from the state it was left
 * in — a GPS application half-way through reaches `active`, an old activation link and 驗證碼 still work, a
 * binding made before the upgrade still logs in (a renewal it cannot judge is refused, typed), an official
 * application of the first release (no member record, no person columns) is decided, a waste application
 * continues, and a login challenge issued before the upgrade is honoured once.
 */
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlChallengeStore } from '../../src/challenge-store/sql-challenge-store.js';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { OrgRegistrationFlow, type AdministratorSession } from '../../src/enroll/flows/org-registration.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { WasteSystemFlow } from '../../src/enroll/flows/waste-system.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { rehydrateState, serializeState, type EnrollState } from '../../src/enroll/state-document.js';
import { FakeEms, basicDataFor, citizenCard, enrollFailure, getDatabaseUrl, stopOwnPostgres, tokenFromMail } from './helpers.js';
import {
  AGENCIES,
  CN,
  LOGIN,
  MEMBERS,
  OLD,
  OLD_SECRETS,
  SCHEMA_POINTS,
  UPGRADED_AT,
  hasEra,
  oldPgSchema,
  oldPgliteSchema,
  seededCard,
  storeOnPg,
  storeOnPglite,
  type SchemaPoint,
} from './upgrade-fixtures.js';
import { bareMemoryPglite } from './support/pglite-template.js';
import { PDF, codeFromMail, registry } from './waste-fixtures.js';

// One PGlite for the file, a schema per point: starting PGlite is the slow part. It is what `PGlite.create()`
// gives, loaded from the initdb template instead of running initdb again (the first run on a machine makes it).
let shared: PGlite;
beforeAll(async () => {
  shared = await bareMemoryPglite();
}, 180_000);
afterAll(async () => {
  await shared.close();
  await stopOwnPostgres();
});

const reviewer: Actor = { role: 'reviewer', id: 'staff-007' };
const NFA = '2.16.886.101.20003.20001.20003';

/** An old record goes through the state document (serialize, rehydrate) unchanged. */
function roundTrips(value: EnrollState): void {
  expect(rehydrateState(serializeState(value))).toEqual(value);
}

async function gpsContinues(store: EnrollStore, point: SchemaPoint): Promise<void> {
  const clock = new ManualClock(UPGRADED_AT);
  const mailer = new CapturingMailer();
  const ems = new FakeEms();
  for (const cn of Object.values(CN)) ems.put(basicDataFor(cn));
  const flow = new AccountEnrollmentFlow({ store, clock, mailer, ems, emsRecords: ems, activationLink: (t) => `https://gps.example.gov.tw/AccountActivate?key=${t}` });
  const applicant = (cn: string): Actor => ({ role: 'applicant', id: cn });

  // Old rows read as they were written, and go through the state document.
  for (const id of [OLD.gpsDraft, OLD.gpsVerified, OLD.gpsUnderReview, OLD.gpsApproved, OLD.gpsActive, OLD.gpsRejected, OLD.gpsEmsRejected]) {
    roundTrips({ flow: 'account', state: await flow.get(id) });
  }
  expect(await flow.get(OLD.gpsActive)).toMatchObject({ status: 'active', controlNumber: CN.active, version: 4, reviewNote: '資料相符' });
  expect((await flow.history(CN.draft)).map((a) => a.status).sort()).toEqual(['draft', 'emsRejected']);
  expect((await flow.listCards(CN.active)).map((c) => c.status)).toEqual(['active', 'active']);
  expect((await readAuditTrail(store, { flow: 'account', subject: OLD.gpsActive })).map((e) => e.event)).toEqual(['apply', 'activate']);

  // A draft of the first release (no owner recorded) goes all the way.
  await flow.submitBasicData(OLD.gpsDraft, basicDataFor(CN.draft), applicant(CN.draft));
  await flow.bindCard(OLD.gpsDraft, { holder: citizenCard(10), contact: { phone: '02-2345-6789', email: 'typed@example.com' } }, applicant(CN.draft));
  await flow.approve(OLD.gpsDraft, reviewer);
  expect((await flow.activate(tokenFromMail(mailer.last()?.text ?? ''))).status).toBe('active');
  expect(await flow.resolveLogin(citizenCard(10))).toBe(CN.draft);

  // basicDataVerified → 審核中; 審核中 → approved → active with the new link.
  expect((await flow.bindCard(OLD.gpsVerified, { holder: citizenCard(11), contact: { phone: '02-2345-6789', email: 'a@example.com' } }, applicant(CN.verified))).status).toBe('underReview');
  await flow.approve(OLD.gpsUnderReview, reviewer);
  expect((await flow.activate(tokenFromMail(mailer.last()?.text ?? ''))).status).toBe('active');
  expect(await flow.resolveLogin(citizenCard(3))).toBe(CN.underReview);

  // The link the old release mailed still opens the account; a revoked and a used one stay refused.
  expect((await enrollFailure(flow.activate(OLD_SECRETS.revokedToken))).code).toBe('TOKEN_INVALID');
  expect((await enrollFailure(flow.activate(OLD_SECRETS.usedToken))).code).toBe('TOKEN_USED');
  expect((await flow.activate(OLD_SECRETS.activationToken)).status).toBe('active');
  expect(await flow.resolveLogin(citizenCard(4))).toBe(CN.approved);

  // A binding made before the upgrade logs in; its renewal cannot be judged (no renewal data) and is refused, typed.
  expect(await flow.resolveLogin(citizenCard(5))).toBe(CN.active);
  const renewed = citizenCard(5, { certificateSerial: '4a990000000005', validFrom: '2026-11-29T00:00:00.000Z' });
  expect(await enrollFailure(flow.resolveLogin(renewed))).toMatchObject({ code: 'NOT_AUTHORIZED', refusal: 'RENEWAL_MISMATCH' });
  // The owner-less old account still takes and drops cards.
  await flow.addCard(CN.active, { holder: citizenCard(12), contact: { phone: '02-2345-6789', email: 'b@example.com' } }, applicant(CN.active));
  expect(await flow.removeCard(CN.active, seededCard(6).number, applicant(CN.active))).toHaveLength(2);

  if (hasEra(point, '0005-org-cards')) {
    // The rejection mail's result-page link the 0005 release sent still shows the result.
    expect(await flow.applicationResult(OLD_SECRETS.resultKey)).toMatchObject({ controlNumber: CN.rejected, status: 'rejected', reviewNote: '資料不符' });
    // A renewal the 0005 release queued is still accepted by a reviewer.
    const pending = await flow.pendingRenewals();
    expect(pending.map((r) => r.id)).toContain(OLD.renewal5Pending);
    await flow.acceptRenewal(OLD.renewal5Pending, reviewer);
    expect(await flow.resolveLogin(citizenCard(21, { certificateSerial: '4a99000000000021' }))).toBe(CN.gps5Active);
    // The 0005 draft (owner recorded) is still its owner's only.
    expect((await enrollFailure(flow.submitBasicData(OLD.gps5Draft, basicDataFor(CN.gps5Draft), applicant('someone-else')))).code).toBe('FORBIDDEN');
    // A new apply replaces the old draft (0008's rule) instead of being refused.
    const again = await flow.apply({ controlNumber: CN.gps5Draft }, applicant(CN.gps5Draft));
    expect(again.status).toBe('draft');
    expect((await flow.get(OLD.gps5Draft)).status).toBe('abandoned');
  }
  if (hasEra(point, '0008-unfinished-applications')) {
    expect((await flow.history(CN.gps8)).map((a) => a.status).sort()).toEqual(['abandoned', 'draft']);
  }
  // Staff close the first release's account: its cards unbound, the number free again.
  await flow.closeAccount(CN.active, reviewer, '卡片遺失');
  expect(await flow.listCards(CN.active)).toEqual([]);
  expect((await flow.apply({ controlNumber: CN.active }, applicant(CN.active))).status).toBe('draft');
}

async function loginContinues(store: EnrollStore): Promise<void> {
  const clock = new ManualClock(UPGRADED_AT);
  const flow = new LoginEnablementFlow({ store, clock, codeTtlMs: 86_400_000 });
  const company: Actor = { role: 'applicant', id: LOGIN.awaiting.businessId };
  for (const target of [LOGIN.awaiting, LOGIN.bound, LOGIN.businessOnly]) roundTrips({ flow: 'loginEnablement', state: (await flow.get(target)).account });
  // The old code still enables a card, also for a company known by its 統一編號 alone.
  expect((await flow.get(LOGIN.awaiting)).account).toMatchObject({ status: 'awaitingBinding' });
  const alone = await flow.enableCertificateLogin({ ...LOGIN.businessOnly, verificationCode: OLD_SECRETS.verificationCode, holder: citizenCard(14) }, { role: 'applicant', id: LOGIN.businessOnly.businessId });
  expect(alone.controlNumber).toBeUndefined();
  const bound = await flow.enableCertificateLogin({ ...LOGIN.awaiting, verificationCode: OLD_SECRETS.verificationCode, holder: citizenCard(13) }, company);
  expect(bound.method).toBe('citizenCard');
  expect((await flow.authorizeLogin(citizenCard(13))).account.businessId).toBe(LOGIN.awaiting.businessId);
  // A code used before 0006 starts unused (docs/decisions.md): it enables one more citizen card, then is spent.
  const boundCompany: Actor = { role: 'applicant', id: LOGIN.bound.businessId };
  await flow.enableCertificateLogin({ ...LOGIN.bound, verificationCode: 'SPENTCODE2', holder: citizenCard(16) }, boundCompany);
  expect(await enrollFailure(flow.enableCertificateLogin({ ...LOGIN.bound, verificationCode: 'SPENTCODE2', holder: citizenCard(17) }, boundCompany))).toMatchObject({
    refusal: 'VERIFICATION_CODE_SPENT',
  });
  // Old bindings log in: the citizen card, and the company card bound without a 卡號.
  expect((await flow.authorizeLogin(citizenCard(7))).account.businessId).toBe(LOGIN.bound.businessId);
  const companyCard = markVerified({ authority: 'MOEACA' as const, subjectName: '測試公司', certificateSerial: 'c0ffee01', cardNumber: 'MC00000000000009', businessId: LOGIN.bound.businessId });
  expect((await flow.authorizeLogin(companyCard)).account.businessId).toBe(LOGIN.bound.businessId);
}

async function officialContinues(store: EnrollStore, point: SchemaPoint): Promise<void> {
  const flow = new OfficialAccountFlow({
    store,
    clock: new ManualClock(UPGRADED_AT),
    agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
  });
  // First-release applications: no member record, no person columns. Readable, and a reviewer decides them.
  const officialIds = [OLD.officialUnderReview, OLD.officialManual, OLD.officialApproved, ...(hasEra(point, '0005-org-cards') ? [OLD.official5Review] : [])];
  for (const id of officialIds) roundTrips({ flow: 'officialAccount', state: await flow.get(id) });
  expect(await flow.get(OLD.officialApproved)).toMatchObject({ status: 'approved', memberId: MEMBERS.old3.memberId });
  expect((await flow.applications(MEMBERS.old1.memberId)).map((a) => a.id)).toEqual([OLD.officialUnderReview]);
  expect((await flow.approve(OLD.officialUnderReview, reviewer, '核可')).status).toBe('approved');
  expect((await flow.reject(OLD.officialManual, reviewer, '資料不符')).status).toBe('rejected');
  if (hasEra(point, '0005-org-cards')) {
    expect(await flow.applicationForm(OLD.official5Review)).toMatchObject({ name: '李四', item: '自然人轉公務員' });
    // The card the member uploaded before the upgrade still logs in (憑證登入).
    expect((await flow.certificateLogin(citizenCard(19))).memberId).toBe(MEMBERS.new5.memberId);
    // 收件 first (migration 0010): the 申請書 route is approved only once its form is recorded as received.
    await flow.receiveForm(OLD.official5Review, { channel: 'fax' }, reviewer);
    expect((await flow.approve(OLD.official5Review, reviewer)).status).toBe('approved');
  }
}

async function orgContinues(store: EnrollStore, point: SchemaPoint): Promise<void> {
  const directoryOid = '2.16.886.101.20003.20001.20003' as AgencyOid;
  const clock = new ManualClock(UPGRADED_AT);
  const flow = new OrgRegistrationFlow({
    store,
    clock,
    agencies: new StaticAgencyDirectory(Object.values(AGENCIES).map((agencyCode) => ({ oid: directoryOid, name: '測試機關', agencyCode }))),
    permissions: ['query', '查詢作業'],
  });
  const orgCard = (serial: string): VerifiedCardHolder =>
    markVerified({ authority: 'GCA', subjectName: '測試機關', certificateSerial: serial, organizationOid: '2.16.886.101.20003.20065' });
  const adminCard = citizenCard(8);
  for (const code of Object.values(AGENCIES)) roundTrips({ flow: 'organization', state: await flow.get(code) });
  expect((await flow.get(AGENCIES.registered)).status).toBe('registered');
  // 需進行審核 → 審核通過 by a reviewer; 審核通過 (its waiting day over) → registered with the reviewed certificate.
  const approved = await flow.approveReview(AGENCIES.manualReview, reviewer);
  expect(approved.status).toBe('reviewApproved');
  const administrator = { name: '王小明8', email: 'admin@example.gov.tw', phone: '02-2345-6789', nationalId: 'A123456789' };
  expect((await flow.register({ agencyCode: AGENCIES.reviewApproved, organizationCard: orgCard('ab02'), administratorCard: adminCard, administrator })).status).toBe('registered');
  // The first release's 需進行審核 registration, approved now, registers once its waiting day is over.
  clock.set(approved.retryNotBefore ?? UPGRADED_AT);
  expect((await flow.register({ agencyCode: AGENCIES.manualReview, organizationCard: orgCard('ab01'), administratorCard: adminCard, administrator })).status).toBe('registered');
  // The first release's registration: its administrator (serial only on record) manages operators.
  const session: AdministratorSession = { organizationCard: orgCard('ab03'), administratorCard: adminCard, administratorNationalId: administrator.nationalId };
  expect((await flow.listOperators(AGENCIES.registered, session)).map((o) => o.name)).toEqual(['王小明9']);
  await flow.assignOperator(AGENCIES.registered, session, { certificateSerial: citizenCard(15).certificateSerial, name: '李經辦', nationalId: 'A123456789', permissions: ['查詢作業'] });
  // The administrator's renewed card (same 卡號, new serial): judged by the rule when 0005 recorded the card; the
  // first release kept only the serial, so before 0005 it is refused, typed (更換管理者憑證 is the way then).
  const renewedAdmin = citizenCard(8, { certificateSerial: '4a990000000008', validFrom: '2026-11-28T12:00:00.000Z' });
  const renewedSession: AdministratorSession = { organizationCard: orgCard('ab03'), administratorCard: renewedAdmin, administratorNationalId: administrator.nationalId };
  if (hasEra(point, '0005-org-cards')) {
    expect(await flow.listOperators(AGENCIES.registered, renewedSession)).toHaveLength(2);
  } else {
    expect(await enrollFailure(flow.listOperators(AGENCIES.registered, renewedSession))).toMatchObject({ code: 'FORBIDDEN', refusal: 'ADMINISTRATOR_CARD_MISMATCH' });
  }
  // An operator assigned by the first release (no card recorded) is still authorized by its certificate.
  const operatorLogin = citizenCard(9, { validFrom: '2026-11-01T00:00:00.000Z' });
  expect((await flow.authorizeOperator(AGENCIES.registered, operatorLogin, 'query')).name).toBe('王小明9');
  // That login recorded its card (0005's columns), so the card's renewal is judged by the rule and takes over.
  const renewedOperator = citizenCard(9, { certificateSerial: '4a990000000009', validFrom: '2026-11-28T12:00:00.000Z' });
  expect((await flow.authorizeOperator(AGENCIES.registered, renewedOperator, 'query')).certificateSerial).toBe('4a990000000009');
  expect(await flow.registrationRecords(AGENCIES.registered)).toHaveLength(1);
}

async function wasteContinues(store: EnrollStore, point: SchemaPoint): Promise<void> {
  const mailer = new CapturingMailer();
  const flow = new WasteSystemFlow({ store, clock: new ManualClock(UPGRADED_AT), mailer, companies: registry, activationPage: 'https://waste.example.gov.tw/CertEnable' });
  const owner: Actor = { role: 'applicant', id: 'portal-session-1' };
  const wasteIds = [OLD.waste5Awaiting, OLD.waste5Review, OLD.waste5Approved, ...(hasEra(point, '0008-unfinished-applications') ? [OLD.waste8Abandoned] : [])];
  for (const id of wasteIds) roundTrips({ flow: 'wasteApplication', state: await flow.get(id, reviewer) });
  await flow.uploadDocument(OLD.waste5Awaiting, { kind: 'applicationForm', content: PDF }, owner);
  await flow.uploadDocument(OLD.waste5Awaiting, { kind: 'businessRegistration', content: PDF }, owner);
  expect((await flow.submitForReview(OLD.waste5Awaiting, owner)).status).toBe('underReview');
  await flow.approve(OLD.waste5Awaiting, reviewer);
  await flow.approve(OLD.waste5Review, reviewer);
  expect(mailer.sent).toHaveLength(2);
  // The mailed 驗證碼 enables a card for the company whose documents the old release received; the card logs in.
  const code = codeFromMail(mailer.sent[0]?.text ?? '');
  const activated = await flow.activate({ ...LOGIN.waste5, verificationCode: code, holder: citizenCard(18) }, owner);
  expect(activated.binding.method).toBe('citizenCard');
  expect((await flow.login(citizenCard(18))).account.businessId).toBe(LOGIN.waste5.businessId);
  expect((await flow.listDocuments(OLD.waste5Review, reviewer)).map((d) => d.kind)).toEqual(['applicationForm', 'businessRegistration']);
}

async function challengeHonoured(store: EnrollStore): Promise<void> {
  const challenges = await SqlChallengeStore.open({ store, now: () => new Date('2026-11-28T01:01:00Z') });
  const first = await challenges.consume('old-challenge-value');
  expect(first).toMatchObject({ alreadyUsed: false, record: { sessionId: 'old-session' } });
  expect((await challenges.consume('old-challenge-value'))?.alreadyUsed).toBe(true);
}

async function walk(store: EnrollStore, point: SchemaPoint): Promise<void> {
  await gpsContinues(store, point);
  await loginContinues(store);
  await officialContinues(store, point);
  await orgContinues(store, point);
  if (hasEra(point, '0005-org-cards')) {
    await wasteContinues(store, point);
    await challengeHonoured(store);
  }
}

describe.each(SCHEMA_POINTS)('after upgrading from %s', (point: SchemaPoint) => {
  it('pglite: every flow continues from its old state', async () => {
    await oldPgliteSchema(shared, `upflow_${point.slice(0, 4)}`, point);
    const store = storeOnPglite(shared);
    await store.migrate();
    await walk(store, point);
  });

  it('postgres: every flow continues from its old state', async (ctx) => {
    const url = await getDatabaseUrl();
    if (url === undefined) {
      if (process.env['CI'] === 'true') throw new Error('CI needs PostgreSQL for the upgrade tests');
      ctx.skip();
      return;
    }
    const pool = await oldPgSchema(url, `enroll_t_upflow_${point.slice(0, 4)}`, point);
    const store = storeOnPg(pool);
    try {
      await store.migrate();
      await walk(store, point);
    } finally {
      await pool.end();
    }
  });
});
