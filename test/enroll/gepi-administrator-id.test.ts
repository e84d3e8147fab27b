/**
 * GEPI: the registered 授權管理者's 身分證統一編號 (migration 0011). 首次註冊 and every 更換憑證 record it; an
 * administrator session compares the ID typed at 授權管理者自然人憑證確認 with it (not only with the card's last
 * digits), as 更換機關憑證 does; a registration without one (made before 0011) is compared with nothing until an
 * 更換 records one; the ID is 必填 in every session unless `requireAdministratorNationalId: false`; and the ID appears
 * in no error message and no audit reason.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { InvalidInputError, type EnrollError } from '../../src/enroll/errors.js';
import { OrgRegistrationFlow, type AdministratorSession, type OrgRegistrationOptions } from '../../src/enroll/flows/org-registration.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { citizenCard, describeEachStore, enrollFailure } from './helpers.js';
import { defaultMessages } from '../../src/messages/index.js';

const OID = '2.16.886.101.20003.20001.20003';
const agencies = new StaticAgencyDirectory([{ oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' }]);
const orgCard = (serial = 'a1b2c3', oid = OID) => markVerified({ authority: 'GCA' as const, subjectName: '內政部消防署', certificateSerial: serial, organizationOid: oid });
// Every card of the helpers carries the ID hint 6789: these IDs all agree with it, so only the registered ID tells them apart.
const REGISTERED = 'A123456789';
const ANOTHER = 'A100036789';
const THIRD = 'A100086789';
const admin = citizenCard(1);
const contact = (nationalId: string) => ({ name: '張管理', email: 'admin@nfa.gov.tw', phone: '(02)8195-9119', nationalId });
const operator = { certificateSerial: citizenCard(2).certificateSerial, name: '李經辦', nationalId: 'A123456789', permissions: ['查詢作業'] };

describeEachStore('enroll_t_gepi_admin_id', (db) => {
  let clock: ManualClock;
  const flowWith = (extra: Partial<OrgRegistrationOptions> = {}): OrgRegistrationFlow =>
    new OrgRegistrationFlow({ store: db(), clock, agencies, permissions: ['查詢作業'], ...extra });
  beforeEach(() => {
    clock = new ManualClock('2026-03-06T01:00:00Z');
  });

  const stored = async (code = 'A1234'): Promise<unknown> =>
    (await db().transaction((tx) => tx.query<{ id: string | null }>('SELECT admin_national_id AS id FROM enroll_org_registrations WHERE agency_code=$1', [code])))[0]?.id;
  const issuesOf = async (p: Promise<unknown>): Promise<string[][]> => {
    const err = await enrollFailure(p);
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as InvalidInputError).issues.map((i) => [i.field, i.code]);
  };
  /** Every session command with `session`: the issues each answered, or 'ok'. */
  const everySession = async (flow: OrgRegistrationFlow, session: AdministratorSession): Promise<unknown[]> => {
    // One after the other: 修改 and 刪除 act on the operator 新增 made.
    const tried = [
      () => flow.listOperators('A1234', session),
      () => flow.assignOperator('A1234', session, operator),
      () => flow.editOperator('A1234', session, operator.certificateSerial, operator),
      () => flow.removeOperator('A1234', session, operator.certificateSerial),
    ];
    const out: unknown[] = [];
    for (const run of tried) out.push(await run().then(() => 'ok', (e: unknown) => (e instanceof InvalidInputError ? e.issues.map((i) => [i.field, i.code]) : (e as EnrollError).code)));
    return out;
  };

  describe('recorded at 首次註冊 and at each 更換', () => {
    it('首次註冊 records it; a session typing another (which agrees with the card) is NOT_ON_RECORD on every command, changing nothing', async () => {
      const flow = flowWith();
      await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: contact(REGISTERED) });
      expect(await stored()).toBe(REGISTERED);
      const cards = { organizationCard: orgCard(), administratorCard: admin };
      const mismatch = [['session.administratorNationalId', 'NOT_ON_RECORD']];
      expect(await everySession(flow, { ...cards, administratorNationalId: ANOTHER })).toEqual([mismatch, mismatch, mismatch, mismatch]);
      // The registered one, typed in lower case: normalized, then compared.
      const session = { ...cards, administratorNationalId: REGISTERED.toLowerCase() };
      expect((await flow.assignOperator('A1234', session, operator)).name).toBe('李經辦');
      expect(await flow.listOperators('A1234', session)).toHaveLength(1);
    });

    it('a retry of 首次註冊 after 人工審核 records the ID typed then', async () => {
      const flow = flowWith();
      const mismatching = { agencyCode: 'A1234', organizationCard: orgCard('d4', '2.16.886.101.99999'), administratorCard: admin };
      await flow.register({ ...mismatching, administrator: contact(REGISTERED), reviewContact: { name: '王聯絡', phone: '02-27013411' } });
      expect(await stored()).toBe(REGISTERED);
      const approved = await flow.approveReview('A1234', { role: 'reviewer', id: '承保第一科' });
      clock.set(approved.retryNotBefore ?? '');
      expect((await flow.register({ ...mismatching, administrator: contact(ANOTHER) })).status).toBe('registered');
      expect(await stored()).toBe(ANOTHER);
    });

    it('更換機關憑證 keeps the administrator: another ID is NOT_ON_RECORD on administrator.nationalId and nothing is replaced', async () => {
      const flow = flowWith();
      await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: contact(REGISTERED) });
      const input = { organizationCard: orgCard('a1b2c4'), administratorCard: admin };
      expect(await issuesOf(flow.replaceOrganizationCertificate('A1234', { ...input, administrator: contact(ANOTHER) }))).toEqual([['administrator.nationalId', 'NOT_ON_RECORD']]);
      expect((await flow.get('A1234')).organizationCertificateSerial).toBe('a1b2c3');
      expect(await flow.registrationRecords('A1234')).toHaveLength(1);
      expect((await flow.replaceOrganizationCertificate('A1234', { ...input, administrator: contact(REGISTERED) })).organizationCertificateSerial).toBe('a1b2c4');
      expect(await stored()).toBe(REGISTERED);
    });

    it('更換授權管理者自然人憑證 and 更換兩者 record the new administrator’s ID; the old one no longer opens a session', async () => {
      const flow = flowWith();
      await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: contact(REGISTERED) });
      const newAdmin = citizenCard(3);
      await flow.replaceAdministratorCard('A1234', { organizationCard: orgCard(), administratorCard: newAdmin, administrator: contact(ANOTHER) });
      expect(await stored()).toBe(ANOTHER);
      const cards = { organizationCard: orgCard(), administratorCard: newAdmin };
      expect(await issuesOf(flow.listOperators('A1234', { ...cards, administratorNationalId: REGISTERED }))).toEqual([['session.administratorNationalId', 'NOT_ON_RECORD']]);
      expect(await flow.listOperators('A1234', { ...cards, administratorNationalId: ANOTHER })).toEqual([]);
      const third = citizenCard(4);
      await flow.replaceBoth('A1234', { organizationCard: orgCard('a1b2c5'), administratorCard: third, administrator: contact(THIRD) });
      expect(await stored()).toBe(THIRD);
      const after = { organizationCard: orgCard('a1b2c5'), administratorCard: third };
      expect(await issuesOf(flow.listOperators('A1234', { ...after, administratorNationalId: ANOTHER }))).toEqual([['session.administratorNationalId', 'NOT_ON_RECORD']]);
      expect(await flow.listOperators('A1234', { ...after, administratorNationalId: THIRD })).toEqual([]);
    });

    it('a renewed administrator card with another ID takes nothing over: the renewal is rolled back with the session', async () => {
      const flow = flowWith();
      const registeredCard = citizenCard(1, { validFrom: '2026-01-01T00:00:00.000Z' });
      await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: registeredCard, administrator: contact(REGISTERED) });
      const renewed = citizenCard(1, { certificateSerial: '4a990000000001', validFrom: '2026-03-01T00:00:00.000Z' });
      const session = { organizationCard: orgCard(), administratorCard: renewed };
      expect(await issuesOf(flow.listOperators('A1234', { ...session, administratorNationalId: ANOTHER }))).toEqual([['session.administratorNationalId', 'NOT_ON_RECORD']]);
      expect((await flow.get('A1234')).administrator?.certificateSerial).toBe(registeredCard.certificateSerial);
      expect(await flow.listOperators('A1234', { ...session, administratorNationalId: REGISTERED })).toEqual([]);
      expect((await flow.get('A1234')).administrator?.certificateSerial).toBe('4a990000000001');
    });
  });

  describe('a registration with no ID on record (made before migration 0011)', () => {
    it('is compared with nothing until 更換機關憑證 records the ID typed there', async () => {
      const flow = flowWith();
      await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: contact(REGISTERED) });
      await db().transaction((tx) => tx.query(`UPDATE enroll_org_registrations SET admin_national_id=NULL WHERE agency_code='A1234'`));
      const cards = { organizationCard: orgCard(), administratorCard: admin };
      // The card's hint is still checked; any ID agreeing with it is taken.
      expect(await flow.listOperators('A1234', { ...cards, administratorNationalId: ANOTHER })).toEqual([]);
      expect(await issuesOf(flow.listOperators('A1234', { ...cards, administratorNationalId: 'A223456781' }))).toEqual([['session.administratorNationalId', 'MISMATCH']]);
      await flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('a1b2c4'), administratorCard: admin, administrator: contact(REGISTERED) });
      expect(await stored()).toBe(REGISTERED);
      const after = { organizationCard: orgCard('a1b2c4'), administratorCard: admin };
      expect(await issuesOf(flow.listOperators('A1234', { ...after, administratorNationalId: ANOTHER }))).toEqual([['session.administratorNationalId', 'NOT_ON_RECORD']]);
    });
  });

  describe('requireAdministratorNationalId', () => {
    it('true or left out (the manual: 必填 at 授權管理者自然人憑證確認): a session without the ID is REQUIRED on every command; with the registered one it works', async () => {
      for (const flow of [flowWith(), flowWith({ requireAdministratorNationalId: true })]) {
        await db().transaction((tx) => tx.query('DELETE FROM enroll_org_operators'));
        await db().transaction((tx) => tx.query('DELETE FROM enroll_org_registrations'));
        await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: contact(REGISTERED) });
        const cards = { organizationCard: orgCard(), administratorCard: admin };
        const required = [['session.administratorNationalId', 'REQUIRED']];
        expect(await everySession(flow, cards)).toEqual([required, required, required, required]);
        expect(await everySession(flow, { ...cards, administratorNationalId: REGISTERED })).toEqual(['ok', 'ok', 'ok', 'ok']);
        // A registration with none on record: the ID is still 必填 and checked against the card.
        await db().transaction((tx) => tx.query(`UPDATE enroll_org_registrations SET admin_national_id=NULL`));
        expect(await issuesOf(flow.listOperators('A1234', cards))).toEqual(required);
        expect(await flow.listOperators('A1234', { ...cards, administratorNationalId: ANOTHER })).toEqual([]);
      }
    });

    it('false: a session without the key is taken as before the field existed', async () => {
      const flow = flowWith({ requireAdministratorNationalId: false });
      await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: contact(REGISTERED) });
      expect(await everySession(flow, { organizationCard: orgCard(), administratorCard: admin })).toEqual(['ok', 'ok', 'ok', 'ok']);
    });

    it('anything but a boolean is refused when the flow is built', () => {
      for (const bad of ['true', 'false', 1, null]) {
        expect(() => flowWith({ requireAdministratorNationalId: bad as never })).toThrow(/requireAdministratorNationalId must be true or false/);
      }
    });
  });

  it('the two causes are told apart by code, each worded by the catalogue: not the card\'s ID (MISMATCH), not the registered administrator\'s (NOT_ON_RECORD)', async () => {
    const flow = flowWith();
    await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: contact(REGISTERED) });
    const cards = { organizationCard: orgCard(), administratorCard: admin };
    const replace = (nationalId: string) => flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('a1b2c4'), administratorCard: admin, administrator: contact(nationalId) });
    // Thunks, each called when it is awaited: a command started early and refused before its turn is an unhandled rejection.
    const causes: Array<[() => Promise<unknown>, () => Promise<unknown>]> = [
      [() => flow.listOperators('A1234', { ...cards, administratorNationalId: 'A223456781' }), () => flow.listOperators('A1234', { ...cards, administratorNationalId: ANOTHER })],
      [() => replace('A223456781'), () => replace(ANOTHER)],
    ];
    for (const [notTheCard, notRegistered] of causes) {
      const a = (await enrollFailure(notTheCard())) as InvalidInputError;
      const b = (await enrollFailure(notRegistered())) as InvalidInputError;
      expect([a.issues[0]?.code, b.issues[0]?.code]).toEqual(['MISMATCH', 'NOT_ON_RECORD']);
      expect(a.issues[0]?.field).toBe(b.issues[0]?.field);
      const [ma, mb] = [defaultMessages.fieldIssueMessages(a.issues[0] as never), defaultMessages.fieldIssueMessages(b.issues[0] as never)];
      expect([ma.zhTW, mb.zhTW]).toEqual(['與資料不符', '與註冊資料不符']);
      expect(ma.en).not.toBe(mb.en);
    }
  });

  it('the ID is personal data: no error message and no audit reason carries it', async () => {
    const flow = flowWith();
    await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: contact(REGISTERED) });
    const cards = { organizationCard: orgCard(), administratorCard: admin };
    const errors = [
      await enrollFailure(flow.listOperators('A1234', { ...cards, administratorNationalId: ANOTHER })),
      await enrollFailure(flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('a1b2c4'), administratorCard: admin, administrator: contact(ANOTHER) })),
    ];
    expect(errors.map((e) => (e as InvalidInputError).issues.map((i) => i.code))).toEqual([['NOT_ON_RECORD'], ['NOT_ON_RECORD']]);
    await flow.assignOperator('A1234', { ...cards, administratorNationalId: REGISTERED }, operator);
    await flow.replaceAdministratorCard('A1234', { organizationCard: orgCard(), administratorCard: citizenCard(3), administrator: contact(THIRD) });
    const told = JSON.stringify([errors.map((e) => [e.message, e]), await readAuditTrail(db(), { flow: 'organization' })]);
    for (const id of [REGISTERED, ANOTHER, THIRD]) expect(told).not.toContain(id.slice(1));
  });
});
