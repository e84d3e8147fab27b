/**
 * The card lifecycle through the enrollment flows, with real logins (test
 * PKI, local OCSP responder, the login verifier, cardHolderFromLogin) and a
 * real store (PGlite): bind → login → renewal / revocation / lost card / name
 * change → login again, in the GPS account flow (自然人憑證管理), the waste
 * system's login enablement (啟用憑證) and the official account (憑證上傳).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoginVerifier } from 'twpki/cert';
import {
  AccountEnrollmentFlow,
  CapturingMailer,
  LoginEnablementFlow,
  ManualClock,
  OfficialAccountFlow,
  StaticAgencyDirectory,
  cardHolderFromLogin,
  readAuditTrail,
  type Actor,
  type BasicData,
  type EmsComparison,
  type EmsRecordSource,
  type EmsVerifier,
  type FieldVerdict,
  type VerifiedCardHolder,
} from 'twpki/enroll';
import type { PgliteStore } from 'twpki/enroll/pglite';
import type { CardHolderCredentials } from 'twpki/testing';
import { openPglite } from '../enroll/helpers.js';
import { HOUR, failure, startLab, type Lab } from './lab.js';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const CN = 'H5600123';
const applicant: Actor = { role: 'applicant', id: `gps-account:${CN}` };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'contact@example.com' };
const FORM = {
  controlNumber: CN,
  companyName: '台灣化學運輸股份有限公司',
  responsiblePerson: '陳大文',
  facilityAddress: '臺北市中正區重慶南路一段122號',
  facilityEmail: 'ems-h5600123@example.com.tw',
  mailingAddress: '臺北市中正區重慶南路一段122號',
  contactName: '林小華',
  contactEmail: 'contact@example.com',
};

/** An EMS that holds FORM. */
class Ems implements EmsVerifier, EmsRecordSource {
  public verify(data: BasicData): Promise<EmsComparison> {
    const fields = Object.fromEntries(Object.keys(FORM).map((f) => [f, (FORM as Record<string, string>)[f] === (data as unknown as Record<string, string>)[f] ? 'match' : 'mismatch'])) as Record<keyof BasicData, FieldVerdict>;
    return Promise.resolve({ passed: Object.values(fields).every((v) => v === 'match'), fields });
  }
  public facilityEmail(): Promise<string | undefined> {
    return Promise.resolve(FORM.facilityEmail);
  }
}

let lab: Lab;
let verifier: LoginVerifier;
let store: PgliteStore;
let clock: ManualClock;
let mailer: CapturingMailer;
/** The person's first card (卡號 …01), its renewal on the same card, a replacement card (…02), and a card after a name change (…03). */
let first: CardHolderCredentials;
let renewed: CardHolderCredentials;
let replacement: CardHolderCredentials;
let renamed: CardHolderCredentials;
const CARD_1 = 'TP03000000000001';
const CARD_2 = 'TP03000000000002';
const CARD_3 = 'TP03000000000003';

