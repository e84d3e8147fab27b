/**
 * 首次註冊 step (一) 機關憑證確認 on its own (manual 四 (一), 圖3-5 – 3-7): `checkOrganizationCard` answers where the
 * card stands, `requestReview` files the review with only the 申請人's 姓名 and 電話, and the full `register` after
 * the approval names the administrator. The answers are the ones `register` gives for the same card.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { OrgRegistrationFlow } from '../../src/enroll/flows/org-registration.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { EnrollError, InvalidInputError, ManualReviewError } from '../../src/enroll/errors.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { citizenCard, describeEachStore } from './helpers.js';
import { defaultMessages } from '../../src/messages/index.js';

const OID = '2.16.886.101.20003.20001.20003';
const OTHER = '2.16.886.101.99999';
const agencies = new StaticAgencyDirectory([{ oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' }]);
const orgCard = (serial: string, oid = OID): VerifiedCardHolder =>
  markVerified({ authority: 'GCA', subjectName: '內政部消防署', certificateSerial: serial, organizationOid: oid });
const admin = citizenCard(1);
const adminContact = { name: '張管理', email: 'admin@nfa.gov.tw', phone: '(02)8195-9119', nationalId: 'A123456789' };
const applicant = { name: '王申請', phone: '02-27013411#5312' };
const reviewer = { role: 'reviewer' as const, id: '承保第一科' };

let clock: ManualClock;
let flow: OrgRegistrationFlow;

async function refusal(p: Promise<unknown>): Promise<EnrollError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(EnrollError);
  return err as EnrollError;
}

describeEachStore('enroll_t_org_step1', (db) => {
  beforeEach(() => {
    clock = new ManualClock('2026-03-06T01:00:00Z'); // Friday 09:00 Taipei
    flow = new OrgRegistrationFlow({ store: db(), clock, agencies, termsVersion: '2026-01' });
  });

  describe('機關憑證確認 (checkOrganizationCard)', () => {
    it('a matching card goes on; a mismatching one needs the 申請人 (the manual\'s 圖3-6 words); nothing is written', async () => {
      expect(await flow.checkOrganizationCard('A1234', orgCard('a1'))).toEqual({
        agencyCode: 'A1234', agencyName: '內政部消防署', oidMatches: true, recordedCard: false, outcome: 'matches',
      });
      const mismatch = await flow.checkOrganizationCard('A1234', orgCard('d4', OTHER));
      expect(mismatch).toEqual({
        agencyCode: 'A1234', agencyName: '內政部消防署', oidMatches: false, recordedCard: false, outcome: 'reviewNeeded',
        message: '貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料',
      });
      await expect(flow.get('A1234')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses a bad 機關代號, a citizen card, an unknown agency and a holder that is not a verified login', async () => {
      const bad = await refusal(flow.checkOrganizationCard('A 1', admin));
      expect((bad as InvalidInputError).issues.map((i) => i.field).sort()).toEqual(['agencyCode', 'organizationCard.authority']);
      expect((await refusal(flow.checkOrganizationCard('Z9999', orgCard('a1')))).code).toBe('NOT_FOUND');
      const handMade = { authority: 'GCA', subjectName: 'x', certificateSerial: 'a1', organizationOid: OID, verified: false } as unknown as VerifiedCardHolder;
      expect((await refusal(flow.checkOrganizationCard('A1234', handMade))).refusal).toBe('VERIFIED_LOGIN_REQUIRED');
    });
  });

  describe('申請人確認 → 送出申請 (requestReview)', () => {
    it('files the review with only 姓名 and 電話; the step then answers reviewPending / retryTooEarly / reviewApproved as register refuses and accepts', async () => {
      const card = orgCard('d4', OTHER);
      const filed = await flow.requestReview({ agencyCode: 'A1234', organizationCard: card, applicant, acceptedTerms: '2026-01' });
      expect(filed).toMatchObject({ status: 'manualReview', organizationCertificateSerial: 'd4', organizationIdentifier: OTHER, reviewContact: applicant });
      expect(filed.administrator).toBeUndefined();
      expect(filed.retryNotBefore).toBe('2026-03-08T16:00:00.000Z'); // Friday → Monday 00:00 Taipei
      expect((await flow.reviewQueue({ status: 'manualReview' })).items.map((r) => r.agencyCode)).toEqual(['A1234']);
      expect((await flow.registrationRecords('A1234')).map((r) => r.item)).toEqual(['首次註冊(需審核)']);

      // Pending: the read and both commands say the same, for any card.
      const pending = await flow.checkOrganizationCard('A1234', orgCard('a1'));
      expect(pending).toMatchObject({ outcome: 'reviewPending', retryNotBefore: '2026-03-08T16:00:00.000Z', oidMatches: true });
      const full = { agencyCode: 'A1234', organizationCard: card, administratorCard: admin, administrator: adminContact, acceptedTerms: '2026-01' };
      const fromRegister = await refusal(flow.register(full));
      expect(fromRegister).toBeInstanceOf(ManualReviewError);
      expect([fromRegister.code, fromRegister.message]).toEqual(['MANUAL_REVIEW_PENDING', pending.outcome === 'reviewPending' ? pending.message : '']);
      expect((await refusal(flow.requestReview({ agencyCode: 'A1234', organizationCard: card, applicant, acceptedTerms: '2026-01' }))).code).toBe('MANUAL_REVIEW_PENDING');

      clock.set('2026-03-06T05:00:00Z');
      await flow.approveReview('A1234', reviewer, '確認為該機關憑證');
      expect(await flow.checkOrganizationCard('A1234', card)).toMatchObject({ outcome: 'retryTooEarly', retryNotBefore: '2026-03-08T16:00:00.000Z' });
      // The applicant reads the Taiwan date of that instant (00:00 on 9 March in Taiwan), not its UTC ISO text.
      expect(await flow.checkOrganizationCard('A1234', card)).toMatchObject({ message: '審核已通過，請於次一營業日（2026-03-09）再重新註冊' });
      expect((await refusal(flow.register(full))).message).toContain('（2026-03-09）');
      expect((await refusal(flow.register(full))).code).toBe('RETRY_TOO_EARLY');

      clock.set('2026-03-09T01:00:00Z');
      expect(await flow.checkOrganizationCard('A1234', card)).toMatchObject({ outcome: 'reviewApproved', oidMatches: false });
      // Another mismatching card (a renewal has a new serial) is reviewed again; the approved one needs no review.
      expect(await flow.checkOrganizationCard('A1234', orgCard('d5', OTHER))).toMatchObject({ outcome: 'reviewNeeded' });
      const notNeeded = await refusal(flow.requestReview({ agencyCode: 'A1234', organizationCard: card, applicant, acceptedTerms: '2026-01' }));
      expect(notNeeded.code).toBe('REVIEW_NOT_NEEDED');
      expect(defaultMessages.describe(notNeeded).messages.zhTW).toContain('無需審核');
      // The approved card does not match the directory: the catalogue's text must not say it does.
      expect(defaultMessages.describe(notNeeded).messages.zhTW).not.toContain('機關憑證比對相符');

      // The full 首次註冊 with the approved certificate names the administrator and records the consent.
      const reg = await flow.register(full);
      expect(reg).toMatchObject({ status: 'registered', organizationCertificateSerial: 'd4', administrator: { name: '張管理' }, reviewContact: applicant });
      // Two consents to the 首次註冊 terms: the 申請人's with the review, the administrator's with the registration.
      expect((await flow.consents('A1234')).map((c) => [c.subFunction, c.administratorSerial ?? c.applicant?.name])).toEqual([
        ['首次註冊', applicant.name],
        ['首次註冊', admin.certificateSerial],
      ]);
      expect(await flow.checkOrganizationCard('A1234', card)).toMatchObject({ outcome: 'registered' });
      expect((await refusal(flow.requestReview({ agencyCode: 'A1234', organizationCard: card, applicant, acceptedTerms: '2026-01' }))).code).toBe('INVALID_TRANSITION');
      const trail = await readAuditTrail(db(), { flow: 'organization', subject: 'A1234' });
      expect(trail.map((e) => `${e.from}>${e.to}`)).toEqual(['unregistered>manualReview', 'manualReview>reviewApproved', 'reviewApproved>registered']);
      expect(trail[0]?.actor).toEqual({ role: 'applicant', id: 'd4' });
      // The agency works as any registered one.
      await flow.assignOperator('A1234', { organizationCard: card, administratorCard: admin, administratorNationalId: adminContact.nationalId }, { certificateSerial: citizenCard(2).certificateSerial, name: '李經辦', nationalId: 'A123456789', permissions: ['查詢'] });
    });

    it('the approval is of the reviewed certificate: the same serial from another CA, or with another identifier, is reviewed again', async () => {
      const THIRD = '2.16.886.101.77777';
      await flow.requestReview({ agencyCode: 'A1234', organizationCard: orgCard('d4', OTHER), applicant, acceptedTerms: '2026-01' });
      await flow.approveReview('A1234', reviewer);
      clock.set('2026-03-09T01:00:00Z');
      const otherCa: VerifiedCardHolder = markVerified({ authority: 'XCA' as const, subjectName: '某協會', certificateSerial: 'd4', organizationOid: OTHER });
      for (const card of [orgCard('d4', THIRD), otherCa]) {
        expect(await flow.checkOrganizationCard('A1234', card)).toMatchObject({ outcome: 'reviewNeeded', oidMatches: false });
        const full = { agencyCode: 'A1234', organizationCard: card, administratorCard: admin, administrator: adminContact, acceptedTerms: '2026-01' };
        expect((await refusal(flow.register(full))).code).toBe('REVIEW_CONTACT_REQUIRED');
      }
      expect((await flow.get('A1234')).status).toBe('reviewApproved');
      expect(await flow.checkOrganizationCard('A1234', orgCard('d4', OTHER))).toMatchObject({ outcome: 'reviewApproved' });
    });

    it('recordedCard: the card the row records (CA, serial and identifier), not another one with its serial', async () => {
      await flow.requestReview({ agencyCode: 'A1234', organizationCard: orgCard('d4', OTHER), applicant, acceptedTerms: '2026-01' });
      expect(await flow.checkOrganizationCard('A1234', orgCard('d4', OTHER))).toMatchObject({ recordedCard: true, oidMatches: false });
      const otherCa: VerifiedCardHolder = markVerified({ authority: 'XCA' as const, subjectName: '某協會', certificateSerial: 'd4', organizationOid: OTHER });
      for (const card of [orgCard('d4', '2.16.886.101.77777'), otherCa, orgCard('d5', OTHER)]) {
        expect(await flow.checkOrganizationCard('A1234', card)).toMatchObject({ recordedCard: false, oidMatches: false });
      }
      // The directory's card is not the row's either, though it matches (a page shows the row's people to both).
      expect(await flow.checkOrganizationCard('A1234', orgCard('a1'))).toMatchObject({ recordedCard: false, oidMatches: true });
    });

    it('a matching card needs no review; the 申請人 fields and the 用戶約定條款 are 必填, named', async () => {
      const notNeeded = await refusal(flow.requestReview({ agencyCode: 'A1234', organizationCard: orgCard('a1'), applicant, acceptedTerms: '2026-01' }));
      expect(notNeeded.code).toBe('REVIEW_NOT_NEEDED');
      const bad = await refusal(flow.requestReview({ agencyCode: 'A1234', organizationCard: orgCard('d4', OTHER), applicant: { name: ' ', phone: 'abc' } } as never));
      expect((bad as InvalidInputError).issues.map((i) => i.field).sort()).toEqual(['acceptedTerms', 'applicant.name', 'applicant.phone']);
      await expect(flow.get('A1234')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('after a rejected review (filed by the old all-in-one register), a new review at step (一) clears that attempt\'s administrator', async () => {
      await flow.register({
        agencyCode: 'A1234', organizationCard: orgCard('d4', OTHER), administratorCard: admin, administrator: adminContact,
        acceptedTerms: '2026-01', reviewContact: { name: '舊聯絡', phone: '0227013411' },
      });
      await flow.rejectReview('A1234', reviewer, '非本機關憑證');
      expect(await flow.checkOrganizationCard('A1234', orgCard('d6', OTHER))).toMatchObject({ outcome: 'reviewNeeded' });
      const again = await flow.requestReview({ agencyCode: 'A1234', organizationCard: orgCard('d6', OTHER), applicant, acceptedTerms: '2026-01' });
      expect(again).toMatchObject({ status: 'manualReview', organizationCertificateSerial: 'd6', reviewContact: applicant });
      expect(again.administrator).toBeUndefined();
      expect(await flow.checkOrganizationCard('A1234', orgCard('a1'))).toMatchObject({ outcome: 'reviewPending' });
    });
  });

  it('one text per answer: the catalogue words MANUAL_REVIEW_PENDING and RETRY_TOO_EARLY as the error and the read do (the Taiwan date)', async () => {
    const card = orgCard('d4', OTHER);
    const full = { agencyCode: 'A1234', organizationCard: card, administratorCard: admin, administrator: adminContact, acceptedTerms: '2026-01' };
    await flow.requestReview({ agencyCode: 'A1234', organizationCard: card, applicant, acceptedTerms: '2026-01' });
    const pendingRead = await flow.checkOrganizationCard('A1234', card);
    const pending = await refusal(flow.register(full));
    clock.set('2026-03-06T05:00:00Z');
    await flow.approveReview('A1234', reviewer);
    const earlyRead = await flow.checkOrganizationCard('A1234', card);
    const early = await refusal(flow.register(full));
    for (const [err, read] of [[pending, pendingRead], [early, earlyRead]] as const) {
      const described = defaultMessages.describe(err);
      expect(described.key).toBe(`enroll.${err.code}`);
      expect(described.messages.zhTW).toBe(err.message);
      expect('message' in read ? read.message : undefined).toBe(err.message);
    }
    expect(defaultMessages.describe(early).messages.zhTW).toBe('審核已通過，請於次一營業日（2026-03-09）再重新註冊');
    expect(defaultMessages.describe(early).messages.en).toContain('(2026-03-09)');
    expect(defaultMessages.describe(pending).messages.zhTW).toContain('需進行審核');
  });

  it('the consent of a review filed at 機關憑證確認 is recorded: the terms version, the agency card and the 申請人', async () => {
    await flow.requestReview({ agencyCode: 'A1234', organizationCard: orgCard('d4', OTHER), applicant, acceptedTerms: '2026-01' });
    expect(await flow.consents('A1234')).toEqual([
      { subFunction: '首次註冊', termsVersion: '2026-01', organizationSerial: 'd4', applicant, acceptedAt: '2026-03-06T01:00:00.000Z' },
    ]);
    // Refused (terms not accepted, or a pending review): nothing recorded.
    await refusal(flow.requestReview({ agencyCode: 'A1234', organizationCard: orgCard('d4', OTHER), applicant, acceptedTerms: '2026-01' }));
    expect(await flow.consents('A1234')).toHaveLength(1);
    // A flow without terms records none.
    const noTerms = new OrgRegistrationFlow({ store: db(), clock, agencies: new StaticAgencyDirectory([{ oid: OID as AgencyOid, name: '某機關', agencyCode: 'B1234' }]) });
    await noTerms.requestReview({ agencyCode: 'B1234', organizationCard: orgCard('d5', OTHER), applicant });
    expect(await flow.consents('B1234')).toEqual([]);
  });

  it('migration 0015: a consent row is an administrator\'s or the 申請人\'s with the agency card; one written as before reads as before', async () => {
    const insert = (admin: string | null, org: string | null, name: string | null) => db().transaction((tx) => tx.query(
      `INSERT INTO enroll_org_consents (agency_code, sub_function, terms_version, admin_certificate_serial, org_certificate_serial, applicant_name, applicant_phone, accepted_at)
       VALUES ('A1234','首次註冊','2026-01',$1,$2,$3,$3,'2026-03-06T01:00:00Z')`, [admin, org, name]));
    await expect(insert(null, null, null)).rejects.toThrow(/enroll_org_consents_who_check/);
    await expect(insert(null, 'd4', null)).rejects.toThrow(/enroll_org_consents_who_check/);
    // The INSERT of the releases before 0015 (no new column).
    await db().transaction((tx) => tx.query(
      `INSERT INTO enroll_org_consents (agency_code, sub_function, terms_version, admin_certificate_serial, accepted_at) VALUES ('A1234','更換機關憑證','2026-01','b1','2026-03-06T02:00:00Z')`));
    expect(await flow.consents('A1234')).toEqual([
      { subFunction: '更換機關憑證', termsVersion: '2026-01', administratorSerial: 'b1', acceptedAt: '2026-03-06T02:00:00.000Z' },
    ]);
  });

  it('migration 0013: a registered agency always has its administrator; a review row has all four columns or none', async () => {
    const insert = (status: string, admin: string | null, name: string | null) => db().transaction((tx) => tx.query(
      `INSERT INTO enroll_org_registrations (agency_code, status, organization_name, org_authority, org_certificate_serial, org_identifier,
         admin_certificate_serial, admin_name, admin_email, admin_phone, created_at, updated_at)
       VALUES ($1,$2,'x','GCA','a1','1.2',$3,$4,$4,$4,now(),now())`, [`T${status.length}${name ?? ''}`, status, admin, name]));
    await expect(insert('registered', null, null)).rejects.toThrow(/enroll_org_registrations_administrator_check/);
    await expect(insert('manualReview', 'b1', null)).rejects.toThrow(/enroll_org_registrations_administrator_check/);
    await insert('manualReview', null, null);
    await insert('registered', 'b1', 'n');
  });
});
