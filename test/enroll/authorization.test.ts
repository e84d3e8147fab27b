/**
 * Authorization inside commands: each command declares the roles that may run
 * it and what they must own; anything else is FORBIDDEN and audited. Invalid
 * actors are INVALID_INPUT, never a driver error.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { AgencyOid, BusinessId } from '../../src/enroll/domain/identifiers.js';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { ForbiddenError } from '../../src/enroll/domain/actor.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { ACCOUNT_COMMANDS, LOGIN_COMMANDS, OFFICIAL_COMMANDS, ORG_COMMANDS } from '../../src/enroll/flows/authorization.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { OrgRegistrationFlow } from '../../src/enroll/flows/org-registration.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore, enrollFailure, tableCounts } from './helpers.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';

const owner: Actor = { role: 'applicant', id: 'company-a' };
const stranger: Actor = { role: 'applicant', id: 'company-b' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
const OID = '2.16.886.101.20003.20001.20003';
const agencies = new StaticAgencyDirectory([
  { oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' },
  { oid: '2.16.886.101.20003.20001.20009' as AgencyOid, name: '內政部移民署', agencyCode: 'B5678' },
  { oid: '2.16.886.101.90001' as AgencyOid, name: '測試公司', agencyCode: 'C0001', businessId: '04595257' as BusinessId },
]);

const failure = enrollFailure;

describe('declared rules', () => {
  it('every rule names at least one role, and owner clauses only for allowed roles', () => {
    for (const rules of [ACCOUNT_COMMANDS, LOGIN_COMMANDS, ORG_COMMANDS, OFFICIAL_COMMANDS]) {
      for (const rule of Object.values(rules) as Array<{ roles: readonly string[]; owns?: Record<string, string> }>) {
        expect(rule.roles.length).toBeGreaterThan(0);
        for (const role of Object.keys(rule.owns ?? {})) expect(rule.roles).toContain(role);
      }
    }
  });
});

describeEachStore('enroll_t_authz', (db) => {
  let clock: ManualClock;
  let accounts: AccountEnrollmentFlow;
  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    const ems = new FakeEms();
    ems.put(basicDataFor());
    accounts = new AccountEnrollmentFlow({ store: db(), clock, mailer: new CapturingMailer(), ems, emsRecords: ems, activationLink: (t) => `https://x.example/a?key=${t}` });
  });

  it('account flow: an applicant acts only on its own application, only a reviewer decides; refusals are audited', async () => {
    const app = await accounts.apply({ controlNumber: 'H5600123' }, owner);
    const err = await failure(accounts.submitBasicData(app.id, basicDataFor(), stranger));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toMatch(/^submitBasicData: an applicant acts only on its own record/);
    await accounts.submitBasicData(app.id, basicDataFor(), owner);
    expect((await failure(accounts.bindCard(app.id, { holder: citizenCard(1), contact }, stranger))).code).toBe('FORBIDDEN');
    await accounts.bindCard(app.id, { holder: citizenCard(1), contact }, owner);
    // The applicant cannot approve its own application.
    expect((await failure(accounts.approve(app.id, owner))).code).toBe('FORBIDDEN');
    expect((await failure(accounts.reject(app.id, { role: 'administrator', id: 'x' }, 'no'))).code).toBe('FORBIDDEN');
    expect((await accounts.get(app.id)).status).toBe('underReview');
    const trail = await readAuditTrail(db(), { flow: 'account', subject: app.id });
    const refusals = trail.filter((e) => e.event.startsWith('forbidden:'));
    expect(refusals.map((e) => [e.event, e.actor.id, e.from])).toEqual([
      ['forbidden:submitBasicData', 'company-b', 'draft'],
      ['forbidden:bindCard', 'company-b', 'basicDataVerified'],
      ['forbidden:approve', 'company-a', 'underReview'],
      ['forbidden:reject', 'x', 'underReview'],
    ]);
    // An unknown ID is FORBIDDEN to a non-reviewer too (not NOT_FOUND: which IDs exist is not theirs to learn).
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await failure(accounts.approve(unknown, owner))).code).toBe('FORBIDDEN');
    expect((await failure(accounts.approve(unknown, reviewer))).code).toBe('NOT_FOUND');
    const onUnknown = await readAuditTrail(db(), { flow: 'account', subject: unknown });
    expect(onUnknown.map((e) => [e.event, e.from])).toEqual([['forbidden:approve', 'none']]);
    // Only the owner adds or removes cards of the active account.
    const approved = await accounts.approve(app.id, reviewer);
    expect(approved.application.status).toBe('approved');
  });

  it.each([42, undefined, null, 'applicant', { role: 'superuser', id: 'x' }, { role: 'reviewer', id: 'x'.repeat(100_000) }, { role: 'reviewer', id: 'a\u0000' }])(
    'actor %# is INVALID_INPUT in every flow, and nothing is written',
    async (bad) => {
      const before = await tableCounts(db());
      const logins = new LoginEnablementFlow({ store: db(), clock });
      const org = new OrgRegistrationFlow({ store: db(), clock, agencies });
      const official = new OfficialAccountFlow({ store: db(), clock, agencies });
      const calls: Array<() => Promise<unknown>> = [
        () => accounts.apply({ controlNumber: 'H5600123' }, bad as Actor),
        () => accounts.approve('00000000-0000-4000-8000-000000000000', bad as Actor),
        () => logins.requestCertificateLogin({ businessId: '04595257', companyName: '公司', methods: { citizenCard: 'enabled', companyCard: 'disabled' } }, bad as Actor),
        () => org.approveReview('A1234', bad as Actor),
        () => org.rejectReview('A1234', bad as Actor, 'no'),
        () => org.register(
          {
            agencyCode: 'A1234',
            organizationCard: markVerified({ authority: 'GCA', subjectName: '內政部消防署', certificateSerial: 'a1', organizationOid: OID }),
            administratorCard: citizenCard(1),
            administrator: { name: '張管理', email: 'admin@nfa.gov.tw', phone: '02-8195-9119', nationalId: 'A123456789' },
          },
          bad as Actor,
        ),
        () => official.apply({ memberId: 'm1', agencyOid: OID, reason: '公務人員', attested: true }, bad as Actor),
        () => official.approve('00000000-0000-4000-8000-000000000000', bad as Actor),
      ];
      // An omitted actor of register means "the administrator card's holder".
      const run = bad === undefined ? calls.filter((_c, i) => i !== 5) : calls;
      for (const call of run) expect(await failure(call())).toBeInstanceOf(InvalidInputError);
      expect(await tableCounts(db())).toEqual(before);
    },
  );

  it('login enablement: only the requesting company (or a reviewer) changes methods, codes and bindings', async () => {
    const logins = new LoginEnablementFlow({ store: db(), clock });
    const target = { businessId: '04595257' };
    await logins.requestCertificateLogin({ ...target, companyName: '公司', methods: { citizenCard: 'enabled', companyCard: 'enabled' } }, owner);
    expect((await failure(logins.setLoginMethod(target, 'citizenCard', 'disabled', stranger))).code).toBe('FORBIDDEN');
    expect((await failure(logins.reissueVerificationCode(target, stranger))).code).toBe('FORBIDDEN');
    expect((await failure(logins.requestCertificateLogin({ businessId: '22099131', companyName: 'x', methods: { citizenCard: 'enabled', companyCard: 'enabled' } }, reviewer))).code).toBe('FORBIDDEN');
    expect((await logins.setLoginMethod(target, 'citizenCard', 'disabled', owner)).methods.citizenCard).toBe('disabled');
    expect((await logins.setLoginMethod(target, 'citizenCard', 'enabled', reviewer)).methods.citizenCard).toBe('enabled');
    const trail = await readAuditTrail(db(), { flow: 'loginEnablement' });
    expect(trail.filter((e) => e.event.startsWith('forbidden:')).map((e) => e.event)).toEqual([
      'forbidden:setLoginMethod',
      'forbidden:reissueVerificationCode',
      'forbidden:requestCertificateLogin',
    ]);
  });

  it("organization: only a reviewer decides reviews; an administrator manages only its own organization's operators", async () => {
    const org = new OrgRegistrationFlow({ store: db(), clock, agencies });
    const orgA = markVerified({ authority: 'GCA' as const, subjectName: '內政部消防署', certificateSerial: 'a1', organizationOid: OID });
    const orgB = markVerified({ authority: 'GCA' as const, subjectName: '內政部移民署', certificateSerial: 'b1', organizationOid: '2.16.886.101.20003.20001.20009' });
    const adminContact = { name: '張管理', email: 'admin@nfa.gov.tw', phone: '02-8195-9119', nationalId: 'A123456789' };
    await org.register({ agencyCode: 'A1234', organizationCard: orgA, administratorCard: citizenCard(1), administrator: adminContact });
    await org.register({ agencyCode: 'B5678', organizationCard: orgB, administratorCard: citizenCard(2), administrator: adminContact });
    const operator = { certificateSerial: 'c0ffee', name: '李經辦', nationalId: 'A123456789', permissions: ['查詢'] };
    // B's administrator, with B's own registered cards, on A's operators.
    const err = await failure(org.assignOperator('A1234', { organizationCard: orgB, administratorCard: citizenCard(2), administratorNationalId: adminContact.nationalId }, operator));
    expect(err.code).toBe('FORBIDDEN');
    expect((await failure(org.listOperators('A1234', { organizationCard: orgB, administratorCard: citizenCard(2), administratorNationalId: adminContact.nationalId }))).code).toBe('FORBIDDEN');
    await org.assignOperator('A1234', { organizationCard: orgA, administratorCard: citizenCard(1), administratorNationalId: adminContact.nationalId }, operator);
    expect((await failure(org.approveReview('A1234', { role: 'administrator', id: 'a' }))).code).toBe('FORBIDDEN');
    expect((await failure(org.register({ agencyCode: 'A1234', organizationCard: orgA, administratorCard: citizenCard(1), administrator: adminContact }, owner))).code).toBe(
      'FORBIDDEN',
    );
    const trail = await readAuditTrail(db(), { flow: 'organization', subject: 'A1234' });
    expect(trail.filter((e) => e.event.startsWith('forbidden:')).map((e) => [e.event, e.actor.role])).toEqual([
      ['forbidden:assignOperator', 'administrator'],
      ['forbidden:listOperators', 'administrator'],
      ['forbidden:approveReview', 'administrator'],
      ['forbidden:register', 'applicant'],
    ]);
  });

  it('official accounts: a member applies only for itself; only a reviewer decides', async () => {
    const official = new OfficialAccountFlow({ store: db(), clock, agencies });
    await official.syncMember({ memberId: 'company-a', name: '王小明', nationalId: 'A123456789', email: 'a@example.com' }, owner);
    expect((await failure(official.apply({ memberId: 'someone-else', agencyOid: OID, reason: '公務人員', attested: true }, owner))).code).toBe('FORBIDDEN');
    const app = await official.apply({ memberId: 'company-a', agencyOid: OID, reason: '公務人員', attested: true }, owner);
    expect((await failure(official.approve(app.id, owner))).code).toBe('FORBIDDEN');
    expect((await official.approve(app.id, reviewer)).status).toBe('approved');
    const trail = await readAuditTrail(db(), { flow: 'officialAccount' });
    expect(trail.filter((e) => e.event.startsWith('forbidden:')).map((e) => [e.event, e.subject])).toEqual([
      ['forbidden:apply', 'someone-else'],
      ['forbidden:approve', app.id],
    ]);
  });
});