beforeAll(async () => {
  lab = await startLab(T0);
  ({ verifier } = lab.verifier({ mode: 'ocsp', ocspCacheSize: 0 }));
  lab.server.ocsp.nextUpdate = null;
  // Independent of each other: made side by side. The store starts from the migrated snapshot (openPglite).
  [first, renewed, replacement, renamed, store] = await Promise.all([
    lab.issue({ notBefore: new Date(T0 - 2 * HOUR) }),
    lab.issue({ notBefore: new Date(T0 - HOUR) }),
    lab.issue({ notBefore: new Date(T0 - HOUR) }),
    lab.issue({ notBefore: new Date(T0 - HOUR), commonName: '王大明' }),
    openPglite(),
  ]);
}, 120_000);
afterAll(async () => {
  await store.close();
  await lab.close();
});
beforeEach(async () => {
  // Fresh tables for each test: drop every enroll row.
  await store.transaction(async (tx) => {
    const tables = await tx.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'enroll_%' AND tablename NOT LIKE '%migrations%'`);
    for (const t of tables) await tx.query(`TRUNCATE ${String(t.tablename)} CASCADE`);
  });
  clock = new ManualClock(new Date(T0));
  mailer = new CapturingMailer();
  lab.clock.t = T0;
  for (const c of [first, renewed, replacement, renamed]) lab.server.setStatus(lab.serialOf(c), { kind: 'good' });
});

/** The holder a verified login gives, as the guides build it. */
async function holder(card: CardHolderCredentials, cardNumber: string | null): Promise<VerifiedCardHolder> {
  lab.server.ocsp.thisUpdate = new Date(lab.clock.t);
  return cardHolderFromLogin(await lab.login(verifier, card, cardNumber));
}

function revoke(card: CardHolderCredentials, reason: 'superseded' | 'keyCompromise' | 'certificateHold'): void {
  lab.server.setStatus(lab.serialOf(card), { kind: 'revoked', revokedAt: new Date(lab.clock.t - 1000), reason });
}

describe('GPS account flow (自然人憑證管理)', () => {
  let accounts: AccountEnrollmentFlow;
  beforeEach(() => {
    const ems = new Ems();
    accounts = new AccountEnrollmentFlow({ store, clock, mailer, ems, emsRecords: ems, activationLink: (t) => `https://gps.example.gov.tw/activate?key=${t}` });
  });

  async function activeAccountWith(card: CardHolderCredentials, cardNumber: string): Promise<void> {
    const app = await accounts.apply({ controlNumber: CN }, applicant);
    await accounts.submitBasicData(app.id, FORM, applicant);
    await accounts.bindCard(app.id, { holder: await holder(card, cardNumber), contact }, applicant);
    await accounts.approve(app.id, reviewer);
    const token = /key=([A-Za-z0-9_-]+)/.exec(mailer.sent.at(-1)?.text ?? '')?.[1];
    await accounts.activate(token as string);
  }

  it('renewal on the same card: the renewed certificate logs in as the same account; the old one is refused', async () => {
    await activeAccountWith(first, CARD_1);
    expect(await accounts.resolveLogin(await holder(first, CARD_1))).toBe(CN);
    // 展期: same 卡號, new certificate; MOICA revokes the old one.
    expect(await accounts.resolveLogin(await holder(renewed, CARD_1))).toBe(CN);
    expect((await accounts.listCards(CN)).map((c) => c.certificateSerial)).toEqual([lab.serialOf(renewed)]);
    // The old certificate, still valid and not yet revoked, cannot take the binding back.
    expect((await failure(accounts.resolveLogin(await holder(first, CARD_1)))).code).toBe('NOT_AUTHORIZED');
    revoke(first, 'superseded');
    expect((await failure(holder(first, CARD_1))).code).toBe('CERT_REVOKED');
  });

  it('lost card: the replacement (new 卡號) is added by the account owner, the old card removed and refused', async () => {
    await activeAccountWith(first, CARD_1);
    revoke(first, 'keyCompromise');
    expect((await failure(holder(first, CARD_1))).code).toBe('CERT_REVOKED');
    const fresh = await holder(replacement, CARD_2);
    expect((await failure(accounts.resolveLogin(fresh))).code).toBe('NOT_AUTHORIZED');
    // The owner (another bound card's session, or the portal's account session) adds the new card and removes the old.
    await accounts.addCard(CN, { holder: fresh, contact }, applicant);
    await accounts.removeCard(CN, CARD_1, applicant);
    expect(await accounts.resolveLogin(await holder(replacement, CARD_2))).toBe(CN);
    expect((await accounts.listCards(CN)).map((c) => c.cardNumber)).toEqual([CARD_2]);
  });

  it('sole card lost and revoked: the company can neither log in, nor manage its cards, nor apply again', async () => {
    await activeAccountWith(first, CARD_1);
    revoke(first, 'keyCompromise');
    // The only login method is the card (本系統採自然人憑證單一登入方式): the company has no session any more.
    expect((await failure(holder(first, CARD_1))).code).toBe('CERT_REVOKED');
    const fresh = await holder(replacement, CARD_2);
    expect((await failure(accounts.resolveLogin(fresh))).code).toBe('NOT_AUTHORIZED');
    expect((await failure(accounts.apply({ controlNumber: CN }, { role: 'applicant', id: 'web' }))).code).toBe('APPLICATION_IN_PROGRESS');
  });

  it('sole card lost: staff close the account, the company applies again with its new card and is back', async () => {
    await activeAccountWith(first, CARD_1);
    revoke(first, 'keyCompromise');
    const fresh = await holder(replacement, CARD_2);
    // Only staff may close, and only with a reason; an applicant (or the company's old session) may not.
    expect((await failure(accounts.closeAccount(CN, applicant, 'lost card'))).code).toBe('FORBIDDEN');
    expect((await failure(accounts.closeAccount(CN, reviewer, ' '))).code).toBe('INVALID_INPUT');
    const closed = await accounts.closeAccount(CN, reviewer, '唯一綁定之自然人憑證遺失（公司來電申請）');
    expect(closed.status).toBe('closed');
    expect(await accounts.listCards(CN)).toEqual([]);
    // The company hears of it at its EMS-registered address, with the reason and the way back.
    expect(mailer.sent.at(-1)).toMatchObject({ to: FORM.facilityEmail, subject: expect.stringContaining('帳號關閉通知') });
    expect(mailer.sent.at(-1)?.text).toContain('唯一綁定之自然人憑證遺失');
    expect(mailer.sent.at(-1)?.text).toContain('重新提出帳號申請');
    // Closed is final: closing again finds no active account.
    expect((await failure(accounts.closeAccount(CN, reviewer, 'again'))).code).toBe('NOT_FOUND');
    // The whole process again: EMS comparison, the new card, review, the activation link to the EMS e-mail.
    const again = await accounts.apply({ controlNumber: CN }, applicant);
    await accounts.submitBasicData(again.id, FORM, applicant);
    await accounts.bindCard(again.id, { holder: fresh, contact }, applicant);
    await accounts.approve(again.id, reviewer);
    expect(mailer.sent.at(-1)?.to).toBe(FORM.facilityEmail);
    const token = /key=([A-Za-z0-9_-]+)/.exec(mailer.sent.at(-1)?.text ?? '')?.[1];
    await accounts.activate(token as string);
    expect(await accounts.resolveLogin(await holder(replacement, CARD_2))).toBe(CN);
    expect((await accounts.listCards(CN)).map((c) => c.cardNumber)).toEqual([CARD_2]);
    expect((await accounts.history(CN)).map((a) => a.status)).toEqual(expect.arrayContaining(['closed', 'active']));
  });

  it('closing an account (or removing a card) rejects the renewals waiting for review of its cards', async () => {
    const ems = new Ems();
    accounts = new AccountEnrollmentFlow({ store, clock, mailer, ems, emsRecords: ems, renewal: 'review', activationLink: (t) => `https://gps.example.gov.tw/activate?key=${t}` });
    await activeAccountWith(first, CARD_1);
    await accounts.addCard(CN, { holder: await holder(replacement, CARD_2), contact }, applicant);
    expect((await failure(accounts.resolveLogin(await holder(renewed, CARD_1)))).code).toBe('RENEWAL_PENDING_REVIEW');
    expect(await accounts.pendingRenewals()).toHaveLength(1);
    await accounts.removeCard(CN, CARD_1, applicant);
    expect(await accounts.pendingRenewals()).toEqual([]);
    // Bound again, renewed again, then the account closed.
    await accounts.addCard(CN, { holder: await holder(first, CARD_1), contact }, applicant);
    expect((await failure(accounts.resolveLogin(await holder(renewed, CARD_1)))).code).toBe('RENEWAL_PENDING_REVIEW');
    expect(await accounts.pendingRenewals()).toHaveLength(1);
    await accounts.closeAccount(CN, reviewer, 'company request');
    expect(await accounts.pendingRenewals()).toEqual([]);
  });

  it('closing an account is audited with the reason and the cards it unbound', async () => {
    await activeAccountWith(first, CARD_1);
    const closed = await accounts.closeAccount(CN, reviewer, 'company request');
    const trail = await readAuditTrail(store, { flow: 'account', subject: closed.id });
    expect(trail.at(-1)).toMatchObject({ event: 'close', from: 'active', to: 'closed', actor: reviewer, reason: `company request (unbound: ${CARD_1})` });
    // The old card no longer logs into anything.
    expect(await failure(accounts.resolveLogin(await holder(first, CARD_1)))).toMatchObject({ code: 'NOT_AUTHORIZED', refusal: 'CARD_NOT_BOUND' });
  });

  it('name change: the new card (new name, same ID hint, new 卡號) is a new card, not a renewal', async () => {
    await activeAccountWith(first, CARD_1);
    const after = await holder(renamed, CARD_3);
    expect((await failure(accounts.resolveLogin(after))).code).toBe('NOT_AUTHORIZED');
    await accounts.addCard(CN, { holder: after, contact }, applicant);
    expect(await accounts.resolveLogin(await holder(renamed, CARD_3))).toBe(CN);
  });
});

