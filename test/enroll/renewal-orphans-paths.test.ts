/**
 * A renewal waiting for review (`renewal: 'review'`) names the binding it
 * renews by 卡號 and old serial. Only the account flow's removeCard and
 * closeAccount rejected it when that binding went away; every other path that
 * removes such a binding left the request in the reviewer's queue for ever,
 * and accepting it answered NOT_FOUND: certificate-login enablement's
 * unbindCard, the official account's removeCertificate, 憑證上傳 of another
 * card and the host's syncMember dropping the card, the organization flow's
 * removeOperator, editOperator to another serial and 更換授權管理者自然人憑證.
 * Each now rejects the request, audited `renewalRejected` with the request
 * and why.
 */
import { beforeEach, expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import type { PendingRenewal } from '../../src/enroll/flows/card-renewal.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { OrgRegistrationFlow, type AdministratorSession } from '../../src/enroll/flows/org-registration.js';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import type { FlowName } from '../../src/enroll/machine/machine.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore, enrollFailure, tokenFromMail } from './helpers.js';
import { FakePersonnelSystem, NFA, claire, host, member } from './official-fixtures.js';

const ANCHOR = 'a'.repeat(64);
const OLD = '2024-05-01T00:00:00.000Z';
const NEW = '2026-02-01T00:00:00.000Z';
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };

/** The request's row as stored: status and who decided. */
async function stored(store: EnrollStore, id: string): Promise<{ status: string; decided_by: string | null }> {
  const rows = await store.transaction((tx) => tx.query<{ status: string; decided_by: string | null }>('SELECT status, decided_by FROM enroll_card_renewals WHERE id=$1', [id]));
  return rows[0] ?? { status: 'missing', decided_by: null };
}

/** The `renewalRejected` entries of a flow: subject, actor ID and reason. */
async function rejections(store: EnrollStore, flow: FlowName): Promise<Array<[string, string, string]>> {
  return (await readAuditTrail(store, { flow })).filter((e) => e.event === 'renewalRejected').map((e) => [e.subject, e.actor.id, e.reason ?? '']);
}

/** What every path must leave: the request rejected by `by`, gone from the queue, no longer acceptable. */
async function expectRejected(
  store: EnrollStore,
  request: PendingRenewal | undefined,
  by: string,
  queue: () => Promise<PendingRenewal[]>,
  accept: (id: string) => Promise<unknown>,
): Promise<void> {
  expect(request).toBeDefined();
  const id = request?.id ?? '';
  expect(await stored(store, id)).toEqual({ status: 'rejected', decided_by: by });
  expect(await queue()).toEqual([]);
  expect((await enrollFailure(accept(id))).code).toBe('NOT_FOUND');
}

const reasonOf = (r: PendingRenewal | undefined, why: string): string => `卡號 ${r?.cardNumber}: ${r?.oldSerial} → ${r?.newSerial} (request ${r?.id}): ${why}`;

