import { beforeEach, describe, expect, it } from 'vitest';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { defaultMessages } from '../../src/messages/index.js';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { citizenCard as handBuiltCitizenCard, describeEachStore } from './helpers.js';

// The flow takes only holders from a login verification (cardHolderFromLogin marks them); these tests are
// about codes and methods, so their cards are marked as a verified login's would be.
const citizenCard = (n: number, overrides: Partial<VerifiedCardHolder> = {}): VerifiedCardHolder => markVerified(handBuiltCitizenCard(n, overrides));

const company: Actor = { role: 'applicant', id: '04595257' };
const companyCard = (businessId = '04595257', serial = 'c0ffee'): VerifiedCardHolder =>
  markVerified({
    authority: 'MOEACA',
    subjectName: '測試公司',
    certificateSerial: serial,
    cardNumber: 'BC00000000000001',
    businessId,
  });
const target = { businessId: '04595257', controlNumber: 'E5600001' };

let clock: ManualClock;
let flow: LoginEnablementFlow;

describeEachStore('enroll_t_login', (db) => {
  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    flow = new LoginEnablementFlow({ store: db(), clock, codeTtlMs: 86_400_000 });
  });

  async function expectCode(p: Promise<unknown>, code: string): Promise<EnrollError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EnrollError);
    expect((err as EnrollError).code).toBe(code);
    return err as EnrollError;
  }

  async function requested(
    methods: { citizenCard: 'enabled' | 'disabled'; companyCard: 'enabled' | 'disabled' } = { citizenCard: 'enabled', companyCard: 'enabled' },
  ): Promise<string> {
    const { verificationCode } = await flow.requestCertificateLogin({ ...target, companyName: '測試公司', methods }, company);
    return verificationCode;
  }

  describe('certificate-login enablement (seed: 啟用自然人憑證或工商憑證登入)', () => {
    it('binds citizen and company cards with 統一編號 + 管制編號 + 驗證碼', async () => {
      const code = await requested();
      expect(code).toMatch(/^[A-Z2-9]{10}$/);
      expect((await flow.get(target)).account.status).toBe('awaitingBinding');
      const b1 = await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company);
      expect(b1).toMatchObject({ method: 'citizenCard', controlNumber: 'E5600001' });
      const b2 = await flow.enableCertificateLogin({ ...target, verificationCode: code.toLowerCase(), holder: companyCard() }, company);
      expect(b2.method).toBe('companyCard');
      const { account, bindings } = await flow.get(target);
      expect(account.status).toBe('bound');
      expect(bindings).toHaveLength(2);
      expect((await flow.authorizeLogin(citizenCard(1))).account.businessId).toBe('04595257');
      const rows = await db().transaction((tx) => tx.query('SELECT verification_code_hash FROM enroll_login_accounts'));
      expect(JSON.stringify(rows)).not.toContain(code);
    });

    it('a code enables one card per method by default; a new code enables the next', async () => {
      const code = await requested();
      const first = await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company);
      // The same card again (a double submit) is its binding, not "spent" nor "enabled elsewhere".
      expect(await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company)).toEqual(first);
      // Someone else who read the mail, with their own card: the code is spent for citizen cards.
      const spent = await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(2) }, company), 'VERIFICATION_CODE_INVALID');
      expect(spent.refusal).toBe('VERIFICATION_CODE_SPENT');
      expect(defaultMessages.describe(spent).messages.zhTW).toBe('此驗證碼已啟用過同類憑證，若要再啟用其他憑證，請重新申請驗證碼');
      // The other method is still open to the same code, once.
      await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: companyCard() }, company);
      const again = await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: companyCard('04595257', 'c0ffee02') }, company), 'VERIFICATION_CODE_INVALID');
      expect(again.refusal).toBe('VERIFICATION_CODE_SPENT');
      expect((await flow.get(target)).bindings.map((b) => b.certificateSerial)).toEqual(['4a00000000000001', 'c0ffee']);
      const { verificationCode: fresh } = await flow.reissueVerificationCode(target, company);
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(2) }, company), 'VERIFICATION_CODE_INVALID');
      await flow.enableCertificateLogin({ ...target, verificationCode: fresh, holder: citizenCard(2) }, company);
      expect((await flow.get(target)).bindings).toHaveLength(3);
      expect((await flow.authorizeLogin(citizenCard(2))).account.businessId).toBe('04595257');
    });

    it("with verificationCodeUse 'untilExpiry' a code enables any number of cards until it expires", async () => {
      flow = new LoginEnablementFlow({ store: db(), clock, codeTtlMs: 86_400_000, verificationCodeUse: 'untilExpiry' });
      const code = await requested();
      for (const n of [1, 2, 3]) await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(n) }, company);
      expect((await flow.get(target)).bindings).toHaveLength(3);
      clock.advance(86_400_000);
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(4) }, company), 'VERIFICATION_CODE_INVALID');
      expect(() => new LoginEnablementFlow({ store: db(), clock, verificationCodeUse: 'once' as never })).toThrow(/verificationCodeUse must be/);
    });

    // Serials and card numbers are public: a holder built from request data (or a JSON copy of a real one)
    // used to bind and to log in as the company. Only cardHolderFromLogin's holders count.
    it('refuses a holder that did not come from a login verification, to bind and to log in', async () => {
      const code = await requested();
      const copy = JSON.parse(JSON.stringify(citizenCard(1))) as VerifiedCardHolder;
      const refusedBind = await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: copy }, company).catch((e: unknown) => e);
      expect(refusedBind).toMatchObject({ code: 'NOT_AUTHORIZED', refusal: 'VERIFIED_LOGIN_REQUIRED' });
      expect((await flow.get(target)).bindings).toHaveLength(0);
      await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company);
      const refusedLogin = await flow.authorizeLogin(copy).catch((e: unknown) => e);
      expect(refusedLogin).toMatchObject({ code: 'NOT_AUTHORIZED', refusal: 'VERIFIED_LOGIN_REQUIRED' });
      expect((await flow.authorizeLogin(citizenCard(1))).account.businessId).toBe('04595257');
    });

    it('works without a control number (沒有就請空白)', async () => {
      const { verificationCode } = await flow.requestCertificateLogin(
        { businessId: '04595257', controlNumber: '', companyName: '測試公司', methods: { citizenCard: 'enabled', companyCard: 'disabled' } },
        company,
      );
      const b = await flow.enableCertificateLogin({ businessId: '04595257', verificationCode, holder: citizenCard(3) }, company);
      expect(b.controlNumber).toBeUndefined();
    });

    it('停用 blocks binding and login for that method only; 啟用 restores it', async () => {
      const code = await requested({ citizenCard: 'enabled', companyCard: 'disabled' });
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: companyCard() }, company), 'LOGIN_METHOD_DISABLED');
      await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company);
      const off = await flow.setLoginMethod(target, 'citizenCard', 'disabled', company);
      expect(off.methods).toEqual({ citizenCard: 'disabled', companyCard: 'disabled' });
      await expectCode(flow.authorizeLogin(citizenCard(1)), 'LOGIN_METHOD_DISABLED');
      await expectCode(flow.setLoginMethod(target, 'citizenCard', 'disabled', company), 'INVALID_TRANSITION');
      await flow.setLoginMethod(target, 'citizenCard', 'enabled', company);
      expect((await flow.authorizeLogin(citizenCard(1))).binding.method).toBe('citizenCard');
      const trail = await readAuditTrail(db(), { flow: 'loginMethod' });
      expect(trail.map((e) => `${e.subject}:${e.from}>${e.to}`)).toEqual([
        '04595257/E5600001#citizenCard:enabled>disabled',
        '04595257/E5600001#citizenCard:disabled>enabled',
      ]);
    });

    it('wrong, expired or foreign codes get one indistinguishable error', async () => {
      const code = await requested();
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: 'WRONGCODE1', holder: citizenCard(1) }, company), 'VERIFICATION_CODE_INVALID');
      await expectCode(flow.enableCertificateLogin({ ...target, controlNumber: 'E5600002', verificationCode: code, holder: citizenCard(1) }, company), 'VERIFICATION_CODE_INVALID');
      clock.advance(86_400_000);
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company), 'VERIFICATION_CODE_INVALID');
    });

    it('locks the code after 5 wrong attempts; a reissued code works and the old one is dead', async () => {
      const code = await requested();
      for (let i = 0; i < 4; i++) {
        await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: `WRONG${i}`, holder: citizenCard(1) }, company), 'VERIFICATION_CODE_INVALID');
      }
      // The fifth wrong code is the one that locks, and says so.
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: 'WRONG4', holder: citizenCard(1) }, company), 'VERIFICATION_CODE_LOCKED');
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company), 'VERIFICATION_CODE_LOCKED');
      const { verificationCode: fresh } = await flow.reissueVerificationCode(target, { role: 'reviewer', id: 'staff' });
      expect(fresh).not.toBe(code);
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company), 'VERIFICATION_CODE_INVALID');
      expect((await flow.enableCertificateLogin({ ...target, verificationCode: fresh, holder: citizenCard(1) }, company)).method).toBe('citizenCard');
      const events = (await readAuditTrail(db(), { flow: 'loginEnablement' })).map((e) => e.event);
      expect(events).toEqual(['requestCertificateLogin', 'reissueVerificationCode', 'bindCard']);
    });

    it('an expired code can be replaced', async () => {
      await requested();
      clock.advance(2 * 86_400_000);
      const { verificationCode } = await flow.reissueVerificationCode(target, company);
      expect((await flow.enableCertificateLogin({ ...target, verificationCode, holder: citizenCard(1) }, company)).method).toBe('citizenCard');
      await expectCode(flow.reissueVerificationCode({ businessId: '22099131' }, company), 'NOT_FOUND');
    });

    it('a company card must carry the same 統一編號; a card serves one company', async () => {
      const code = await requested();
      await expectCode(flow.enableCertificateLogin({ ...target, verificationCode: code, holder: companyCard('22099131') }, company), 'NOT_AUTHORIZED');
      await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company);
      const other = await flow.requestCertificateLogin(
        { businessId: '22099131', companyName: '他公司', methods: { citizenCard: 'enabled', companyCard: 'enabled' } },
        company,
      );
      const bound = await expectCode(
        flow.enableCertificateLogin({ businessId: '22099131', verificationCode: other.verificationCode, holder: citizenCard(1) }, company),
        'CARD_ALREADY_BOUND',
      );
      expect(bound.refusal).toBe('CERTIFICATE_ENABLED_ELSEWHERE');
      expect(defaultMessages.describe(bound).messages.zhTW).toBe('此憑證已啟用於其他事業的憑證登入，無法重複設置');
      await expectCode(flow.requestCertificateLogin({ ...target, companyName: 'x', methods: { citizenCard: 'enabled', companyCard: 'enabled' } }, company), 'APPLICATION_IN_PROGRESS');
    });

    it('unbinding the last card returns to awaitingBinding', async () => {
      const code = await requested();
      await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: citizenCard(1) }, company);
      await flow.enableCertificateLogin({ ...target, verificationCode: code, holder: companyCard() }, company);
      expect((await flow.unbindCard(target, citizenCard(1).certificateSerial, company)).status).toBe('bound');
      expect((await flow.unbindCard(target, 'c0ffee', company)).status).toBe('awaitingBinding');
      await expectCode(flow.unbindCard(target, 'c0ffee', company), 'NOT_FOUND');
      await expectCode(flow.authorizeLogin(companyCard()), 'NOT_AUTHORIZED');
    });

    it.each([
      ['request: bad 統一編號', () => flow.requestCertificateLogin({ businessId: '12345678', companyName: 'x', methods: { citizenCard: 'enabled', companyCard: 'enabled' } }, company)],
      ['request: methods unset', () => flow.requestCertificateLogin({ businessId: '04595257', companyName: 'x', methods: {} as never }, company)],
      ['request: nothing', () => flow.requestCertificateLogin(null as never, company)],
      ['enable: GCA card', () => flow.enableCertificateLogin({ ...target, verificationCode: 'X', holder: { authority: 'GCA', subjectName: 'x', certificateSerial: '01', organizationOid: '2.16.886.101.1' } }, company)],
      ['enable: empty code', () => flow.enableCertificateLogin({ ...target, verificationCode: '', holder: citizenCard(1) }, company)],
      ['setLoginMethod: method', () => flow.setLoginMethod(target, 'fax' as never, 'enabled', company)],
      ['setLoginMethod: status', () => flow.setLoginMethod(target, 'citizenCard', 'on' as never, company)],
      ['unbindCard: serial', () => flow.unbindCard(target, 'xyz', company)],
      ['authorizeLogin: holder', () => flow.authorizeLogin(undefined as never)],
      ['get: control number', () => flow.get({ businessId: '04595257', controlNumber: '1' })],
      ['reissueVerificationCode: 統一編號', () => flow.reissueVerificationCode({ businessId: 'x' }, company)],
    ])('%s → INVALID_INPUT', async (_n, call) => {
      await expectCode(call(), 'INVALID_INPUT');
    });
  });
});
