/**
 * Certificate use by members of the official account system: 憑證上傳 (bind a
 * citizen card through a verified login) and 憑證登入, with the card-lifecycle
 * rule of every flow — renewal, review policy, reissue through re-binding —
 * and the attacks: same 卡號 with another holder, another authority, an
 * expired or revoked new certificate, a hand-built holder. Cards come from the
 * test PKI and pass the certificate layer's real login verifier.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { LoginVerificationError } from '../../src/cert/index.js';
import {
  ManualClock,
  OfficialAccountFlow,
  StaticAgencyDirectory,
  joinTransaction,
  readAuditTrail,
  type AgencyOid,
  type RenewalPolicy,
  type VerifiedCardHolder,
} from '../../src/enroll/index.js';
import type { CardHolderCredentials } from '../../src/testing/pki/index.js';
import { describeEachStore, enrollFailure, tableCounts } from './helpers.js';
import { defaultMessages } from '../../src/messages/index.js';
import { FakePersonnelSystem, NFA, claire, host, member, reviewer, startLoginRig, type LoginRig } from './official-fixtures.js';

const CARD = 'TP03000012345678';
const REISSUED = 'TP03000087654321';
const DAY = 86_400_000;
/** The flows keep serials lower-case without leading zeros. */
const norm = (serial: string): string => serial.toLowerCase().replace(/^0+(?=.)/, '');

let rig: LoginRig;
const cards: Record<string, CardHolderCredentials> = {};

beforeAll(async () => {
  rig = await startLoginRig();
  const now = Date.now();
  const moica = (extra: Partial<Parameters<LoginRig['issue']>[0]> = {}) =>
    rig.issue({ authority: 'moica', commonName: '張美善', idHint: '2638', ...extra });
  cards.original = await moica({ notBefore: new Date(now - 400 * DAY) });
  cards.renewed = await moica({ notBefore: new Date(now - 2 * DAY) });
  cards.renewedAgain = await moica({ notBefore: new Date(now - DAY) });
  cards.otherHolder = await moica({ commonName: '陳冒名', idHint: '1111', notBefore: new Date(now - DAY) });
  cards.otherHint = await moica({ idHint: '9999', notBefore: new Date(now - DAY) });
  cards.otherAuthority = await rig.issue({ authority: 'hca', commonName: '張美善', notBefore: new Date(now - DAY) });
  cards.expired = await moica({ notBefore: new Date(now - 3 * DAY), notAfter: new Date(now - 1000) });
  cards.revoked = await moica({ notBefore: new Date(now - DAY) });
  cards.reissued = await moica({ notBefore: new Date(now - DAY) });
  cards.stranger = await rig.issue({ authority: 'moica', commonName: '黃筱筱', idHint: '4093' });
  rig.revoke(cards.revoked as CardHolderCredentials);
}, 120_000);

afterAll(async () => {
  await rig.close();
});

const login = (name: string, cardNumber = CARD): Promise<VerifiedCardHolder> => rig.login(cards[name] as CardHolderCredentials, cardNumber);

async function code(p: Promise<unknown>): Promise<string> {
  return (await enrollFailure(p)).code;
}