describeEachStore('enroll_t_renewal_orphans', (db) => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock('2026-03-06T01:00:00Z');
  });

  it('account: removing the card still rejects its request, now audited like the others', async () => {
    const mailer = new CapturingMailer();
    const ems = new FakeEms();
    ems.put(basicDataFor());
    const applicant: Actor = { role: 'applicant', id: 'company-a' };
    const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
    const flow = new AccountEnrollmentFlow({ store: db(), clock, mailer, ems, emsRecords: ems, renewal: 'review', activationLink: (t) => `https://x.example/a?key=${t}` });
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    await flow.submitBasicData(app.id, basicDataFor(), applicant);
    await flow.bindCard(app.id, { holder: citizenCard(1, { anchor: ANCHOR, validFrom: OLD }), contact }, applicant);
    await flow.approve(app.id, reviewer);
    await flow.activate(tokenFromMail(mailer.sent.at(-1)?.text ?? ''));
    await flow.addCard('H5600123', { holder: citizenCard(2, { anchor: ANCHOR, validFrom: OLD }), contact }, applicant);
    expect((await enrollFailure(flow.resolveLogin(citizenCard(1, { anchor: ANCHOR, validFrom: NEW, certificateSerial: '5b01' })))).code).toBe('RENEWAL_PENDING_REVIEW');
    const [request] = await flow.pendingRenewals();
    await flow.removeCard('H5600123', 'TP03000000000001', applicant);
    await expectRejected(db(), request, applicant.id, () => flow.pendingRenewals(), (id) => flow.acceptRenewal(id, reviewer));
    expect(await rejections(db(), 'account')).toEqual([[app.id, applicant.id, reasonOf(request, 'the card was removed from the account')]]);
  });

  it('certificate-login enablement: unbindCard rejects the card\'s request', async () => {
    const company: Actor = { role: 'applicant', id: '04595257' };
    const flow = new LoginEnablementFlow({ store: db(), clock, renewal: 'review' });
    const { verificationCode } = await flow.requestCertificateLogin(
      { businessId: '04595257', companyName: '公司', methods: { citizenCard: 'enabled', companyCard: 'enabled' } },
      company,
    );
    const first = citizenCard(1, { anchor: ANCHOR, validFrom: OLD });
    await flow.enableCertificateLogin({ businessId: '04595257', verificationCode, holder: first }, company);
    expect((await enrollFailure(flow.authorizeLogin(citizenCard(1, { anchor: ANCHOR, validFrom: NEW, certificateSerial: '5b01' })))).code).toBe('RENEWAL_PENDING_REVIEW');
    const [request] = await flow.pendingRenewals();
    await flow.unbindCard({ businessId: '04595257' }, first.certificateSerial, company);
    await expectRejected(db(), request, company.id, () => flow.pendingRenewals(), (id) => flow.acceptRenewal(id, reviewer));
    const [rejection] = await rejections(db(), 'loginEnablement');
    expect(rejection?.slice(1)).toEqual([company.id, reasonOf(request, 'the card was unbound from certificate login')]);
    // On the company's record, where its renewalRequested entry is.
    const requested = (await readAuditTrail(db(), { flow: 'loginEnablement' })).find((e) => e.event === 'renewalRequested');
    expect(rejection?.[0]).toBe(requested?.subject);
  });

  describe_official();
  function describe_official(): void {
    const official = (store: EnrollStore): OfficialAccountFlow =>
      new OfficialAccountFlow({
        store,
        clock,
        agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
        personnel: new FakePersonnelSystem(),
        renewal: 'review',
      });
    const claireCard = (n: number, extra: Partial<VerifiedCardHolder> = {}): VerifiedCardHolder =>
      citizenCard(n, { subjectName: claire.name, idHint: '2638', anchor: ANCHOR, validFrom: OLD, ...extra });

    /** Claire with card 1 uploaded and its renewal waiting for review. */
    async function pending(): Promise<{ flow: OfficialAccountFlow; request: PendingRenewal | undefined }> {
      const flow = official(db());
      await flow.syncMember(claire, host);
      await flow.uploadCertificate(claire.memberId, claireCard(1), member);
      expect((await enrollFailure(flow.certificateLogin(claireCard(1, { validFrom: NEW, certificateSerial: '5b01' })))).code).toBe('RENEWAL_PENDING_REVIEW');
      const [request] = await flow.pendingRenewals();
      return { flow, request };
    }

    it('official account: removeCertificate rejects the card\'s request', async () => {
      const { flow, request } = await pending();
      await flow.removeCertificate(claire.memberId, member);
      await expectRejected(db(), request, member.id, () => flow.pendingRenewals(), (id) => flow.acceptRenewal(id, reviewer));
      expect(await rejections(db(), 'officialAccount')).toEqual([[claire.memberId, member.id, reasonOf(request, 'the uploaded card was removed')]]);
    });

    it('official account: the host\'s syncMember with another name drops the card and rejects its request', async () => {
      const { flow, request } = await pending();
      await flow.syncMember({ ...claire, name: '張美美' }, host);
      expect(await flow.certificate(claire.memberId)).toBeUndefined();
      await expectRejected(db(), request, host.id, () => flow.pendingRenewals(), (id) => flow.acceptRenewal(id, reviewer));
      expect(await rejections(db(), 'officialAccount')).toEqual([
        [claire.memberId, host.id, reasonOf(request, "the member's name or ID changed, so the uploaded card was removed")],
      ]);
    });

    it('official account: 憑證上傳 of a reissued card replaces the old one and rejects its request', async () => {
      const { flow, request } = await pending();
      await flow.uploadCertificate(claire.memberId, claireCard(2), member);
      await expectRejected(db(), request, member.id, () => flow.pendingRenewals(), (id) => flow.acceptRenewal(id, reviewer));
      expect(await rejections(db(), 'officialAccount')).toEqual([[claire.memberId, member.id, reasonOf(request, 'another certificate was uploaded in its place')]]);
    });
  }

  describe_org();
  function describe_org(): void {
    const OID_A = '2.16.886.101.20003.20001.20003';
    const OID_B = '2.16.886.101.20003.20001.20004';
    const agencies = new StaticAgencyDirectory([
      { oid: OID_A as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' },
      { oid: OID_B as AgencyOid, name: '內政部警政署', agencyCode: 'B5678' },
    ]);
    const orgA = markVerified({ authority: 'GCA', subjectName: '內政部消防署', certificateSerial: 'a1b2c3', organizationOid: OID_A }) as VerifiedCardHolder;
    const orgB = markVerified({ authority: 'GCA', subjectName: '內政部警政署', certificateSerial: 'b1b2c3', organizationOid: OID_B }) as VerifiedCardHolder;
    const adminA = citizenCard(1, { anchor: ANCHOR, validFrom: OLD });
    const adminB = citizenCard(3, { anchor: ANCHOR, validFrom: OLD });
    const operator = citizenCard(2, { subjectName: '李經辦', anchor: ANCHOR, validFrom: OLD });
    const renewed = citizenCard(2, { subjectName: '李經辦', anchor: ANCHOR, validFrom: NEW, certificateSerial: '5b02' });
    const contact = { name: '王小明', email: 'admin@nfa.gov.tw', phone: '(02)8195-9119', nationalId: 'A123456789' };
    const sessions: Record<string, AdministratorSession> = {
      A1234: { organizationCard: orgA, administratorCard: adminA, administratorNationalId: 'A123456789' },
      B5678: { organizationCard: orgB, administratorCard: adminB, administratorNationalId: 'A123456789' },
    };
    const input = (serial: string) => ({ certificateSerial: serial, name: '李經辦', nationalId: 'A123456789', permissions: ['承保作業'] });

    /** The operator's card recorded in `codes`, its renewal waiting for review. */
    async function pending(codes: string[]): Promise<{ flow: OrgRegistrationFlow; request: PendingRenewal | undefined }> {
      const flow = new OrgRegistrationFlow({ store: db(), clock, agencies, permissions: ['承保作業'], renewal: 'review' });
      await flow.register({ agencyCode: 'A1234', organizationCard: orgA, administratorCard: adminA, administrator: contact });
      await flow.register({ agencyCode: 'B5678', organizationCard: orgB, administratorCard: adminB, administrator: contact });
      for (const code of codes) {
        await flow.assignOperator(code, sessions[code] as AdministratorSession, input(operator.certificateSerial));
        await flow.authorizeOperator(code, operator, '承保作業');
      }
      expect((await enrollFailure(flow.authorizeOperator('A1234', renewed, '承保作業'))).code).toBe('RENEWAL_PENDING_REVIEW');
      const [request] = await flow.pendingRenewals();
      return { flow, request };
    }

    it('organization: removeOperator rejects the operator card\'s request', async () => {
      const { flow, request } = await pending(['A1234']);
      await flow.removeOperator('A1234', sessions.A1234 as AdministratorSession, operator.certificateSerial);
      await expectRejected(db(), request, adminA.certificateSerial, () => flow.pendingRenewals(), (id) => flow.acceptRenewal(id, reviewer));
      expect(await rejections(db(), 'organization')).toEqual([['A1234', adminA.certificateSerial, reasonOf(request, 'the 經辦人 was removed')]]);
    });

    it('organization: editOperator to another serial (a reissued card) rejects the old card\'s request', async () => {
      const { flow, request } = await pending(['A1234']);
      await flow.editOperator('A1234', sessions.A1234 as AdministratorSession, operator.certificateSerial, input('c0ffee'));
      await expectRejected(db(), request, adminA.certificateSerial, () => flow.pendingRenewals(), (id) => flow.acceptRenewal(id, reviewer));
      expect(await rejections(db(), 'organization')).toEqual([['A1234', adminA.certificateSerial, reasonOf(request, 'the 經辦人 was given another certificate serial')]]);
    });

    it('organization: editOperator keeping the serial (new permissions) leaves the request waiting', async () => {
      const { flow } = await pending(['A1234']);
      await flow.editOperator('A1234', sessions.A1234 as AdministratorSession, operator.certificateSerial, input(operator.certificateSerial));
      expect(await flow.pendingRenewals()).toHaveLength(1);
      expect(await rejections(db(), 'organization')).toEqual([]);
    });

    it('organization: 更換授權管理者自然人憑證 (another administrator card) rejects the old card\'s request', async () => {
      const { flow } = await pending(['A1234']);
      const adminRenewed = citizenCard(1, { anchor: ANCHOR, validFrom: NEW, certificateSerial: '5b01' });
      expect((await enrollFailure(flow.listOperators('A1234', { organizationCard: orgA, administratorCard: adminRenewed, administratorNationalId: 'A123456789' }))).code).toBe('RENEWAL_PENDING_REVIEW');
      const request = (await flow.pendingRenewals()).find((r) => r.cardNumber === adminA.cardNumber);
      const reissued = citizenCard(9, { anchor: ANCHOR, validFrom: NEW });
      await flow.replaceAdministratorCard('A1234', { organizationCard: orgA, administratorCard: reissued, administrator: contact });
      expect(await stored(db(), request?.id ?? '')).toEqual({ status: 'rejected', decided_by: reissued.certificateSerial });
      // The operator's request is not the administrator's: it still waits.
      expect((await flow.pendingRenewals()).map((r) => r.cardNumber)).toEqual([operator.cardNumber]);
      expect((await enrollFailure(flow.acceptRenewal(request?.id ?? '', reviewer))).code).toBe('NOT_FOUND');
      expect(await rejections(db(), 'organization')).toEqual([['A1234', reissued.certificateSerial, reasonOf(request, 'the 授權管理者 card was replaced')]]);
    });

    it('organization: removing the operator from one agency leaves the request waiting for the other, which can still accept it', async () => {
      const { flow, request } = await pending(['A1234', 'B5678']);
      await flow.removeOperator('A1234', sessions.A1234 as AdministratorSession, operator.certificateSerial);
      expect(await flow.pendingRenewals()).toHaveLength(1);
      expect(await flow.acceptRenewal(request?.id ?? '', reviewer)).toMatchObject({ agencyCode: 'B5678', holder: 'operator' });
    });
  }
});
