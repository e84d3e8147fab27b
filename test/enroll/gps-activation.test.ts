/**
 * GPS (moenv-gps seed) 開通帳號權限: what an activation link would open, read without using it
 * (`pendingActivation`), the activation mail naming the account, and the citizen-card-only wording of a
 * wrong card (本系統採自然人憑證單一登入方式).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import type { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { EnrollError } from '../../src/enroll/errors.js';
import type { Actor } from '../../src/enroll/domain/actor.js';
import { defaultMessages } from '../../src/messages/index.js';
import { basicDataFor, citizenCard, describeEachStore, enrollFailure, gpsAccountFlow, tokenFromMail } from './helpers.js';

const applicant: Actor = { role: 'applicant', id: 'H5600123' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-007' };
const DAY = 86_400_000;

let clock: ManualClock;
let mailer: CapturingMailer;
let flow: AccountEnrollmentFlow;

/** The error a promise rejected with, as `{ code, message }` (undefined when it resolved). */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) return undefined;
  expect(err).toBeInstanceOf(EnrollError);
  return { code: (err as EnrollError).code, message: (err as EnrollError).message };
}

describeEachStore('enroll_t_gps_activation', (db) => {
  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    ({ flow, mailer } = gpsAccountFlow(db(), clock));
  });

  /** 帳號申請 to 審核通過 with card 1, its 自然人憑證姓名 typed unlike the certificate's; the mailed key. */
  async function approved(): Promise<{ id: string; token: string; expiresAt: string }> {
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    await flow.submitBasicData(app.id, basicDataFor(), applicant);
    await flow.bindCard(app.id, { holder: citizenCard(1), contact: { name: '王曉明', phone: '02-2345-6789', email: 'typed@example.com' } }, applicant);
    const { expiresAt } = await flow.approve(app.id, reviewer);
    return { id: app.id, token: tokenFromMail(mailer.last()?.text ?? ''), expiresAt };
  }

  describe('GPS activation: pendingActivation names what the link opens without using it', () => {
    it('returns the 管制編號, 公司名稱, the certificate name, 卡號末四碼 and expiry the mail also names; the link still activates afterwards', async () => {
      const { id, token, expiresAt } = await approved();
      const trail = (await readAuditTrail(db(), { flow: 'account', subject: id })).length;
      const expected = {
        controlNumber: 'H5600123',
        companyName: basicDataFor().companyName,
        // The certificate's name, not the 王曉明 typed on the form.
        cards: [{ name: '王小明1', cardNumberEnding: '0001' }],
        expiresAt,
      };
      expect(await flow.pendingActivation(token)).toEqual(expected);
      expect(await flow.pendingActivation(token)).toEqual(expected);
      // Read only: no state change, no audit entry, the card still pending.
      expect((await flow.get(id)).status).toBe('approved');
      expect(await readAuditTrail(db(), { flow: 'account', subject: id })).toHaveLength(trail);
      expect((await flow.listCards('H5600123'))[0]?.status).toBe('pending');

      expect((await flow.activate(token)).status).toBe('active');
      expect(await refusal(flow.pendingActivation(token))).toMatchObject({ code: 'TOKEN_USED' });

      // The activation mail names the same account and card, before the link.
      const text = mailer.last()?.text ?? '';
      expect(text).toContain(`開通帳號：管制編號 H5600123（${basicDataFor().companyName}）\n可登入之自然人憑證：王小明1（卡號末四碼 0001）\n\nhttps://`);
      expect(text).not.toContain('TP03000000000001');
    });

    it('refuses a malformed, unknown, replaced, expired or used link exactly as activation does', async () => {
      const { id, token: first } = await approved();
      await flow.reissueActivation(id, reviewer);
      const second = tokenFromMail(mailer.last()?.text ?? '');
      const same = async (token: string, code: string) => {
        const peeked = await refusal(flow.pendingActivation(token));
        expect(peeked?.code).toBe(code);
        // The activation refused here changes nothing (the link is dead), so the two can be compared.
        expect(await refusal(flow.activate(token))).toEqual(peeked);
      };
      await same('short', 'TOKEN_INVALID');
      await same('A'.repeat(43), 'TOKEN_INVALID');
      await same(first, 'TOKEN_INVALID');
      clock.advance(7 * DAY);
      await same(second, 'TOKEN_EXPIRED');
      expect((await flow.get(id)).status).toBe('approved');

      await flow.reissueActivation(id, reviewer);
      const third = tokenFromMail(mailer.last()?.text ?? '');
      await flow.activate(third);
      await same(third, 'TOKEN_USED');
    });
  });

  describe('GPS: a card that is not a citizen card', () => {
    it('is refused at login with the GPS wording (自然人憑證 only), while WRONG_CARD_TYPE keeps the waste system\'s', async () => {
      const company = citizenCard(2, { authority: 'MOEACA', subjectName: '台灣化學運輸股份有限公司', cardNumber: undefined, idHint: undefined, businessId: '04595257' });
      const err = await enrollFailure(flow.resolveLogin(company));
      expect([err.code, err.refusal]).toEqual(['WRONG_CARD_TYPE', 'CITIZEN_CARD_REQUIRED']);
      // With a 卡號 no account binds, the same (not 「此自然人憑證尚未綁定帳號」).
      const numbered = await enrollFailure(flow.resolveLogin(citizenCard(3, { authority: 'GCA', idHint: undefined, organizationOid: '2.16.886.101.20003.20065' })));
      expect([numbered.code, numbered.refusal]).toEqual(['WRONG_CARD_TYPE', 'CITIZEN_CARD_REQUIRED']);
      const gps = defaultMessages.describe(err).messages;
      expect(gps.zhTW).toBe('本系統採自然人憑證單一登入方式，此憑證不可用於本系統，請使用自然人憑證');
      expect(gps.zhTW).not.toContain('工商憑證');
      expect(gps.en).toContain('citizen');
      expect(defaultMessages.describe(new EnrollError('WRONG_CARD_TYPE', 'x')).messages.zhTW).toBe('此憑證不可用於本系統，請使用自然人憑證或工商憑證');
    });
  });
});
