/**
 * 啟用 and 憑證登入 of the waste system with real certificates, on both stores:
 * every refusal the flow names, the company card's 統一編號 rule, and the card
 * lifecycle (renewal automatic or reviewed; same 卡號 with another holder or
 * another company refused and audited).
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CapturingMailer, LoginEnablementFlow, ManualClock, WasteSystemFlow, readAuditTrail, type RenewalPolicy } from '../../src/enroll/index.js';
import { LoginVerificationError } from '../../src/cert/index.js';
import { describeEachStore, enrollFailure } from './helpers.js';
import {
  APPLICANT,
  CITIZEN2_CARD_NO,
  CITIZEN_CARD_NO,
  COMPANY,
  COMPANY_CARD_NO,
  JPEG,
  OTHER_COMPANY,
  OTHER_COMPANY_CARD_NO,
  PDF,
  REVIEWER,
  approvedApplication,
  cardRig,
  codeFromMail,
  form,
  registry,
  type CardRig,
} from './waste-fixtures.js';

let rig: CardRig;
/** A serial as the enrollment layer stores it (lower-case hex, no leading zeros). */
const norm = (serial: string): string => serial.toLowerCase().replace(/^0+(?=.)/, '');
beforeAll(async () => {
  rig = await cardRig();
}, 120_000);

