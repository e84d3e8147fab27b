/**
 * Card renewal in the organization flow (issue 12): the administrator's and
 * the operators' citizen cards are renewed by the one rule (same 卡號,
 * authority and trust anchor, holder name and ID hint, a newer certificate
 * from a verified login), audited; the review policy queues it; attacks are
 * refused and audited; a reissued card goes through 更換憑證 / 修改經辦人.
 * Every holder below comes out of the real login verifier.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { parseCertificateSerial, type AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { OrgRegistrationFlow, type AdministratorSession } from '../../src/enroll/flows/org-registration.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { describeEachStore, enrollFailure } from './helpers.js';
import { startLoginLab, type LoginLab } from './verified-logins.js';

const OID = '2.16.886.101.20003.20001.20003';
const agencies = new StaticAgencyDirectory([{ oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' }]);
const orgCard: VerifiedCardHolder = markVerified({ authority: 'GCA', subjectName: '內政部消防署', certificateSerial: 'a1b2c3', organizationOid: OID });
const adminContact = { name: '王小明', email: 'admin@nfa.gov.tw', phone: '(02)8195-9119', nationalId: 'A123456789' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const ADMIN_CARD = 'TP03000000000001';
const OPERATOR_CARD = 'TP03000000000002';

let lab: LoginLab;
/** The serial as the flows store it (normalized). */
const sn = (holder: VerifiedCardHolder): string => parseCertificateSerial(holder.certificateSerial);
/** Verified logins, made once: the bound cards, their renewals and the attacks. */
const h = {} as Record<
  'admin' | 'adminRenewed' | 'operator' | 'operatorRenewed' | 'otherHolder' | 'otherHint' | 'otherAnchor' | 'reissued',
  VerifiedCardHolder
>;
/** What an attacker can hand the flow for an expired or revoked renewal: the verifier refused the login, so only a copy. */
const unverified = {} as Record<'expired' | 'revoked', VerifiedCardHolder>;
const verifierRefusals: string[] = [];

beforeAll(async () => {
  lab = await startLoginLab();
  const hour = 3_600_000;
  const at = (hoursAgo: number): Date => new Date(Date.now() - hoursAgo * hour);
  h.admin = await lab.login(await lab.issue({ notBefore: at(5) }), ADMIN_CARD);
  h.adminRenewed = await lab.login(await lab.issue({ notBefore: at(1) }), ADMIN_CARD);
  h.operator = await lab.login(await lab.issue({ commonName: '李經辦', idHint: '6789', notBefore: at(5) }), OPERATOR_CARD);
  h.operatorRenewed = await lab.login(await lab.issue({ commonName: '李經辦', idHint: '6789', notBefore: at(1) }), OPERATOR_CARD);
  h.otherHolder = await lab.login(await lab.issue({ commonName: '陳冒名', notBefore: at(1) }), ADMIN_CARD);
  h.otherHint = await lab.login(await lab.issue({ idHint: '1111', notBefore: at(1) }), ADMIN_CARD);
  h.otherAnchor = await lab.login(await lab.issue({ other: true, notBefore: at(1) }), ADMIN_CARD);
  h.reissued = await lab.login(await lab.issue({ notBefore: at(1) }), 'TP03000000000009');

  const expired = await lab.issue({ notBefore: at(3), notAfter: at(2) });
  const revoked = await lab.issue({ notBefore: at(1) });
  lab.revoke(revoked);
  for (const [name, card] of [['expired', expired], ['revoked', revoked]] as const) {
    const refusal = await lab.login(card, ADMIN_CARD).then(
      () => 'accepted',
      (e: unknown) => String((e as { code?: unknown }).code),
    );
    verifierRefusals.push(refusal);
    // The same fields as the refused login, built by hand: never marked verified.
    unverified[name] = { ...h.adminRenewed, certificateSerial: `${name === 'expired' ? 'e' : 'f'}0${sn(h.adminRenewed)}` };
  }
}, 60_000);

afterAll(async () => {
  await lab.close();
});

describe('the login verifier', () => {
  it('refuses the expired and the revoked renewed certificate, so no verified holder exists for them', () => {
    expect(verifierRefusals).toEqual(['CERT_EXPIRED', 'CERT_REVOKED']);
  });
});

