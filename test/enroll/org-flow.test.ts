import { beforeEach, describe, expect, it } from 'vitest';
import { OrgRegistrationFlow, type AdministratorSession } from '../../src/enroll/flows/org-registration.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { EnrollError, InvalidInputError, ManualReviewError } from '../../src/enroll/errors.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import type { AgencyOid, BusinessId } from '../../src/enroll/domain/identifiers.js';
import { citizenCard, describeEachStore } from './helpers.js';
import { defaultMessages } from '../../src/messages/index.js';

const OID = '2.16.886.101.20003.20001.20003';
const agencies = new StaticAgencyDirectory([
  { oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' },
  { oid: '2.16.886.101.90001' as AgencyOid, name: '測試公司', agencyCode: 'C0001', businessId: '04595257' as BusinessId },
]);
const orgCard = (serial = 'a1b2c3', oid = OID): VerifiedCardHolder =>
  markVerified({ authority: 'GCA', subjectName: '內政部消防署', certificateSerial: serial, organizationOid: oid });
const admin = citizenCard(1);
const adminContact = { name: '張管理', email: 'admin@nfa.gov.tw', phone: '(02)8195-9119', nationalId: 'A123456789' };
const session: AdministratorSession = { organizationCard: orgCard(), administratorCard: admin, administratorNationalId: adminContact.nationalId };
const operator = { certificateSerial: citizenCard(2).certificateSerial, name: '李經辦', nationalId: 'A123456789', permissions: ['承保作業', '查詢作業'] };

let clock: ManualClock;
let flow: OrgRegistrationFlow;

describeEachStore('enroll_t_org', (db) => {
  beforeEach(() => {
    clock = new ManualClock('2026-03-06T01:00:00Z'); // Friday 09:00 Taipei
    flow = new OrgRegistrationFlow({ store: db(), clock, agencies, permissions: ['承保作業', '查詢作業', '繳費作業'] });
  });

  async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<EnrollError> {
    const err = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EnrollError);
    expect((err as EnrollError).code).toBe(code);
    return err as EnrollError;
  }

  async function registered(): Promise<void> {
    await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: adminContact });
  }

  describe('organization flow: first registration', () => {
    it('registers when the certificate OID matches the agency', async () => {
      const reg = await flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: adminContact });
      expect(reg).toMatchObject({
        status: 'registered',
        organizationIdentifier: OID,
        organizationCertificateSerial: 'a1b2c3',
        administrator: { certificateSerial: admin.certificateSerial, name: '張管理' },
      });
      expect(await flow.registrationRecords('A1234')).toMatchObject([{ item: '首次註冊', organizationName: '內政部消防署' }]);
      await expectCode(flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: adminContact }), 'INVALID_TRANSITION');
    });

    it('a review contact sent empty (null, or both boxes blank) counts as left out; one box filled makes both required', async () => {
      const matching = { agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: adminContact };
      const mismatch = { ...matching, organizationCard: orgCard('e5', '2.16.886.101.99999') };
      for (const empty of [null, { name: null, phone: '' }, { name: ' ', phone: ' ' }]) {
        await expectCode(flow.register({ ...mismatch, reviewContact: empty } as never), 'REVIEW_CONTACT_REQUIRED');
      }
      const half = await expectCode(flow.register({ ...mismatch, reviewContact: { name: '王聯絡', phone: '' } } as never), 'INVALID_INPUT');
      expect((half as InvalidInputError).issues.map((i) => i.field)).toEqual(['reviewContact.phone']);
      // A form that always posts the two boxes: a matching OID registers with them empty.
      const reg = await flow.register({ ...matching, reviewContact: { name: '', phone: '' } } as never);
      expect(reg.status).toBe('registered');
    });

    it('after 審核通過, another mismatching certificate (a renewed one: new serial) goes to a new review, never stuck', async () => {
      const input = { agencyCode: 'A1234', organizationCard: orgCard('d4', '2.16.886.101.99999'), administratorCard: admin, administrator: adminContact };
      const contact = { name: '王聯絡', phone: '02-27013411' };
      await flow.register({ ...input, reviewContact: contact });
      clock.set('2026-03-06T05:00:00Z');
      await flow.approveReview('A1234', { role: 'reviewer', id: '承保第一科' }, '確認為該機關憑證');
      clock.set('2026-03-09T02:00:00Z');
      const renewed = { ...input, organizationCard: orgCard('d5', '2.16.886.101.99999') };
      // Before: INVALID_TRANSITION (reviewApproved had no way to manualReview), and only the approved card got out.
      await expectCode(flow.register(renewed), 'REVIEW_CONTACT_REQUIRED');
      const again = await flow.register({ ...renewed, reviewContact: contact });
      expect(again.status).toBe('manualReview');
      expect(again.organizationCertificateSerial).toBe('d5');
      const trail = await readAuditTrail(db(), { flow: 'organization', subject: 'A1234' });
      expect(trail.map((e) => `${e.from}>${e.to}`)).toEqual(['unregistered>manualReview', 'manualReview>reviewApproved', 'reviewApproved>manualReview']);
    });

    it('OID mismatch → contact required → manual review → retry from the next business day', async () => {
      const input = { agencyCode: 'A1234', organizationCard: orgCard('d4', '2.16.886.101.99999'), administratorCard: admin, administrator: adminContact };
      const needsContact = await expectCode(flow.register(input), 'REVIEW_CONTACT_REQUIRED');
      // The error's own message is the catalogue's text (the manual's 圖3-6 words), not a variant of it.
      expect(needsContact.message).toBe(defaultMessages.describe(needsContact).messages.zhTW);
      expect(needsContact.message).toBe('貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料');
      await expectCode(flow.get('A1234'), 'NOT_FOUND');

      const review = await flow.register({ ...input, reviewContact: { name: '王聯絡', phone: '02-27013411' } });
      expect(review.status).toBe('manualReview');
      // Friday → Monday 00:00 Taipei.
      expect(review.retryNotBefore).toBe('2026-03-08T16:00:00.000Z');

      clock.set('2026-03-09T02:00:00Z');
      const pending = await expectCode(flow.register(input), 'MANUAL_REVIEW_PENDING');
      expect((pending as ManualReviewError).retryNotBefore).toBe('2026-03-08T16:00:00.000Z');
      expect(pending.message).toContain('需進行審核');

      clock.set('2026-03-06T05:00:00Z');
      await flow.approveReview('A1234', { role: 'reviewer', id: '承保第一科' }, '確認為該機關憑證');
      clock.set('2026-03-07T03:00:00Z'); // Saturday
      const early = await expectCode(flow.register(input), 'RETRY_TOO_EARLY');
      expect((early as ManualReviewError).retryNotBefore).toBe('2026-03-08T16:00:00.000Z');
      clock.set('2026-03-08T16:00:00Z');
      expect((await flow.register(input)).status).toBe('registered');

      const trail = await readAuditTrail(db(), { flow: 'organization', subject: 'A1234' });
      expect(trail.map((e) => `${e.from}>${e.to}`)).toEqual(['unregistered>manualReview', 'manualReview>reviewApproved', 'reviewApproved>registered']);
      expect((await flow.registrationRecords('A1234')).map((r) => r.item)).toEqual(['首次註冊(需審核)', '首次註冊']);
    });

    it('an agency registered after 人工審核 (OID 比對不符) can 更換機關憑證 with the renewal of the certificate the reviewer accepted', async () => {
      const reviewed = '2.16.886.101.99999';
      const input = { agencyCode: 'A1234', organizationCard: orgCard('d4', reviewed), administratorCard: admin, administrator: adminContact, reviewContact: { name: '王', phone: '0227013411' } };
      await flow.register(input);
      clock.set('2026-03-06T05:00:00Z');
      await flow.approveReview('A1234', { role: 'reviewer', id: '承保第一科' }, '確認為該機關憑證');
      clock.set('2026-03-08T16:00:00Z');
      expect((await flow.register(input)).status).toBe('registered');
      // 展期: the new certificate carries the same (reviewed) OID.
      const renewed = await flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('d5', reviewed), administratorCard: admin, administrator: adminContact });
      expect(renewed).toMatchObject({ status: 'registered', organizationCertificateSerial: 'd5', organizationIdentifier: reviewed });
      // The agency's session now works with the new certificate.
      await flow.assignOperator('A1234', { organizationCard: orgCard('d5', reviewed), administratorCard: admin, administratorNationalId: adminContact.nationalId }, operator);
      // A certificate of yet another organization is still refused.
      await expectCode(
        flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('d6', '2.16.886.101.88888'), administratorCard: admin, administrator: adminContact }),
        'ORGANIZATION_MISMATCH',
      );
    });

    it('查詢憑證註冊收件紀錄 shows the registered agency\'s name (該註冊機關之機關名稱), not the certificate\'s', async () => {
      // An agency registering with a certificate whose subject names its parent organization (same OID).
      const parentNamed: VerifiedCardHolder = markVerified({ authority: 'GCA', subjectName: '上層機關', certificateSerial: 'e5', organizationOid: OID });
      await flow.register({ agencyCode: 'A1234', organizationCard: parentNamed, administratorCard: admin, administrator: adminContact });
      await flow.replaceOrganizationCertificate('A1234', { organizationCard: markVerified({ authority: 'GCA', subjectName: '上層機關', certificateSerial: 'e6', organizationOid: OID }), administratorCard: admin, administrator: adminContact });
      expect((await flow.registrationRecords('A1234')).map((r) => [r.item, r.organizationName])).toEqual([
        ['首次註冊', '內政部消防署'],
        ['更換機關憑證', '內政部消防署'],
      ]);
    });

    it('a rejected review can be followed by a registration with the right certificate', async () => {
      const bad = { agencyCode: 'A1234', organizationCard: orgCard('d4', '2.16.886.101.99999'), administratorCard: admin, administrator: adminContact, reviewContact: { name: '王', phone: '0227013411' } };
      await flow.register(bad);
      expect((await flow.rejectReview('A1234', { role: 'reviewer', id: 'r' }, '非本機關憑證')).status).toBe('reviewRejected');
      expect((await flow.register(bad)).status).toBe('manualReview');
      await flow.rejectReview('A1234', { role: 'reviewer', id: 'r' }, '非本機關憑證');
      expect((await flow.register({ ...bad, organizationCard: orgCard() })).status).toBe('registered');
    });

    it('accepts a MOEACA company certificate by 統一編號', async () => {
      const company: VerifiedCardHolder = markVerified({ authority: 'MOEACA', subjectName: '測試公司', certificateSerial: 'beef', businessId: '04595257' });
      expect((await flow.register({ agencyCode: 'C0001', organizationCard: company, administratorCard: admin, administrator: adminContact })).status).toBe('registered');
    });

    it('refuses the wrong kinds of card and unknown agencies', async () => {
      await expectCode(flow.register({ agencyCode: 'A1234', organizationCard: admin, administratorCard: admin, administrator: adminContact }), 'INVALID_INPUT');
      await expectCode(flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: orgCard(), administrator: adminContact }), 'INVALID_INPUT');
      await expectCode(flow.register({ agencyCode: 'Z9999', organizationCard: orgCard(), administratorCard: admin, administrator: adminContact }), 'NOT_FOUND');
    });

    it('review commands need a review', async () => {
      await registered();
      await expectCode(flow.approveReview('A1234', { role: 'reviewer', id: 'r' }), 'INVALID_TRANSITION');
      await expectCode(flow.rejectReview('B0000', { role: 'reviewer', id: 'r' }, 'x'), 'NOT_FOUND');
    });
  });

  describe('organization flow: operators (授權指派)', () => {
    it('an operator of an agency that has not registered is told so', async () => {
      const err = await expectCode(flow.authorizeOperator('A1234', citizenCard(2), '承保作業'), 'NOT_AUTHORIZED');
      expect(err.refusal).toBe('ORGANIZATION_NOT_REGISTERED');
      await registered();
      expect((await expectCode(flow.authorizeOperator('A1234', citizenCard(2), '承保作業'), 'NOT_AUTHORIZED')).refusal).toBe('OPERATOR_NOT_AUTHORIZED');
    });

    it('assigns, lists, edits and deletes operators; every change audited', async () => {
      await registered();
      const op = await flow.assignOperator('A1234', session, operator);
      expect(op.permissions).toEqual(['承保作業', '查詢作業']);
      await expectCode(flow.assignOperator('A1234', session, operator), 'OPERATOR_EXISTS');
      const second = await flow.assignOperator('A1234', session, { ...operator, certificateSerial: citizenCard(3).certificateSerial, name: '陳經辦', nationalId: 'B120863130' });
      expect((await flow.listOperators('A1234', session)).map((o) => o.name)).toEqual(['李經辦', '陳經辦']);

      const ok = await flow.authorizeOperator('A1234', citizenCard(2), '承保作業');
      expect(ok.name).toBe('李經辦');
      await expectCode(flow.authorizeOperator('A1234', citizenCard(2), '繳費作業'), 'NOT_AUTHORIZED');

      const edited = await flow.editOperator('A1234', session, op.certificateSerial, { ...operator, permissions: ['繳費作業'] });
      expect(edited.permissions).toEqual(['繳費作業']);
      const left = await flow.removeOperator('A1234', session, second.certificateSerial);
      expect(left.map((o) => o.name)).toEqual(['李經辦']);
      await expectCode(flow.removeOperator('A1234', session, second.certificateSerial), 'NOT_FOUND');

      const events = (await readAuditTrail(db(), { subject: 'A1234' })).map((e) => e.event);
      expect(events).toEqual(['register', 'assignOperator', 'assignOperator', 'editOperator', 'removeOperator']);
    });

    it('operator card renewed: login fails until edit or delete+add', async () => {
      await registered();
      await flow.assignOperator('A1234', session, operator);
      const renewed = citizenCard(2, { certificateSerial: '77aa01' });
      const err = await expectCode(flow.authorizeOperator('A1234', renewed, '承保作業'), 'NOT_AUTHORIZED');
      expect(err.message).toContain('憑證序號');

      // Way 1: edit the serial.
      await flow.editOperator('A1234', session, operator.certificateSerial, { ...operator, certificateSerial: renewed.certificateSerial });
      expect((await flow.authorizeOperator('A1234', renewed, '承保作業')).name).toBe('李經辦');
      await expectCode(flow.authorizeOperator('A1234', citizenCard(2), '承保作業'), 'NOT_AUTHORIZED');

      // Way 2: delete, then add with the next renewal.
      const again = citizenCard(2, { certificateSerial: '77aa02' });
      await flow.removeOperator('A1234', session, renewed.certificateSerial);
      await flow.assignOperator('A1234', session, { ...operator, certificateSerial: again.certificateSerial });
      expect((await flow.authorizeOperator('A1234', again, '查詢作業')).name).toBe('李經辦');
    });

    it('refuses operator management without the registered administrator card and organization certificate', async () => {
      await registered();
      const wrongAdmin = await expectCode(flow.assignOperator('A1234', { ...session, administratorCard: citizenCard(9) }, operator), 'FORBIDDEN');
      const wrongOrg = await expectCode(flow.assignOperator('A1234', { ...session, organizationCard: orgCard('ffff') }, operator), 'FORBIDDEN');
      // The cause travels with the FORBIDDEN, so the page can say which card to replace.
      expect([wrongAdmin.refusal, wrongOrg.refusal]).toEqual(['ADMINISTRATOR_CARD_MISMATCH', 'AGENCY_CARD_MISMATCH']);
      // The registered agency card is GCA's certificate of that serial: another CA's certificate with the same serial
      // (and the agency's OID) is not it.
      const otherCa: VerifiedCardHolder = markVerified({ authority: 'XCA' as const, subjectName: '內政部消防署', certificateSerial: 'a1b2c3', organizationOid: OID });
      const sameSerial = await expectCode(flow.assignOperator('A1234', { ...session, organizationCard: otherCa }, operator), 'FORBIDDEN');
      expect(sameSerial.refusal).toBe('AGENCY_CARD_MISMATCH');
      await expectCode(flow.listOperators('A1234', { ...session, organizationCard: otherCa }), 'FORBIDDEN');
      expect(defaultMessages.describe(wrongAdmin).messages.zhTW).toBe('授權管理者自然人憑證與註冊資料不符（若憑證已更換，請使用更換授權管理者自然人憑證）');
      await expectCode(flow.listOperators('A1234', { ...session, administratorCard: citizenCard(9) }), 'FORBIDDEN');
      await expectCode(flow.assignOperator('B0000', session, operator), 'NOT_FOUND');
    });

    it('the registered agency card is that organization\'s: another organization\'s certificate of the same CA and serial opens nothing', async () => {
      await registered();
      // Same CA (GCA), same serial as the registered card, but the certificate of another organization (its OID).
      const otherOrganization = orgCard('a1b2c3', '2.16.886.101.20003.20001.99999');
      for (const call of [
        () => flow.listOperators('A1234', { ...session, organizationCard: otherOrganization }),
        () => flow.assignOperator('A1234', { ...session, organizationCard: otherOrganization }, operator),
      ]) {
        expect((await expectCode(call(), 'FORBIDDEN')).refusal).toBe('AGENCY_CARD_MISMATCH');
      }
      // 更換授權管理者自然人憑證 keeps the agency card: the other organization's is not it (audited, as above).
      const replaced = await expectCode(
        flow.replaceAdministratorCard('A1234', { organizationCard: otherOrganization, administratorCard: citizenCard(6), administrator: adminContact }),
        'NOT_AUTHORIZED',
      );
      expect(replaced.refusal).toBe('AGENCY_CARD_MISMATCH');
      expect((await flow.get('A1234')).administrator?.certificateSerial).toBe(admin.certificateSerial);
      // A MOEACA company card is matched by its 統一編號: another company's with the same serial is not the card.
      const company = (businessId: string): VerifiedCardHolder => markVerified({ authority: 'MOEACA', subjectName: '測試公司', certificateSerial: 'beef', businessId });
      await flow.register({ agencyCode: 'C0001', organizationCard: company('04595257'), administratorCard: admin, administrator: adminContact });
      expect(await flow.listOperators('C0001', { organizationCard: company('04595257'), administratorCard: admin, administratorNationalId: adminContact.nationalId })).toEqual([]);
      const otherCompany = await expectCode(flow.listOperators('C0001', { organizationCard: company('22099131'), administratorCard: admin, administratorNationalId: adminContact.nationalId }), 'FORBIDDEN');
      expect(otherCompany.refusal).toBe('AGENCY_CARD_MISMATCH');
    });

    it('fails closed: a registration whose stored identifier is empty is opened by no agency card', async () => {
      await registered();
      await db().transaction((tx) => tx.query(`UPDATE enroll_org_registrations SET org_identifier='' WHERE agency_code='A1234'`));
      // The registered card itself (a card without an identifier is refused before, INVALID_INPUT naming it).
      expect((await expectCode(flow.listOperators('A1234', session), 'FORBIDDEN')).refusal).toBe('AGENCY_CARD_MISMATCH');
    });

    it('refuses organization and administrator holders that did not come from a verified login, changing nothing', async () => {
      const copy = <T,>(h: T): T => JSON.parse(JSON.stringify(h)) as T;
      for (const [organizationCard, administratorCard] of [[copy(orgCard()), admin], [orgCard(), copy(admin)]] as const) {
        const err = await expectCode(flow.register({ agencyCode: 'A1234', organizationCard, administratorCard, administrator: adminContact }), 'NOT_AUTHORIZED');
        expect(err.refusal).toBe('VERIFIED_LOGIN_REQUIRED');
      }
      await expectCode(flow.get('A1234'), 'NOT_FOUND');
      await registered();
      await flow.assignOperator('A1234', session, operator);
      const operatorCard = citizenCard(2);
      await flow.authorizeOperator('A1234', operatorCard, '查詢作業');
      const calls: Array<() => Promise<unknown>> = [
        () => flow.listOperators('A1234', { ...session, organizationCard: copy(orgCard()) }),
        () => flow.assignOperator('A1234', { ...session, administratorCard: { ...admin } }, { ...operator, certificateSerial: 'c0ffee' }),
        () => flow.replaceOrganizationCertificate('A1234', { organizationCard: copy(orgCard('0a0b')), administratorCard: admin, administrator: adminContact }),
        () => flow.replaceAdministratorCard('A1234', { organizationCard: orgCard(), administratorCard: copy(citizenCard(6)), administrator: adminContact }),
        () => flow.replaceBoth('A1234', { organizationCard: copy(orgCard('e1')), administratorCard: copy(citizenCard(8)), administrator: adminContact }),
        () => flow.authorizeOperator('A1234', copy(operatorCard), '查詢作業'),
      ];
      for (const call of calls) expect((await expectCode(call(), 'NOT_AUTHORIZED')).refusal).toBe('VERIFIED_LOGIN_REQUIRED');
      const reg = await flow.get('A1234');
      expect([reg.organizationCertificateSerial, reg.administrator?.certificateSerial]).toEqual(['a1b2c3', admin.certificateSerial.replace(/^0+/, '')]);
      expect((await flow.listOperators('A1234', session)).map((o) => o.certificateSerial)).toEqual([operatorCard.certificateSerial.replace(/^0+/, '')]);
    });

    it('validates every operator field (all 必填)', async () => {
      await registered();
      const err = await expectCode(flow.assignOperator('A1234', session, { certificateSerial: 'zz', name: '', nationalId: 'A123456788', permissions: [] }), 'INVALID_INPUT');
      expect((err as unknown as { issues: Array<{ field: string }> }).issues.map((i) => i.field)).toEqual([
        'operator.certificateSerial',
        'operator.name',
        'operator.nationalId',
        'operator.permissions',
      ]);
      await expectCode(flow.assignOperator('A1234', session, { ...operator, permissions: ['刪庫'] }), 'INVALID_INPUT');
    });
  });

  describe('organization flow: replacing certificates (更換憑證)', () => {
    it('replaces the organization certificate with the registered administrator card', async () => {
      await registered();
      const reg = await flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('0a0b'), administratorCard: admin, administrator: adminContact });
      expect(reg.organizationCertificateSerial).toBe('a0b');
      await expectCode(flow.listOperators('A1234', session), 'FORBIDDEN');
      expect(await flow.listOperators('A1234', { organizationCard: orgCard('a0b'), administratorCard: admin, administratorNationalId: adminContact.nationalId })).toEqual([]);
      await expectCode(
        flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('0c'), administratorCard: citizenCard(5), administrator: adminContact }),
        'NOT_AUTHORIZED',
      );
      await expectCode(
        flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('0c', '2.16.886.101.1'), administratorCard: admin, administrator: adminContact }),
        'ORGANIZATION_MISMATCH',
      );
    });

    it('replaces the administrator card with the registered organization certificate, re-entering contact data', async () => {
      await registered();
      const newAdmin = citizenCard(4);
      const reg = await flow.replaceAdministratorCard('A1234', {
        organizationCard: orgCard(),
        administratorCard: newAdmin,
        administrator: { name: '新管理', email: 'new@nfa.gov.tw', phone: '0281959119', nationalId: 'A123456789' },
      });
      expect(reg.administrator).toEqual({ certificateSerial: newAdmin.certificateSerial, name: '新管理', email: 'new@nfa.gov.tw', phone: '0281959119' });
      await expectCode(
        flow.replaceAdministratorCard('A1234', { organizationCard: orgCard('dd'), administratorCard: citizenCard(6), administrator: adminContact }),
        'NOT_AUTHORIZED',
      );
    });

    it('audits a 更換 refused for a kept card that is not the registered one, as a session command refused for it is', async () => {
      await registered();
      const wrongAdmin = await expectCode(
        flow.replaceOrganizationCertificate('A1234', { organizationCard: orgCard('0c'), administratorCard: citizenCard(5), administrator: adminContact }),
        'NOT_AUTHORIZED',
      );
      const wrongOrg = await expectCode(
        flow.replaceAdministratorCard('A1234', { organizationCard: orgCard('dd'), administratorCard: citizenCard(6), administrator: adminContact }),
        'NOT_AUTHORIZED',
      );
      expect([wrongAdmin.refusal, wrongOrg.refusal]).toEqual(['ADMINISTRATOR_CARD_MISMATCH', 'AGENCY_CARD_MISMATCH']);
      const trail = (await readAuditTrail(db(), { flow: 'organization', subject: 'A1234' })).filter((e) => e.event.startsWith('forbidden:'));
      expect(trail.map((e) => [e.event, e.actor.id, e.from, e.to])).toEqual([
        ['forbidden:replaceOrganizationCertificate', citizenCard(5).certificateSerial, 'registered', 'registered'],
        ['forbidden:replaceAdministratorCard', citizenCard(6).certificateSerial, 'registered', 'registered'],
      ]);
      // Nothing else changed: the registration keeps its cards.
      expect(await flow.listOperators('A1234', session)).toEqual([]);
    });

    it('replaces both when the new organization certificate belongs to the agency', async () => {
      await registered();
      await expectCode(
        flow.replaceBoth('A1234', { organizationCard: orgCard('e1', '2.16.886.101.7'), administratorCard: citizenCard(8), administrator: adminContact }),
        'ORGANIZATION_MISMATCH',
      );
      const reg = await flow.replaceBoth('A1234', { organizationCard: orgCard('e1'), administratorCard: citizenCard(8), administrator: adminContact });
      expect([reg.organizationCertificateSerial, reg.administrator?.certificateSerial]).toEqual(['e1', citizenCard(8).certificateSerial]);
      expect((await flow.registrationRecords('A1234')).map((r) => r.item)).toEqual(['首次註冊', '更換機關憑證和更換授權管理者自然人憑證']);
    });

    it('missing contact fields are refused', async () => {
      await registered();
      await expectCode(flow.replaceAdministratorCard('A1234', { organizationCard: orgCard(), administratorCard: citizenCard(4), administrator: { name: '', email: '', phone: '', nationalId: '' } }), 'INVALID_INPUT');
    });

    it('the 授權管理者身分證統一編號 is 必填 at 首次註冊 and at 更換 (not only checked when given)', async () => {
      const { nationalId: _left, ...withoutId } = adminContact;
      const refused = (await flow
        .register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: withoutId as typeof adminContact })
        .catch((e: unknown) => e)) as InvalidInputError;
      expect([refused.code, refused.issues?.map((i) => [i.field, i.code])]).toEqual(['INVALID_INPUT', [['administrator.nationalId', 'REQUIRED']]]);
      await registered();
      const replaced = (await flow
        .replaceAdministratorCard('A1234', { organizationCard: orgCard(), administratorCard: citizenCard(4), administrator: withoutId as typeof adminContact })
        .catch((e: unknown) => e)) as InvalidInputError;
      expect([replaced.code, replaced.issues?.map((i) => i.field)]).toEqual(['INVALID_INPUT', ['administrator.nationalId']]);
      const wrong = (await flow
        .replaceAdministratorCard('A1234', { organizationCard: orgCard(), administratorCard: citizenCard(4), administrator: { ...adminContact, nationalId: 'B120863130' } })
        .catch((e: unknown) => e)) as InvalidInputError;
      expect(wrong.issues?.map((i) => [i.field, i.code])).toEqual([['administrator.nationalId', 'MISMATCH']]);
    });
  });

  describe('organization flow: queries (查詢作業)', () => {
    it('returns organization OID and citizen serial from verified cards', () => {
      expect(flow.organizationCertificateOid(orgCard(), 'A1234')).toEqual({ agencyCode: 'A1234', organizationName: '內政部消防署', organizationOid: OID });
      expect(flow.citizenCertificateSerial(citizenCard(2, { certificateSerial: '00:4A:00' }), 'A123456789')).toEqual({ name: '王小明2', certificateSerial: '4a00' });
      expect(() => flow.organizationCertificateOid(admin, 'A1234')).toThrow(EnrollError);
      expect(() => flow.citizenCertificateSerial(orgCard(), 'A123456789')).toThrow(EnrollError);
      // The seed's 必填 inputs: 機關代號 beside the agency card, 身分證統一編號 beside the citizen card (its ID hint).
      const issuesOf = (fn: () => unknown): string[][] => {
        try {
          fn();
        } catch (e) {
          return (e as InvalidInputError).issues.map((i) => [i.field, i.code]);
        }
        return [];
      };
      expect(issuesOf(() => flow.organizationCertificateOid(orgCard(), undefined as unknown as string))).toEqual([['agencyCode', 'REQUIRED']]);
      expect(issuesOf(() => flow.citizenCertificateSerial(citizenCard(2), undefined as unknown as string))).toEqual([['nationalId', 'REQUIRED']]);
      expect(issuesOf(() => flow.citizenCertificateSerial(citizenCard(2), 'B120863130'))).toEqual([['nationalId', 'MISMATCH']]);
    });

    it.each([
      ['register: nothing', () => flow.register(undefined as never)],
      ['register: bad agency code', () => flow.register({ agencyCode: "'; DROP", organizationCard: orgCard(), administratorCard: admin, administrator: adminContact })],
      ['register: review contact phone', () => flow.register({ agencyCode: 'A1234', organizationCard: orgCard(), administratorCard: admin, administrator: adminContact, reviewContact: { name: 'x', phone: 'none' } })],
      ['approveReview: code', () => flow.approveReview('', { role: 'reviewer', id: 'r' })],
      ['rejectReview: reason', () => flow.rejectReview('A1234', { role: 'reviewer', id: 'r' }, ' ')],
      ['editOperator: serial', () => flow.editOperator('A1234', session, 'xyz', operator)],
      ['removeOperator: serial', () => flow.removeOperator('A1234', session, '')],
      ['listOperators: session', () => flow.listOperators('A1234', null as never)],
      ['authorizeOperator: permission', () => flow.authorizeOperator('A1234', admin, '')],
      ['replaceBoth: input', () => flow.replaceBoth('A1234', {} as never)],
      ['registrationRecords: code', () => flow.registrationRecords('')],
    ])('%s → INVALID_INPUT', async (_n, call) => {
      await expectCode(call, 'INVALID_INPUT');
    });
  });
});