describeEachStore('enroll_t_waste_act', (db) => {
  let clock: ManualClock;
  let mailer: CapturingMailer;
  let flow: WasteSystemFlow;
  const make = (renewal?: RenewalPolicy): WasteSystemFlow =>
    new WasteSystemFlow({ store: db(), clock, mailer, companies: registry, codeTtlMs: 86_400_000, ...(renewal === undefined ? {} : { renewal }) });

  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    mailer = new CapturingMailer();
    flow = make();
  });

  describe('啟用憑證', () => {
    it('wrong, foreign or expired codes get one indistinguishable error', async () => {
      const { code } = await approvedApplication(flow, mailer);
      const holder = await rig.login(rig.citizen, CITIZEN_CARD_NO);
      const refused = async (input: Record<string, unknown>): Promise<string> =>
        (await enrollFailure(flow.activate({ ...COMPANY, verificationCode: code, holder, ...input } as never, APPLICANT))).message;
      const wrong = await refused({ verificationCode: 'WRONGCODE2' });
      expect(wrong).toBe('統一編號、管制編號或驗證碼錯誤，或驗證碼已過期');
      expect(await refused({ controlNumber: 'E5600002' })).toBe(wrong);
      expect(await refused({ businessId: OTHER_COMPANY })).toBe(wrong);
      clock.advance(86_400_000);
      expect(await refused({})).toBe(wrong);
    });

    it('locks the code after 5 wrong attempts; resendVerificationCode mails a new one and the old one is dead', async () => {
      const { code } = await approvedApplication(flow, mailer);
      const holder = await rig.login(rig.citizen, CITIZEN_CARD_NO);
      for (let i = 0; i < 4; i++) {
        expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: `WRONG${i}`, holder }, APPLICANT))).code).toBe('VERIFICATION_CODE_INVALID');
      }
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: 'WRONG4', holder }, APPLICANT))).code).toBe('VERIFICATION_CODE_LOCKED');
      const locked = await enrollFailure(flow.activate({ ...COMPANY, verificationCode: code, holder }, APPLICANT));
      expect(locked.code).toBe('VERIFICATION_CODE_LOCKED');
      expect(locked.message).toBe('驗證碼錯誤次數過多，請重新申請驗證碼');
      const stranger = { role: 'applicant', id: 'someone-else' } as const;
      expect((await enrollFailure(flow.resendVerificationCode(COMPANY, stranger))).code).toBe('FORBIDDEN');
      const resent = await flow.resendVerificationCode(COMPANY, APPLICANT);
      expect(resent.mailedTo).toBe('contact@example.com.tw');
      const fresh = codeFromMail(mailer.last()?.text ?? '');
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: code, holder }, APPLICANT))).code).toBe('VERIFICATION_CODE_INVALID');
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: fresh, holder }, REVIEWER))).code).toBe('FORBIDDEN');
      expect((await flow.activate({ ...COMPANY, verificationCode: fresh, holder }, APPLICANT)).notice).toBe('綁定成功');
      // A reviewer may send a new code too (e.g. after a phone call).
      await flow.resendVerificationCode(COMPANY, REVIEWER);
      const events = (await readAuditTrail(db(), { flow: 'wasteApplication' })).map((e) => e.event);
      expect(events.filter((e) => e === 'resendVerificationCode')).toHaveLength(2);
    });

    it('停用 refuses that method (LOGIN_METHOD_DISABLED); the company cannot switch on what the reviewed 申請書 set 停用; a reviewer can', async () => {
      const { code } = await approvedApplication(flow, mailer, { methods: { citizenCard: 'disabled', companyCard: 'enabled' } });
      const citizen = await rig.login(rig.citizen, CITIZEN_CARD_NO);
      const refused = await enrollFailure(flow.activate({ ...COMPANY, verificationCode: code, holder: citizen }, APPLICANT));
      expect(refused.code).toBe('LOGIN_METHOD_DISABLED');
      expect(refused.message).toBe('自然人憑證登入為停用');
      // The methods were ticked on the stamped 申請書 a reviewer approved: the company may not change that alone.
      const own = await enrollFailure(flow.setLoginMethod(COMPANY, 'citizenCard', 'enabled', APPLICANT));
      expect(own.code).toBe('FORBIDDEN');
      expect(own.message).toContain('自然人憑證登入為停用');
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: code, holder: citizen }, APPLICANT))).code).toBe('LOGIN_METHOD_DISABLED');
      // Nor through the other flow that shares the login record.
      expect((await enrollFailure(new LoginEnablementFlow({ store: db(), clock }).setLoginMethod(COMPANY, 'citizenCard', 'enabled', APPLICANT))).code).toBe('FORBIDDEN');
      // Switching a method off stays the company's own.
      expect((await flow.setLoginMethod(COMPANY, 'companyCard', 'disabled', APPLICANT)).methods.companyCard).toBe('disabled');
      await flow.setLoginMethod(COMPANY, 'citizenCard', 'enabled', REVIEWER);
      await flow.activate({ ...COMPANY, verificationCode: code, holder: citizen }, APPLICANT);
      await flow.setLoginMethod(COMPANY, 'citizenCard', 'disabled', REVIEWER);
      expect((await enrollFailure(flow.login(await rig.login(rig.citizen, CITIZEN_CARD_NO)))).code).toBe('LOGIN_METHOD_DISABLED');
    });

    it('a new code keeps the login methods as last set: a method the company switched off stays off, one a reviewer switched on stays on', async () => {
      await approvedApplication(flow, mailer);
      // The company switches 自然人憑證登入 off (its own to do); a new code must not switch it back on.
      await flow.setLoginMethod(COMPANY, 'citizenCard', 'disabled', APPLICANT);
      const resent = await flow.resendVerificationCode(COMPANY, APPLICANT);
      expect(resent.login.methods).toEqual({ citizenCard: 'disabled', companyCard: 'enabled' });
      const citizen = await rig.login(rig.citizen, CITIZEN_CARD_NO);
      const fresh = codeFromMail(mailer.last()?.text ?? '');
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: fresh, holder: citizen }, APPLICANT))).code).toBe('LOGIN_METHOD_DISABLED');
      // With both switched off, a code could enable no card (the company may not switch one on again itself): none
      // is mailed, and the mail says the methods are 停用 now, not that the 申請書 left them so.
      await flow.setLoginMethod(COMPANY, 'companyCard', 'disabled', APPLICANT);
      const none = await flow.resendVerificationCode(COMPANY, APPLICANT);
      expect([none.codeSent, none.login.methods]).toEqual([false, { citizenCard: 'disabled', companyCard: 'disabled' }]);
      expect(mailer.last()?.text).not.toMatch(/驗證碼：/);
      expect(mailer.last()?.text).toContain('貴公司之自然人憑證登入及工商憑證登入目前皆為停用，故未核發驗證碼');

      // A 申請書 with both 停用, where a reviewer then switched one on: the resend carries a code, and the method stays on.
      const other = { businessId: OTHER_COMPANY };
      const noneApp = await flow.apply(form({ ...other, controlNumber: '', methods: { citizenCard: 'disabled', companyCard: 'disabled' } }), APPLICANT);
      await flow.uploadDocument(noneApp.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
      await flow.uploadDocument(noneApp.id, { kind: 'businessRegistration', content: JPEG }, APPLICANT);
      await flow.submitForReview(noneApp.id, APPLICANT);
      expect((await flow.approve(noneApp.id, REVIEWER)).codeSent).toBe(false);
      expect(mailer.last()?.text).toContain('申請書之自然人憑證登入及工商憑證登入皆為停用，故未核發驗證碼');
      await flow.setLoginMethod(other, 'citizenCard', 'enabled', REVIEWER);
      const again = await flow.resendVerificationCode(other, REVIEWER);
      expect([again.codeSent, again.login.methods.citizenCard]).toEqual([true, 'enabled']);
      const code = codeFromMail(mailer.last()?.text ?? '');
      const otherCitizen = await rig.login(rig.citizen2, CITIZEN2_CARD_NO);
      expect((await flow.activate({ ...other, verificationCode: code, holder: otherCitizen }, APPLICANT)).binding.method).toBe('citizenCard');
    });

    it("a company card must carry the application's 統一編號; a card serves one company; only MOICA and MOEACA", async () => {
      const { code } = await approvedApplication(flow, mailer);
      const other = await rig.login(rig.otherCompany, OTHER_COMPANY_CARD_NO);
      const mismatch = await enrollFailure(flow.activate({ ...COMPANY, verificationCode: code, holder: other }, APPLICANT));
      expect(mismatch.code).toBe('NOT_AUTHORIZED');
      expect(mismatch.message).toBe('工商憑證之統一編號與申請資料不符');
      await flow.activate({ ...COMPANY, verificationCode: code, holder: await rig.login(rig.citizen, CITIZEN_CARD_NO) }, APPLICANT);
      const second = await approvedApplication(flow, mailer, { businessId: OTHER_COMPANY, controlNumber: '' });
      expect(
        (await enrollFailure(flow.activate({ businessId: OTHER_COMPANY, verificationCode: second.code, holder: await rig.login(rig.citizen, CITIZEN_CARD_NO) }, APPLICANT))).code,
      ).toBe('CARD_ALREADY_BOUND');
      const gca = { authority: 'GCA', subjectName: '機關', certificateSerial: '01', organizationOid: '2.16.886.101.20003' } as const;
      const wrongType = await enrollFailure(flow.activate({ ...COMPANY, verificationCode: code, holder: gca }, APPLICANT));
      expect(wrongType.code).toBe('INVALID_INPUT');
      expect(JSON.stringify((wrongType as unknown as { issues: unknown }).issues)).toContain('holder.authority');
    });
  });

  describe('憑證登入 and the card lifecycle', () => {
    async function boundCompany(): Promise<void> {
      const { code } = await approvedApplication(flow, mailer);
      await flow.activate({ ...COMPANY, verificationCode: code, holder: await rig.login(rig.citizen, CITIZEN_CARD_NO) }, APPLICANT);
      await flow.activate({ ...COMPANY, verificationCode: code, holder: await rig.login(rig.company, COMPANY_CARD_NO) }, APPLICANT);
    }

    it('a card never enabled is refused with 此憑證尚未啟用登入', async () => {
      await boundCompany();
      const err = await enrollFailure(flow.login(await rig.login(rig.citizen2, CITIZEN2_CARD_NO)));
      expect(err.code).toBe('NOT_AUTHORIZED');
      expect(err.message).toBe('此憑證尚未啟用登入');
    });

    it('a renewed citizen certificate (same card, name and ID hint, later start) takes over the binding, audited', async () => {
      await boundCompany();
      const renewed = await rig.login(rig.citizenRenewed, CITIZEN_CARD_NO);
      expect((await flow.login(renewed)).binding.certificateSerial).toBe(norm(renewed.certificateSerial));
      const trail = await readAuditTrail(db(), { flow: 'loginEnablement' });
      expect(trail.map((e) => e.event)).toContain('renewCard');
      // The old certificate no longer logs in: its serial is not bound and its 卡號 is now the renewal's.
      expect((await enrollFailure(flow.login(await rig.login(rig.citizen, CITIZEN_CARD_NO)))).code).toBe('NOT_AUTHORIZED');
    });

    it('a renewed company card (same 卡號, name and 統一編號) takes over its binding too', async () => {
      await boundCompany();
      const renewed = await rig.login(rig.companyRenewed, COMPANY_CARD_NO);
      const { binding } = await flow.login(renewed);
      expect(binding).toMatchObject({ method: 'companyCard', certificateSerial: norm(renewed.certificateSerial), cardNumber: COMPANY_CARD_NO });
    });

    it('same 卡號 with another holder, or a company card naming another 統一編號, is refused and audited; the binding stays', async () => {
      await boundCompany();
      expect((await enrollFailure(flow.login(await rig.login(rig.impostor, CITIZEN_CARD_NO)))).code).toBe('NOT_AUTHORIZED');
      const moved = await enrollFailure(flow.login(await rig.login(rig.companyMoved, COMPANY_CARD_NO)));
      expect(moved.message).toBe('工商憑證之統一編號與申請資料不符');
      const refused = (await readAuditTrail(db(), { flow: 'loginEnablement' })).filter((e) => e.event === 'renewalRefused');
      expect(refused).toHaveLength(1);
      expect(refused[0]?.reason).toContain('another holder name');
      const serials = (await flow.loginRecord(COMPANY)).bindings.map((b) => b.certificateSerial).sort();
      const original = [await rig.login(rig.citizen, CITIZEN_CARD_NO), await rig.login(rig.company, COMPANY_CARD_NO)].map((h) => norm(h.certificateSerial)).sort();
      expect(serials).toEqual(original);
    });

    it('an expired certificate never reaches the flow: the verifier refuses it', async () => {
      const expired = await rig.pki.issueCardHolder({
        authority: 'moica',
        commonName: '王小明',
        idHint: '6789',
        notBefore: new Date(Date.now() - 10 * 86_400_000),
        notAfter: new Date(Date.now() - 86_400_000),
      });
      await expect(rig.login(expired, CITIZEN_CARD_NO)).rejects.toBeInstanceOf(LoginVerificationError);
    });

    it('under the review policy a renewal waits (RENEWAL_PENDING_REVIEW) until a reviewer accepts it', async () => {
      flow = make('review');
      await boundCompany();
      const renewed = await rig.login(rig.citizenRenewed, CITIZEN_CARD_NO);
      expect((await enrollFailure(flow.login(renewed))).code).toBe('RENEWAL_PENDING_REVIEW');
      const [pending] = await flow.pendingRenewals();
      expect(pending?.newSerial).toBe(norm(renewed.certificateSerial));
      expect((await enrollFailure(flow.acceptRenewal(pending?.id ?? '', APPLICANT))).code).toBe('FORBIDDEN');
      await flow.acceptRenewal(pending?.id ?? '', REVIEWER);
      expect((await flow.login(await rig.login(rig.citizenRenewed, CITIZEN_CARD_NO))).binding.method).toBe('citizenCard');
    });

    it('a reissued card (new 卡號) re-binds: unbind the old card, activate the new one with a new code', async () => {
      await boundCompany();
      const old = await rig.login(rig.citizen, CITIZEN_CARD_NO);
      await flow.unbindCard(COMPANY, old.certificateSerial, APPLICANT);
      await flow.resendVerificationCode(COMPANY, APPLICANT);
      const code = codeFromMail(mailer.last()?.text ?? '');
      const reissued = await rig.login(rig.citizen2, CITIZEN2_CARD_NO);
      expect((await flow.activate({ ...COMPANY, verificationCode: code, holder: reissued }, APPLICANT)).binding.cardNumber).toBe(CITIZEN2_CARD_NO);
      expect((await flow.login(await rig.login(rig.citizen2, CITIZEN2_CARD_NO))).account.businessId).toBe(COMPANY.businessId);
    });
  });
});