describeEachStore('enroll_t_org_renewal', (db) => {
  let clock: ManualClock;
  // Sessions of the two cards alone: the renewal rule is asked of any holder on the registered 卡號, also one whose
  // ID hint no typed 身分證統一編號 would agree with (that check: gepi-administrator-id.test.ts).
  const flowWith = (renewal?: 'automatic' | 'review' | 'replace'): OrgRegistrationFlow =>
    new OrgRegistrationFlow({ store: db(), clock, agencies, permissions: ['承保作業'], requireAdministratorNationalId: false, ...(renewal === undefined ? {} : { renewal }) });
  const session = (administratorCard: VerifiedCardHolder): AdministratorSession => ({ organizationCard: orgCard, administratorCard });
  const operatorInput = (): { certificateSerial: string; name: string; nationalId: string; permissions: string[] } => ({
    certificateSerial: sn(h.operator),
    name: '李經辦',
    nationalId: 'A123456789',
    permissions: ['承保作業'],
  });

  beforeEach(() => {
    clock = new ManualClock('2026-03-06T01:00:00Z');
  });

  async function registered(flow: OrgRegistrationFlow): Promise<void> {
    await flow.register({ agencyCode: 'A1234', organizationCard: orgCard, administratorCard: h.admin, administrator: adminContact });
    await flow.assignOperator('A1234', session(h.admin), operatorInput());
  }

  async function events(name: string): Promise<string[]> {
    return (await readAuditTrail(db(), { flow: 'organization', subject: 'A1234' })).filter((e) => e.event === name).map((e) => e.reason ?? '');
  }

  async function code(p: Promise<unknown>): Promise<string> {
    return (await enrollFailure(p)).code;
  }

  it('administrator: a renewed certificate on the registered card opens the session and takes over the registration, audited', async () => {
    const flow = flowWith();
    await registered(flow);
    expect(await flow.listOperators('A1234', session(h.adminRenewed))).toHaveLength(1);
    expect((await flow.get('A1234')).administrator?.certificateSerial).toBe(sn(h.adminRenewed));
    expect(await events('renewCard')).toEqual([`卡號 ${ADMIN_CARD}: ${sn(h.admin)} → ${sn(h.adminRenewed)}`]);
    // The old certificate no longer opens the session; the renewed one keeps working.
    expect(await code(flow.listOperators('A1234', session(h.admin)))).toBe('FORBIDDEN');
    expect(await flow.assignOperator('A1234', session(h.adminRenewed), { ...operatorInput(), certificateSerial: 'c0ffee' })).toMatchObject({ certificateSerial: 'c0ffee' });
  });

  it('administrator: the renewed card also authenticates 更換機關憑證', async () => {
    const flow = flowWith();
    await registered(flow);
    const reg = await flow.replaceOrganizationCertificate('A1234', {
      organizationCard: markVerified({ ...orgCard, certificateSerial: '0a0b' }),
      administratorCard: h.adminRenewed,
      administrator: adminContact,
    });
    expect([reg.organizationCertificateSerial, reg.administrator?.certificateSerial]).toEqual(['a0b', sn(h.adminRenewed)]);
    expect(await events('renewCard')).toHaveLength(1);
  });

  it('administrator: attacks on the registered 卡號 are refused and audited; the registration is unchanged', async () => {
    const flow = flowWith();
    await registered(flow);
    const attacks: Array<[string, VerifiedCardHolder, string]> = [
      ['same 卡號, another holder', h.otherHolder, 'another holder name'],
      ['same 卡號, another ID hint', h.otherHint, 'another ID hint'],
      ['same 卡號, another authority (trust anchor)', h.otherAnchor, 'another trust anchor'],
    ];
    for (const [name, holder, reason] of attacks) {
      const err = await enrollFailure(flow.listOperators('A1234', session(holder)));
      expect([name, err.code]).toEqual([name, 'FORBIDDEN']);
      expect(err.message).toContain(reason);
    }
    // What the verifier refused (expired, revoked) exists only as a hand-built copy, and a copy of a verified
    // renewal is hand-built too: refused before the registration is read, so the renewal rule never sees them.
    for (const holder of [unverified.expired, unverified.revoked, { ...h.adminRenewed }]) {
      const err = await enrollFailure(flow.listOperators('A1234', session(holder)));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'VERIFIED_LOGIN_REQUIRED']);
    }
    // A certificate of another authority is not even a citizen card.
    expect(await code(flow.listOperators('A1234', session({ ...h.adminRenewed, authority: 'GCA' })))).toBe('INVALID_INPUT');
    expect((await flow.get('A1234')).administrator?.certificateSerial).toBe(sn(h.admin));
    expect(await events('renewalRefused')).toHaveLength(attacks.length);
    expect(await events('renewCard')).toEqual([]);
    // Refused in the session too: every refusal is also a forbidden:listOperators entry.
    expect((await readAuditTrail(db(), { flow: 'organization', subject: 'A1234' })).filter((e) => e.event === 'forbidden:listOperators')).toHaveLength(attacks.length);
  });

  it('administrator: a reissued card (new 卡號) is a stranger until 更換授權管理者自然人憑證, then renews by the rule itself', async () => {
    const flow = flowWith();
    await registered(flow);
    expect(await code(flow.listOperators('A1234', session(h.reissued)))).toBe('FORBIDDEN');
    expect(await events('renewalRefused')).toEqual([]);
    await flow.replaceAdministratorCard('A1234', { organizationCard: orgCard, administratorCard: h.reissued, administrator: adminContact });
    expect(await flow.listOperators('A1234', session(h.reissued))).toHaveLength(1);
  });

  it('administrator: the review policy queues the renewal until a reviewer accepts it', async () => {
    const flow = flowWith('review');
    await registered(flow);
    expect(await code(flow.listOperators('A1234', session(h.adminRenewed)))).toBe('RENEWAL_PENDING_REVIEW');
    expect(await code(flow.listOperators('A1234', session(h.adminRenewed)))).toBe('RENEWAL_PENDING_REVIEW');
    const pending = await flow.pendingRenewals();
    expect(pending).toMatchObject([{ flow: 'organization', cardNumber: ADMIN_CARD, oldSerial: sn(h.admin), newSerial: sn(h.adminRenewed) }]);
    expect(await code(flow.acceptRenewal(pending[0]?.id ?? '', { role: 'administrator', id: sn(h.adminRenewed) }))).toBe('FORBIDDEN');
    expect(await flow.acceptRenewal(pending[0]?.id ?? '', reviewer)).toEqual({
      agencyCode: 'A1234',
      holder: 'administrator',
      cardNumber: ADMIN_CARD,
      certificateSerial: sn(h.adminRenewed),
    });
    expect(await flow.pendingRenewals()).toEqual([]);
    expect(await flow.listOperators('A1234', session(h.adminRenewed))).toHaveLength(1);
    expect((await readAuditTrail(db(), { flow: 'organization', subject: 'A1234' })).filter((e) => e.event === 'renewCard').map((e) => e.actor)).toEqual([reviewer]);
  });

  it('administrator: beside another organization\'s certificate (same CA and serial), a renewal is not judged, queued or audited', async () => {
    const flow = flowWith('review');
    await registered(flow);
    const otherOrganization = markVerified({ ...orgCard, organizationOid: '2.16.886.101.20003.20001.99999' });
    const err = await enrollFailure(flow.listOperators('A1234', { organizationCard: otherOrganization, administratorCard: h.adminRenewed }));
    expect([err.code, err.refusal]).toEqual(['FORBIDDEN', 'AGENCY_CARD_MISMATCH']);
    expect(await flow.pendingRenewals()).toEqual([]);
    expect(await events('renewalRequested')).toEqual([]);
  });

  it('operator: the first verified login records the card; a renewed certificate then takes over the assignment, audited', async () => {
    const flow = flowWith();
    await registered(flow);
    expect((await flow.authorizeOperator('A1234', h.operator, '承保作業')).name).toBe('李經辦');
    const renewed = await flow.authorizeOperator('A1234', h.operatorRenewed, '承保作業');
    expect(renewed.certificateSerial).toBe(sn(h.operatorRenewed));
    expect(await code(flow.authorizeOperator('A1234', h.operator, '承保作業'))).toBe('NOT_AUTHORIZED');
    expect(await events('renewCard')).toEqual([`卡號 ${OPERATOR_CARD}: ${sn(h.operator)} → ${sn(h.operatorRenewed)}`]);
    expect((await flow.listOperators('A1234', session(h.admin))).map((o) => o.certificateSerial)).toEqual([sn(h.operatorRenewed)]);
  });

  it('operator: a hand-built holder is refused and records nothing', async () => {
    const flow = flowWith();
    await registered(flow);
    // A copy of a holder (serials are public) is refused before anything is read, so it neither logs in
    // nor records the operator's card; a renewal has nothing to be compared with until a verified login.
    const onOperatorCard = (holder: VerifiedCardHolder): VerifiedCardHolder => ({ ...holder, cardNumber: OPERATOR_CARD });
    for (const attack of [{ ...h.operator }, { ...h.operatorRenewed }, onOperatorCard(unverified.revoked)]) {
      const err = await enrollFailure(flow.authorizeOperator('A1234', attack, '承保作業'));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'VERIFIED_LOGIN_REQUIRED']);
    }
    expect(await code(flow.authorizeOperator('A1234', h.operatorRenewed, '承保作業'))).toBe('NOT_AUTHORIZED');
    expect(await events('renewalRefused')).toEqual([]);
    expect((await flow.listOperators('A1234', session(h.admin))).map((o) => o.certificateSerial)).toEqual([sn(h.operator)]);
  });

  it('operator: another holder, hint or anchor on the operator\'s 卡號 is refused by the rule', async () => {
    const flow = flowWith();
    await registered(flow);
    await flow.authorizeOperator('A1234', h.operator, '承保作業');
    // Verified logins of other certificates claiming the operator's 卡號.
    const claims = await Promise.all([
      lab.login(await lab.issue({ commonName: '陳冒名', idHint: '6789' }), OPERATOR_CARD),
      lab.login(await lab.issue({ commonName: '李經辦', idHint: '1111' }), OPERATOR_CARD),
      lab.login(await lab.issue({ commonName: '李經辦', idHint: '6789', other: true }), OPERATOR_CARD),
    ]);
    for (const claim of claims) expect(await code(flow.authorizeOperator('A1234', claim, '承保作業'))).toBe('NOT_AUTHORIZED');
    const reasons = await events('renewalRefused');
    expect(reasons.map((r) => r.replace(/^.*: /, ''))).toEqual(['another holder name', 'another ID hint', 'the certificate chains to another trust anchor']);
  });

  it("renewal: 'replace' (the GEPI manual): a renewed card is refused and audited until 更換授權管理者 / 修改授權經辦人", async () => {
    const flow = flowWith('replace');
    await registered(flow);
    // 「授權管理者自然人憑證更換或展期，皆須進入本項功能變更註冊資料」: the renewal alone opens nothing.
    const admin = await enrollFailure(flow.listOperators('A1234', session(h.adminRenewed)));
    expect(admin.code).toBe('FORBIDDEN');
    expect(admin.message).toContain('re-bind it through the card change');
    expect((await flow.get('A1234')).administrator?.certificateSerial).toBe(sn(h.admin));
    expect(await events('renewalRefused')).toEqual([expect.stringContaining("renewal: 'replace'")]);
    expect(await flow.pendingRenewals()).toEqual([]);
    await flow.replaceAdministratorCard('A1234', { organizationCard: orgCard, administratorCard: h.adminRenewed, administrator: adminContact });
    expect(await flow.listOperators('A1234', session(h.adminRenewed))).toHaveLength(1);
    // An operator's 展期 changes the serial: refused until the administrator edits it (五(六)※).
    await flow.authorizeOperator('A1234', h.operator, '承保作業');
    const operator = await enrollFailure(flow.authorizeOperator('A1234', h.operatorRenewed, '承保作業'));
    expect([operator.code, operator.refusal]).toEqual(['NOT_AUTHORIZED', 'OPERATOR_NOT_AUTHORIZED']);
    await flow.editOperator('A1234', session(h.adminRenewed), sn(h.operator), { ...operatorInput(), certificateSerial: sn(h.operatorRenewed) });
    expect((await flow.authorizeOperator('A1234', h.operatorRenewed, '承保作業')).name).toBe('李經辦');
    expect(await events('renewCard')).toEqual([]);
  });

  it('operator: the review policy queues the renewal; 修改授權經辦人資料 to a new serial forgets the recorded card', async () => {
    const flow = flowWith('review');
    await registered(flow);
    await flow.authorizeOperator('A1234', h.operator, '承保作業');
    expect(await code(flow.authorizeOperator('A1234', h.operatorRenewed, '承保作業'))).toBe('RENEWAL_PENDING_REVIEW');
    const [request] = await flow.pendingRenewals();
    expect(await flow.acceptRenewal(request?.id ?? '', reviewer)).toMatchObject({ holder: 'operator', certificateSerial: sn(h.operatorRenewed) });
    expect((await flow.authorizeOperator('A1234', h.operatorRenewed, '承保作業')).name).toBe('李經辦');

    // A reissued card: the administrator edits the serial; the old card's record does not follow.
    await flow.editOperator('A1234', session(h.admin), sn(h.operatorRenewed), { ...operatorInput(), certificateSerial: sn(h.reissued) });
    expect(await code(flow.authorizeOperator('A1234', h.operatorRenewed, '承保作業'))).toBe('NOT_AUTHORIZED');
    expect(await flow.pendingRenewals()).toEqual([]);
  });
});