describe('waste system login enablement (啟用憑證)', () => {
  let flow: LoginEnablementFlow;
  const company = { businessId: '04595257', controlNumber: 'E5600123' };
  beforeEach(() => {
    flow = new LoginEnablementFlow({ store, clock });
  });

  async function enabled(card: CardHolderCredentials, cardNumber: string | null): Promise<void> {
    const { verificationCode } = await flow.requestCertificateLogin(
      { ...company, companyName: '清運股份有限公司', methods: { citizenCard: 'enabled', companyCard: 'disabled' } },
      applicant,
    );
    await flow.enableCertificateLogin({ ...company, verificationCode, holder: await holder(card, cardNumber) }, applicant);
  }

  it('renewal on the same card logs in; the old certificate is refused', async () => {
    await enabled(first, CARD_1);
    expect((await flow.authorizeLogin(await holder(renewed, CARD_1))).account.businessId).toBe(company.businessId);
    expect((await failure(flow.authorizeLogin(await holder(first, CARD_1)))).code).toBe('NOT_AUTHORIZED');
  });

  it('a citizen card enabled without a signed 卡號 is not recognised after renewal (no card number to match)', async () => {
    // The page did not ask withCardSN (or signed PKCS1): enableCertificateLogin accepts it and binds the serial alone.
    await enabled(first, null);
    expect((await flow.authorizeLogin(await holder(first, null))).binding.cardNumber).toBeUndefined();
    // After 展期 the company's card logs in with its 卡號 now signed, and is refused as not enabled.
    expect((await failure(flow.authorizeLogin(await holder(renewed, CARD_1)))).code).toBe('NOT_AUTHORIZED');
  });

  it('lost card: unbind the old one, a new code, enable the replacement', async () => {
    await enabled(first, CARD_1);
    revoke(first, 'keyCompromise');
    await flow.unbindCard(company, lab.serialOf(first), applicant);
    const { verificationCode } = await flow.reissueVerificationCode(company, applicant);
    await flow.enableCertificateLogin({ ...company, verificationCode, holder: await holder(replacement, CARD_2) }, applicant);
    expect((await flow.authorizeLogin(await holder(replacement, CARD_2))).binding.cardNumber).toBe(CARD_2);
  });
});

