/** GEPI: HCA agency certificates, 身分證統一編號 vs the card's ID hint, 用戶約定條款 consent per sub-function. */
import { beforeEach, expect, it } from 'vitest';
import type { AgencyOid, BusinessId } from '../../src/enroll/domain/identifiers.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { OrgRegistrationFlow, type OrgRegistrationOptions } from '../../src/enroll/flows/org-registration.js';
import { idHintAgrees } from '../../src/enroll/flows/org-shared.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { citizenCard, describeEachStore, enrollFailure } from './helpers.js';

const HOSPITAL_OID = '2.16.886.101.30001';
const agencies = new StaticAgencyDirectory([{ oid: HOSPITAL_OID as AgencyOid, name: '某醫院', agencyCode: 'H0001' }]);
const hcaCard = (serial = 'ca01') => markVerified({ authority: 'HCA' as const, subjectName: '某醫院', certificateSerial: serial, organizationOid: HOSPITAL_OID });
const admin = citizenCard(1); // ID hint 6789
const contact = { name: '張管理', email: 'admin@hospital.org.tw', phone: '02-2345-6789', nationalId: 'A123456789' };

const failure = enrollFailure;

describeEachStore('enroll_t_gepi', (db) => {
  let clock: ManualClock;
  const flowWith = (extra: Partial<OrgRegistrationOptions> = {}): OrgRegistrationFlow =>
    new OrgRegistrationFlow({ store: db(), clock, agencies, ...extra });
  beforeEach(() => {
    clock = new ManualClock('2026-03-06T01:00:00Z');
  });

  it('registers with an HCA agency certificate and records the consent of each sub-function', async () => {
    const flow = flowWith({ termsVersion: '2026.1' });
    const missing = await failure(flow.register({ agencyCode: 'H0001', organizationCard: hcaCard(), administratorCard: admin, administrator: contact }));
    expect((missing as InvalidInputError).issues.map((i) => i.field)).toEqual(['acceptedTerms']);
    const reg = await flow.register({ agencyCode: 'H0001', organizationCard: hcaCard(), administratorCard: admin, administrator: contact, acceptedTerms: '2026.1' });
    expect(reg).toMatchObject({ status: 'registered', organizationAuthority: 'HCA' });
    clock.advance(60_000);
    await flow.replaceOrganizationCertificate('H0001', { organizationCard: hcaCard('ca02'), administratorCard: admin, administrator: contact, acceptedTerms: '2026.1' });
    expect(await flow.consents('H0001')).toEqual([
      { subFunction: '首次註冊', termsVersion: '2026.1', administratorSerial: admin.certificateSerial, acceptedAt: '2026-03-06T01:00:00.000Z' },
      { subFunction: '更換機關憑證', termsVersion: '2026.1', administratorSerial: admin.certificateSerial, acceptedAt: '2026-03-06T01:01:00.000Z' },
    ]);
  });

  it('checks the administrator’s 身分證統一編號 against the card’s ID hint (default rule and a custom rule)', async () => {
    const wrong = { ...contact, nationalId: 'A223456781' };
    const err = await failure(flowWith().register({ agencyCode: 'H0001', organizationCard: hcaCard(), administratorCard: admin, administrator: wrong }));
    expect((err as InvalidInputError).issues.map((i) => i.field)).toEqual(['administrator.nationalId']);
    // A deployment whose cards carry another hint supplies its own rule.
    const custom = flowWith({ idHintRule: (id, hint) => hint === '6789' && id.startsWith('A2') });
    expect((await custom.register({ agencyCode: 'H0001', organizationCard: hcaCard(), administratorCard: admin, administrator: wrong })).status).toBe('registered');
  });

  it('授權指派: the 授權管理者身分證統一編號 typed at 自然人憑證確認 is checked by every session command, naming the field', async () => {
    const flow = flowWith({ permissions: ['查詢作業'] });
    await flow.register({ agencyCode: 'H0001', organizationCard: hcaCard(), administratorCard: admin, administrator: contact });
    const cards = { organizationCard: hcaCard(), administratorCard: admin };
    const operator = { certificateSerial: citizenCard(2).certificateSerial, name: '李經辦', nationalId: 'A123456789', permissions: ['查詢作業'] };
    const issueOf = async (p: Promise<unknown>) => {
      const err = await failure(p);
      expect(err).toBeInstanceOf(InvalidInputError);
      return (err as InvalidInputError).issues.map((i) => [i.field, i.code]);
    };
    // Another person's 身分證統一編號 (the card's hint is 6789), one that is none, and an empty box.
    // undefined too: a host forwarding a request's field that was left out must not get a session without the check.
    for (const [typed, code] of [['A223456781', 'MISMATCH'], ['A123456788', 'INVALID_ID'], ['', 'REQUIRED'], [undefined, 'REQUIRED']] as const) {
      const session = { ...cards, administratorNationalId: typed };
      expect(await issueOf(flow.assignOperator('H0001', session, operator))).toEqual([['session.administratorNationalId', code]]);
      expect(await issueOf(flow.listOperators('H0001', session))).toEqual([['session.administratorNationalId', code]]);
      expect(await issueOf(flow.removeOperator('H0001', session, operator.certificateSerial))).toEqual([['session.administratorNationalId', code]]);
      expect(await issueOf(flow.editOperator('H0001', session, operator.certificateSerial, operator))).toEqual([['session.administratorNationalId', code]]);
    }
    // Left out altogether: 必填 as well (requireAdministratorNationalId defaults to true).
    expect(await issueOf(flow.listOperators('H0001', cards))).toEqual([['session.administratorNationalId', 'REQUIRED']]);
    const session = { ...cards, administratorNationalId: 'a123456789' };
    expect((await flow.assignOperator('H0001', session, operator)).name).toBe('李經辦');
    expect(await flow.listOperators('H0001', session)).toHaveLength(1);
    // The step on its own, for a page to answer at (二): the same rule, the field named as the step names it.
    expect(flow.confirmAdministratorCard(admin, 'a123456789')).toEqual({ name: admin.subjectName, certificateSerial: admin.certificateSerial, administratorNationalId: 'A123456789' });
    expect(await issueOf(Promise.resolve().then(() => flow.confirmAdministratorCard(admin, 'A223456781')))).toEqual([['administratorNationalId', 'MISMATCH']]);
    expect(await issueOf(Promise.resolve().then(() => flow.confirmAdministratorCard(citizenCard(3, { idHint: '1234' }), 'A123456789')))).toEqual([['administratorNationalId', 'MISMATCH']]);
  });

  // The hint and the 統一編號 are taken only as certificates carry them (4 digits; 8 digits with the checksum, as
  // written). Before, a hint of "9" agreed with every ID ending in 9, " 6789" was trimmed into a match, and a
  // 統一編號 written " 04595257 " matched the company's.
  it('a card whose ID hint is not 4 digits is refused, naming it, and no rule is asked about it', async () => {
    const issuesOf = async (p: Promise<unknown>) => ((await failure(p)) as InvalidInputError).issues.map((i) => [i.field, i.code]);
    const flow = flowWith();
    expect(await issuesOf(Promise.resolve().then(() => flow.confirmAdministratorCard(citizenCard(3, { idHint: '9' }), 'A123456789')))).toEqual([
      ['administratorCard.idHint', 'INVALID_FORMAT'],
    ]);
    let asked = 0;
    const custom = flowWith({ idHintRule: () => ++asked > 0 });
    const odd = citizenCard(1, { idHint: ' 6789' });
    expect(await issuesOf(custom.register({ agencyCode: 'H0001', organizationCard: hcaCard(), administratorCard: odd, administrator: contact }))).toEqual([
      ['administratorCard.idHint', 'INVALID_FORMAT'],
    ]);
    expect(asked).toBe(0);
    expect((await flowWith().register({ agencyCode: 'H0001', organizationCard: hcaCard(), administratorCard: admin, administrator: contact })).status).toBe('registered');
  });

  it('a company certificate whose 統一編號 is not written as 8 digits does not match the company', async () => {
    const COMPANY_OID = '2.16.886.101.90001';
    const companies = new StaticAgencyDirectory([{ oid: COMPANY_OID as AgencyOid, name: '某公司', agencyCode: 'M0001', businessId: '04595257' as BusinessId }]);
    const company = (businessId: string) => markVerified({ authority: 'MOEACA' as const, subjectName: '某公司', certificateSerial: 'cb01', businessId });
    const flow = flowWith({ agencies: companies });
    const err = await failure(flow.register({ agencyCode: 'M0001', organizationCard: company(' 04595257 '), administratorCard: admin, administrator: contact }));
    expect((err as InvalidInputError).issues.map((i) => [i.field, i.code])).toEqual([['organizationCard.businessId', 'INVALID_ID']]);
    expect((await flow.register({ agencyCode: 'M0001', organizationCard: company('04595257'), administratorCard: admin, administrator: contact })).status).toBe('registered');
  });

  it('an operator whose card hint disagrees with the recorded 身分證統一編號 is not authorized', async () => {
    const flow = flowWith({ permissions: ['查詢作業'] });
    await flow.register({ agencyCode: 'H0001', organizationCard: hcaCard(), administratorCard: admin, administrator: contact });
    const session = { organizationCard: hcaCard(), administratorCard: admin, administratorNationalId: contact.nationalId };
    const opCard = citizenCard(2);
    await flow.assignOperator('H0001', session, { certificateSerial: opCard.certificateSerial, name: '李經辦', nationalId: 'A123456789', permissions: ['查詢作業'] });
    expect((await flow.authorizeOperator('H0001', opCard, '查詢作業')).name).toBe('李經辦');
    expect((await failure(flow.authorizeOperator('H0001', { ...opCard, idHint: '1111' }, '查詢作業'))).code).toBe('NOT_AUTHORIZED');
  });
});

it('idHintAgrees: a hint that is not 4 digits agrees with no ID, whichever rule', () => {
  const always = { idHintRule: () => true } as unknown as OrgRegistrationOptions;
  for (const hint of ['9', '', ' 6789', '06789', 'A789']) {
    expect(idHintAgrees({} as OrgRegistrationOptions, 'A123456789', hint), hint).toBe(false);
    expect(idHintAgrees(always, 'A123456789', hint), hint).toBe(false);
  }
  expect(idHintAgrees({} as OrgRegistrationOptions, 'A123456789', '6789')).toBe(true);
  expect(idHintAgrees({} as OrgRegistrationOptions, 'A123456789', undefined)).toBe(true);
});