describeEachStore('enroll_t_official_cards', (db) => {
  let clock: ManualClock;
  const flowWith = (renewal?: RenewalPolicy, store = db()): OfficialAccountFlow =>
    new OfficialAccountFlow({
      store,
      clock,
      agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
      personnel: Object.assign(new FakePersonnelSystem(), { records: [{ name: '張美善', nationalId: 'A226812638', agencyOid: NFA }] }),
      ...(renewal === undefined ? {} : { renewal }),
    });

  beforeEach(async () => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    await flowWith().syncMember(claire, host);
  });

  it('憑證上傳 binds the card from a verified login; 憑證登入 finds the member, 公務人員 once approved', async () => {
    const flow = flowWith();
    const card = await flow.uploadCertificate('clairesu1234', await login('original'), member);
    expect(card).toMatchObject({ memberId: 'clairesu1234', cardNumber: CARD, holderName: '張美善' });
    expect(await flow.certificate('clairesu1234')).toEqual(card);
    expect(await flow.certificateLogin(await login('original'))).toMatchObject({ memberId: 'clairesu1234', memberType: 'citizen' });
    await flow.apply({ memberId: 'clairesu1234', agencyOid: NFA, reason: '公務人員', attested: true }, member);
    expect(await flow.certificateLogin(await login('original'))).toMatchObject({ memberType: 'official', agencyName: '內政部消防署' });
    const events = (await readAuditTrail(db(), { flow: 'officialAccount', subject: 'clairesu1234' })).map((e) => e.event);
    expect(events).toEqual(['syncMember', 'uploadCertificate', 'becomeOfficial']);
  });

  it('a changed name or ID removes the uploaded card (it proved the old data); another e-mail keeps it', async () => {
    const flow = flowWith();
    await flow.uploadCertificate('clairesu1234', await login('original'), member);
    await flow.syncMember({ ...claire, email: 'claire@example.com' }, host);
    expect((await flow.certificateLogin(await login('original'))).memberId).toBe('clairesu1234');
    await flow.syncMember({ ...claire, name: '張美美' }, host);
    expect(await flow.certificate('clairesu1234')).toBeUndefined();
    expect((await enrollFailure(flow.certificateLogin(await login('original')))).refusal).toBe('CERTIFICATE_NOT_UPLOADED');
    const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: 'clairesu1234' });
    expect(trail.slice(-2).map((e) => [e.event, e.reason ?? ''])).toEqual([
      ['syncMember', ''],
      ['removeCertificate', `卡號 ${CARD}: 中文姓名或身分證統一編號已變更，請重新上傳憑證`],
    ]);
  });

  it('憑證上傳 refuses what does not prove the member: hand-built holder, another name, another ID hint, another authority, another actor', async () => {
    const flow = flowWith();
    const before = await tableCounts(db());
    const original = await login('original');
    expect(await code(flow.uploadCertificate('clairesu1234', { ...original }, member))).toBe('NOT_AUTHORIZED');
    expect(await code(flow.uploadCertificate('clairesu1234', await login('otherHolder'), member))).toBe('NOT_AUTHORIZED');
    expect(await code(flow.uploadCertificate('clairesu1234', await login('otherHint'), member))).toBe('NOT_AUTHORIZED');
    expect(await code(flow.uploadCertificate('clairesu1234', await login('otherAuthority'), member))).toBe('INVALID_INPUT');
    expect(await code(flow.uploadCertificate('clairesu1234', original, { role: 'applicant', id: 'someone-else' }))).toBe('FORBIDDEN');
    expect(await code(flow.uploadCertificate('nobody1', original, { role: 'applicant', id: 'nobody1' }))).toBe('NOT_FOUND');
    expect({ ...(await tableCounts(db())), enroll_audit_log: 0 }).toEqual({ ...before, enroll_audit_log: 0 });
    expect(await code(flow.certificateLogin(original))).toBe('NOT_AUTHORIZED');
  });

  it('the same 卡號 cannot be uploaded by another member (CARD_ALREADY_BOUND)', async () => {
    const flow = flowWith();
    await flow.uploadCertificate('clairesu1234', await login('original'), member);
    await flow.syncMember({ memberId: 'huang01', name: '黃筱筱', nationalId: 'F131104093', email: 'h@example.com' }, host);
    const err = await enrollFailure(flow.uploadCertificate('huang01', await login('stranger'), { role: 'applicant', id: 'huang01' }));
    expect([err.code, err.refusal]).toEqual(['CARD_ALREADY_BOUND', 'CARD_UPLOADED_BY_OTHER_MEMBER']);
    // Worded for members, not with the GPS seed's 管制編號 sentence of the bare code.
    expect(defaultMessages.describe(err).messages.zhTW).toBe('此自然人憑證已上傳至其他會員帳號');
    expect(await flow.certificate('huang01')).toBeUndefined();
  });

  it('a renewed certificate of the uploaded card logs in and takes over, audited; the old one stops working', async () => {
    const flow = flowWith();
    await flow.uploadCertificate('clairesu1234', await login('original'), member);
    const renewed = await login('renewed');
    expect((await flow.certificateLogin(renewed)).memberId).toBe('clairesu1234');
    expect((await flow.certificate('clairesu1234'))?.certificateSerial).toBe(norm(renewed.certificateSerial));
    expect(await code(flow.certificateLogin(await login('original')))).toBe('NOT_AUTHORIZED');
    const renewals = (await readAuditTrail(db(), { flow: 'officialAccount', subject: 'clairesu1234' })).filter((e) => e.event === 'renewCard');
    expect(renewals).toHaveLength(1);
    expect(renewals[0]?.reason).toContain(`卡號 ${CARD}`);
  });

  it('attacks on the uploaded 卡號 are refused and audited; expired and revoked certificates never pass the verifier', async () => {
    const flow = flowWith();
    await flow.uploadCertificate('clairesu1234', await login('original'), member);
    const serial = (await flow.certificate('clairesu1234'))?.certificateSerial;
    const renewed = await login('renewed');
    for (const attack of [await login('otherHolder'), await login('otherHint'), await login('otherAuthority'), { ...renewed }]) {
      expect(await code(flow.certificateLogin(attack))).toBe('NOT_AUTHORIZED');
    }
    // The certificate layer refuses these before the enrollment layer sees them.
    for (const name of ['expired', 'revoked']) {
      const err = await login(name).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(LoginVerificationError);
    }
    expect((await flow.certificate('clairesu1234'))?.certificateSerial).toBe(serial);
    const refused = (await readAuditTrail(db(), { flow: 'officialAccount', subject: 'clairesu1234' })).filter((e) => e.event === 'renewalRefused');
    // The hand-built copy is refused before any judgement (not verified).
    expect(refused.map((e) => e.reason?.replace(/^.*: /, ''))).toEqual([
      'another holder name',
      'another ID hint',
      'another authority (HCA, bound MOICA)',
    ]);
  });

  it('the review policy queues the renewal until a reviewer accepts it', async () => {
    const flow = flowWith('review');
    await flow.uploadCertificate('clairesu1234', await login('original'), member);
    const renewed = await login('renewedAgain');
    expect(await code(flow.certificateLogin(renewed))).toBe('RENEWAL_PENDING_REVIEW');
    expect(await code(flow.certificateLogin(await login('renewedAgain')))).toBe('RENEWAL_PENDING_REVIEW');
    const pending = await flow.pendingRenewals();
    expect(pending).toMatchObject([{ flow: 'officialAccount', cardNumber: CARD, newSerial: norm(renewed.certificateSerial) }]);
    expect(await code(flow.acceptRenewal(pending[0]?.id ?? '', member))).toBe('FORBIDDEN');
    expect(await code(flow.acceptRenewal('not-a-uuid', reviewer))).toBe('INVALID_INPUT');
    expect((await flow.acceptRenewal(pending[0]?.id ?? '', reviewer)).certificateSerial).toBe(norm(renewed.certificateSerial));
    expect(await flow.pendingRenewals()).toEqual([]);
    expect((await flow.certificateLogin(await login('renewedAgain'))).memberId).toBe('clairesu1234');
  });

  it('a renewal waiting for review is not accepted while the host has the account deactivated; it stays pending', async () => {
    const flow = flowWith('review');
    await flow.uploadCertificate('clairesu1234', await login('original'), member);
    expect(await code(flow.certificateLogin(await login('renewedAgain')))).toBe('RENEWAL_PENDING_REVIEW');
    const [request] = await flow.pendingRenewals();
    await flow.syncMember({ ...claire, activatedAt: null }, host);
    const err = await enrollFailure(flow.acceptRenewal(request?.id ?? '', reviewer));
    expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'MEMBER_DEACTIVATED']);
    expect(await flow.pendingRenewals()).toMatchObject([{ id: request?.id }]);
    expect((await flow.certificate('clairesu1234'))?.certificateSerial).toBe(norm((await login('original')).certificateSerial));
    await flow.syncMember({ ...claire, activatedAt: new Date('2026-03-02T00:30:00Z') }, host);
    expect((await flow.acceptRenewal(request?.id ?? '', reviewer)).certificateSerial).toBe(norm((await login('renewedAgain')).certificateSerial));
  });

  it('a reissued card (new 卡號) re-binds by uploading it again; removing the card ends 憑證登入', async () => {
    const flow = flowWith();
    await flow.uploadCertificate('clairesu1234', await login('original'), member);
    const reissued = await login('reissued', REISSUED);
    expect(await code(flow.certificateLogin(reissued))).toBe('NOT_AUTHORIZED');
    const card = await flow.uploadCertificate('clairesu1234', reissued, member);
    expect(card.cardNumber).toBe(REISSUED);
    expect((await flow.certificateLogin(await login('reissued', REISSUED))).memberId).toBe('clairesu1234');
    expect(await code(flow.certificateLogin(await login('original')))).toBe('NOT_AUTHORIZED');
    const upload = (await readAuditTrail(db(), { flow: 'officialAccount', subject: 'clairesu1234' })).filter((e) => e.event === 'uploadCertificate');
    expect(upload.map((e) => e.reason)).toEqual([`卡號 ${CARD}`, `卡號 ${CARD} → ${REISSUED}`]);
    expect(await code(flow.removeCertificate('clairesu1234', { role: 'applicant', id: 'someone-else' }))).toBe('FORBIDDEN');
    await flow.removeCertificate('clairesu1234', member);
    expect(await code(flow.certificateLogin(await login('reissued', REISSUED)))).toBe('NOT_AUTHORIZED');
    expect(await code(flow.removeCertificate('clairesu1234', reviewer))).toBe('NOT_FOUND');
  });

  it('members racing to upload the same card: exactly one gets it', async () => {
    const flow = new OfficialAccountFlow({
      store: db(),
      clock,
      agencies: new StaticAgencyDirectory([]),
      // Same name on purpose; the ID hint rule is opened so only the 卡號 decides.
      idHintRule: () => true,
    });
    const ids = ['A123456789', 'F131104093', 'B120863158'];
    for (const [i, nationalId] of ids.entries()) await flow.syncMember({ ...claire, memberId: `twin0${i}`, nationalId }, host);
    const holder = await login('original');
    const outcomes = await Promise.all(
      ['clairesu1234', 'twin00', 'twin01', 'twin02'].map((m) =>
        flow.uploadCertificate(m, holder, { role: 'applicant', id: m }).then(
          (c) => c.memberId,
          (e: unknown) => (e as { code?: string }).code ?? String(e),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'CARD_ALREADY_BOUND')).toHaveLength(3);
    const winner = outcomes.find((o) => o !== 'CARD_ALREADY_BOUND') ?? '';
    expect((await flow.certificateLogin(await login('original'))).memberId).toBe(winner);
  });

  it("an upload inside the caller's transaction rolls back with it", async () => {
    await db().transaction((tx) => tx.query('CREATE TABLE IF NOT EXISTS team_official_cards (id text PRIMARY KEY)'));
    await db().transaction((tx) => tx.query('DELETE FROM team_official_cards'));
    const holder = await login('original');
    const outcome = await db()
      .transaction(async (tx) => {
        await flowWith(undefined, joinTransaction(tx)).uploadCertificate('clairesu1234', holder, member);
        await tx.query('INSERT INTO team_official_cards VALUES ($1)', ['x']);
        await tx.query('INSERT INTO team_official_cards VALUES ($1)', ['x']);
      })
      .then(
        () => 'committed',
        (e: unknown) => (e as { code?: string }).code,
      );
    expect(outcome).toBe('23505');
    expect(await flowWith().certificate('clairesu1234')).toBeUndefined();
  });
});