describe('official account (憑證上傳 / 憑證登入)', () => {
  let official: OfficialAccountFlow;
  const memberId = 'member-0001';
  const member: Actor = { role: 'applicant', id: memberId };
  const data = { memberId, name: '王小明', nationalId: 'A123456789', email: 'ming@example.gov.tw' };
  beforeEach(async () => {
    official = new OfficialAccountFlow({ store, clock, agencies: new StaticAgencyDirectory([]) });
    await official.syncMember(data, member);
  });

  it('renewal on the uploaded card logs in; the old certificate is refused', async () => {
    await official.uploadCertificate(memberId, await holder(first, CARD_1), member);
    expect((await official.certificateLogin(await holder(first, CARD_1))).memberId).toBe(memberId);
    expect((await official.certificateLogin(await holder(renewed, CARD_1))).memberId).toBe(memberId);
    expect((await failure(official.certificateLogin(await holder(first, CARD_1)))).code).toBe('NOT_AUTHORIZED');
  });

  it('lost card: uploading the replacement replaces the old card, which is refused even before it is revoked', async () => {
    await official.uploadCertificate(memberId, await holder(first, CARD_1), member);
    await official.uploadCertificate(memberId, await holder(replacement, CARD_2), member);
    expect((await official.certificateLogin(await holder(replacement, CARD_2))).memberId).toBe(memberId);
    expect((await failure(official.certificateLogin(await holder(first, CARD_1)))).code).toBe('NOT_AUTHORIZED');
  });

  it('name change: the new card is refused until the member data carry the new name; then the old card is gone', async () => {
    await official.uploadCertificate(memberId, await holder(first, CARD_1), member);
    expect((await failure(official.uploadCertificate(memberId, await holder(renamed, CARD_3), member))).code).toBe('NOT_AUTHORIZED');
    await official.syncMember({ ...data, name: '王大明' }, member);
    expect(await official.certificate(memberId)).toBeUndefined();
    await official.uploadCertificate(memberId, await holder(renamed, CARD_3), member);
    expect((await official.certificateLogin(await holder(renamed, CARD_3))).name).toBe('王大明');
    expect((await failure(official.certificateLogin(await holder(first, CARD_1)))).code).toBe('NOT_AUTHORIZED');
  });
});
