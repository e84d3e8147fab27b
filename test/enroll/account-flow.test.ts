import { beforeEach, describe, expect, it } from 'vitest';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { EnrollError, InvalidInputError, InvalidTransitionError } from '../../src/enroll/errors.js';
import { defaultMessages } from '../../src/messages/index.js';
import type { Actor } from '../../src/enroll/domain/actor.js';
import { rehydrateState, serializeState } from '../../src/enroll/state-document.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { FakeEms, basicDataFor, citizenCard, gpsAccountFlow, tableCounts, tokenFromMail, describeEachStore } from './helpers.js';

const applicant: Actor = { role: 'applicant', id: 'H5600123' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-007' };
const DAY = 86_400_000;

let clock: ManualClock;
let mailer: CapturingMailer;
let ems: FakeEms;
let flow: AccountEnrollmentFlow;

describeEachStore('enroll_t_account', (db) => {
  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    ({ flow, mailer, ems } = gpsAccountFlow(db(), clock, { controlNumbers: ['H5600123', 'H5600999'] }));
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

  async function toReview(controlNumber = 'H5600123', card = citizenCard(1)): Promise<string> {
    const app = await flow.apply({ controlNumber }, applicant);
    await flow.submitBasicData(app.id, basicDataFor(controlNumber), applicant);
    await flow.bindCard(app.id, { holder: card, contact: { phone: '02-2345-6789', email: 'typed@example.com' } }, applicant);
    return app.id;
  }

  describe('account flow: happy path', () => {
    it('lists the applications under review for the reviewer, oldest first, and refuses unknown states', async () => {
      expect(await flow.listByStatus('underReview')).toEqual([]);
      const first = await toReview('H5600123', citizenCard(1));
      clock.advance(60_000);
      const second = await toReview('H5600999', citizenCard(2));
      const listed = await flow.listByStatus('underReview');
      expect(listed.map((a) => a.id)).toEqual([first, second]);
      expect(listed.every((a) => a.status === 'underReview')).toBe(true);
      await flow.approve(first, { role: 'reviewer', id: 'r1' });
      expect((await flow.listByStatus('underReview')).map((a) => a.id)).toEqual([second]);
      expect((await flow.listByStatus('approved')).map((a) => a.id)).toEqual([first]);
      await expect(flow.listByStatus('bogus' as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('goes draft → basicDataVerified → 審核中 → approved → active, auditing every step', async () => {
      const app = await flow.apply({ controlNumber: 'h5600123' }, applicant);
      expect(app).toMatchObject({ status: 'draft', controlNumber: 'H5600123', version: 0 });

      const verified = await flow.submitBasicData(app.id, basicDataFor(), applicant);
      expect(verified.status).toBe('basicDataVerified');
      expect(verified.emsComparison?.passed).toBe(true);

      const review = await flow.bindCard(
        app.id,
        { holder: citizenCard(1), contact: { phone: '02-2345-6789', email: 'typed@example.com' } },
        applicant,
      );
      expect(review.status).toBe('underReview');
      expect(await flow.listCards('H5600123')).toMatchObject([{ cardNumber: 'TP03000000000001', status: 'pending', holderName: '王小明1' }]);

      clock.advance(3_600_000);
      const approval = await flow.approve(app.id, reviewer, '資料相符');
      expect(approval.application.status).toBe('approved');
      expect(approval.sentTo).toBe('ems-h5600123@example.com.tw');
      expect(approval.expiresAt).toBe(new Date(clock.now().getTime() + 7 * DAY).toISOString());
      expect(mailer.sent).toHaveLength(1);
      const mail = mailer.last();
      expect(mail?.to).toBe('ems-h5600123@example.com.tw');
      expect(mail?.text).toContain('開通帳號權限');

      // Approved, link not yet clicked: the bound card is told the account is not open yet, not "not bound".
      expect((await expectCode(flow.resolveLogin(citizenCard(1)), 'NOT_AUTHORIZED')).refusal).toBe('ACCOUNT_NOT_YET_OPENED');
      expect((await expectCode(flow.resolveLogin(citizenCard(9)), 'NOT_AUTHORIZED')).refusal).toBe('CARD_NOT_BOUND');
      const active = await flow.activate(tokenFromMail(mail?.text ?? ''));
      expect(active.status).toBe('active');
      expect((await flow.listCards('H5600123'))[0]?.status).toBe('active');
      expect(await flow.resolveLogin(citizenCard(1))).toBe('H5600123');

      const trail = await readAuditTrail(db(), { flow: 'account', subject: app.id });
      expect(trail.map((e) => [e.event, e.from, e.to, e.actor.role])).toEqual([
        ['apply', 'none', 'draft', 'applicant'],
        ['submitBasicData', 'draft', 'basicDataVerified', 'applicant'],
        ['bindCard', 'basicDataVerified', 'underReview', 'applicant'],
        ['approve', 'underReview', 'approved', 'reviewer'],
        ['activate', 'approved', 'active', 'applicant'],
      ]);
      expect(trail[3]?.at).toBe('2026-03-02T02:00:00.000Z');

      // The persisted state survives a serialize/rehydrate round trip unchanged.
      const stored = await flow.get(app.id);
      expect(rehydrateState(serializeState({ flow: 'account', state: stored }))).toEqual({ flow: 'account', state: stored });
    });

    it('sends the activation link to the EMS facility e-mail, never to a typed address', async () => {
      const id = await toReview();
      // The company changed its EMS e-mail after applying: the current EMS value wins.
      ems.put({ ...basicDataFor(), facilityEmail: 'new-ems@example.com.tw' });
      const { sentTo } = await flow.approve(id, reviewer);
      expect(sentTo).toBe('new-ems@example.com.tw');
      expect(mailer.sent.map((m) => m.to)).toEqual(['new-ems@example.com.tw']);
      expect(mailer.to('typed@example.com')).toHaveLength(0);
      expect(mailer.to('typed-contact@example.com')).toHaveLength(0);
    });

    it('refuses approval when EMS has no facility e-mail, leaving the application under review', async () => {
      const id = await toReview();
      ems.records.delete('H5600123');
      await expectCode(flow.approve(id, reviewer), 'EMS_RECORD_MISSING');
      expect((await flow.get(id)).status).toBe('underReview');
    });
  });

  describe('account flow: the owner on the record', () => {
    it('names the actor that applied on every read (absent for applications from before owners were recorded)', async () => {
      const owner: Actor = { role: 'applicant', id: 'gps-account:0b6c2f4e-5d1a-4c3b-9e8f-7a6b5c4d3e2f' };
      const app = await flow.apply({ controlNumber: 'H5600123' }, owner);
      expect(app.ownerId).toBe(owner.id);
      await flow.submitBasicData(app.id, basicDataFor(), owner);
      await flow.bindCard(app.id, { holder: citizenCard(1), contact: { phone: '02-2345-6789', email: 'typed@example.com' } }, owner);
      expect((await flow.get(app.id)).ownerId).toBe(owner.id);
      expect((await flow.listByStatus('underReview')).map((a) => a.ownerId)).toEqual([owner.id]);
      expect((await flow.reviewQueue({ status: 'underReview' })).items.map((a) => a.ownerId)).toEqual([owner.id]);
      await flow.approve(app.id, reviewer);
      expect((await flow.activate(tokenFromMail(mailer.last()?.text ?? ''))).ownerId).toBe(owner.id);

      // A later session acts as the owner the account names: no table of the host's own is needed.
      const account = (await flow.history('H5600123')).find((a) => a.status === 'active');
      const asOwner: Actor = { role: 'applicant', id: account?.ownerId ?? '' };
      expect((await flow.addCard('H5600123', { holder: citizenCard(2), contact: { phone: '0912345678', email: 'b@example.com' } }, asOwner)).status).toBe('active');
      // The state document keeps it, and refuses one that is not text.
      const doc = serializeState({ flow: 'account', state: account as NonNullable<typeof account> });
      expect(rehydrateState(doc)).toEqual({ flow: 'account', state: account });
      const tampered = doc.replace(`"ownerId":"${owner.id}"`, '"ownerId":42');
      expect(tampered).not.toBe(doc);
      expect(() => rehydrateState(tampered)).toThrow(expect.objectContaining({ code: 'INVALID_STATE_DOCUMENT' }));

      // Made before owners were recorded: no owner on the record, and any applicant may act, as before.
      const legacy = await flow.apply({ controlNumber: 'H5600999' }, owner);
      await db().transaction((tx) => tx.query('UPDATE enroll_account_applications SET applicant_id = NULL WHERE id = $1', [legacy.id]));
      expect(Object.keys(await flow.get(legacy.id))).not.toContain('ownerId');
      expect((await flow.submitBasicData(legacy.id, basicDataFor('H5600999'), { role: 'applicant', id: 'anyone' })).status).toBe('basicDataVerified');
    });
  });

  describe('account flow: EMS mismatch (seed 審核未通過, 帳號申請結果)', () => {
    it('rejects with the per-field result and allows a new application after EMS is fixed', async () => {
      const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
      const typed = { ...basicDataFor(), facilityAddress: '臺北市中正區重慶南路一段999號' };
      const rejected = await flow.submitBasicData(app.id, typed, applicant);
      expect(rejected.status).toBe('emsRejected');
      expect(rejected.emsComparison).toEqual({
        passed: false,
        fields: {
          controlNumber: 'match',
          companyName: 'match',
          responsiblePerson: 'match',
          facilityAddress: 'mismatch',
          facilityEmail: 'match',
          mailingAddress: 'notCompared',
          contactName: 'notCompared',
          contactEmail: 'notCompared',
        },
      });
      await expectCode(flow.bindCard(app.id, { holder: citizenCard(1), contact: { phone: '0223456789', email: 'a@b.tw' } }, applicant), 'INVALID_TRANSITION');

      const again = await flow.apply({ controlNumber: 'H5600123' }, applicant);
      expect(again.id).not.toBe(app.id);
      expect((await flow.submitBasicData(again.id, basicDataFor(), applicant)).status).toBe('basicDataVerified');
      expect((await flow.history('H5600123')).map((a) => a.status).sort()).toEqual(['basicDataVerified', 'emsRejected']);
    });

    it('compares the facility e-mail as typed: a full-width one is not what EMS holds (完全一致才算通過)', async () => {
      const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
      const ascii = basicDataFor().facilityEmail;
      const wide = [...ascii].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
      const rejected = await flow.submitBasicData(app.id, { ...basicDataFor(), facilityEmail: `  ${wide} ` }, applicant);
      expect(rejected.status).toBe('emsRejected');
      expect(rejected.emsComparison?.fields.facilityEmail).toBe('mismatch');
      // Kept as typed (trimmed), as the comparison saw it.
      expect(rejected.basicData?.facilityEmail).toBe(wide);
    });

    it('requires every basic-data field and reports all missing ones at once', async () => {
      const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
      const err = await expectCode(
        flow.submitBasicData(app.id, { controlNumber: 'H5600123', companyName: '  ', facilityEmail: 'not-mail' }, applicant),
        'INVALID_INPUT',
      );
      const fields = (err as InvalidInputError).issues.map((i) => i.field);
      expect(fields).toEqual([
        'basicData.companyName',
        'basicData.responsiblePerson',
        'basicData.facilityAddress',
        'basicData.facilityEmail',
        'basicData.mailingAddress',
        'basicData.contactName',
        'basicData.contactEmail',
      ]);
      expect(ems.calls).toBe(0);
      expect((await flow.get(app.id)).status).toBe('draft');
    });

    it('refuses basic data for another control number', async () => {
      const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
      await expectCode(flow.submitBasicData(app.id, basicDataFor('H5600999'), applicant), 'INVALID_INPUT');
    });
  });

  describe('account flow: one card ↔ one control number', () => {
    it('refuses a card already bound to another control number and writes nothing', async () => {
      await toReview('H5600123', citizenCard(1));
      const other = await flow.apply({ controlNumber: 'H5600999' }, applicant);
      await flow.submitBasicData(other.id, basicDataFor('H5600999'), applicant);
      const before = await tableCounts(db());
      await expectCode(
        flow.bindCard(other.id, { holder: citizenCard(1), contact: { phone: '0223456789', email: 'x@y.tw' } }, applicant),
        'CARD_ALREADY_BOUND',
      );
      expect(await tableCounts(db())).toEqual(before);
      expect((await flow.get(other.id)).status).toBe('basicDataVerified');
    });

    it('treats the same certificate on another card number as the same card', async () => {
      await toReview('H5600123', citizenCard(1));
      const other = await flow.apply({ controlNumber: 'H5600999' }, applicant);
      await flow.submitBasicData(other.id, basicDataFor('H5600999'), applicant);
      const sameCert = citizenCard(2, { certificateSerial: citizenCard(1).certificateSerial });
      await expectCode(flow.bindCard(other.id, { holder: sameCert, contact: { phone: '0223456789', email: 'x@y.tw' } }, applicant), 'CARD_ALREADY_BOUND');
    });

    it('refuseBoundCard answers bindCard\'s CARD_ALREADY_BOUND by a read: a bound 卡號 or certificate is refused, a free card passes, nothing is written', async () => {
      const contact = { phone: '0223456789', email: 'x@y.tw' };
      await expect(flow.refuseBoundCard({ holder: citizenCard(1), contact })).resolves.toBeUndefined();
      await toReview('H5600123', citizenCard(1));
      const before = await tableCounts(db());
      await expectCode(flow.refuseBoundCard({ holder: citizenCard(1), contact }), 'CARD_ALREADY_BOUND');
      await expectCode(flow.refuseBoundCard({ holder: citizenCard(2, { certificateSerial: citizenCard(1).certificateSerial }), contact }), 'CARD_ALREADY_BOUND');
      await expect(flow.refuseBoundCard({ holder: citizenCard(2), contact })).resolves.toBeUndefined();
      // As bindCard: the form first, and a holder that is not from a verified login is not told anything.
      await expectCode(flow.refuseBoundCard({ holder: citizenCard(1), contact: { email: 'x@y.tw' } } as never), 'INVALID_INPUT');
      await expectCode(flow.refuseBoundCard({ holder: { ...citizenCard(1) }, contact }), 'NOT_AUTHORIZED');
      expect(await tableCounts(db())).toEqual(before);
    });

    it('lets one control number bind several cards after login, lists and removes them', async () => {
      const id = await toReview();
      await flow.approve(id, reviewer);
      await flow.activate(tokenFromMail(mailer.last()?.text ?? ''));
      await flow.addCard('H5600123', { holder: citizenCard(2), contact: { name: '李四', phone: '0912345678', email: 'b@example.com' } }, applicant);
      await flow.addCard('H5600123', { holder: citizenCard(3), contact: { phone: '0912345679', email: 'c@example.com' } }, applicant);
      // The typed 自然人憑證姓名 beside the certificate's own name, for a reviewer to compare (李四 is typed).
      expect((await flow.listCards('H5600123')).map((c) => [c.cardNumber, c.holderName, c.certificateName])).toEqual([
        ['TP03000000000001', '王小明1', '王小明1'],
        ['TP03000000000002', '李四', '王小明2'],
        ['TP03000000000003', '王小明3', '王小明3'],
      ]);
      const left = await flow.removeCard('H5600123', 'TP03000000000002', applicant);
      expect(left.map((c) => c.cardNumber)).toEqual(['TP03000000000001', 'TP03000000000003']);
      await expectCode(flow.removeCard('H5600123', 'TP03000000000002', applicant), 'NOT_FOUND');
      await flow.removeCard('H5600123', 'TP03000000000003', applicant);
      await expectCode(flow.removeCard('H5600123', 'TP03000000000001', applicant), 'LAST_CARD');
      // A removed card is free again, for this or another company.
      await flow.addCard('H5600123', { holder: citizenCard(2), contact: { phone: '0912345678', email: 'b@example.com' } }, applicant);
      const events = (await readAuditTrail(db(), { subject: id })).map((e) => e.event);
      expect(events.filter((e) => e === 'addCard')).toHaveLength(3);
      expect(events.filter((e) => e === 'removeCard')).toHaveLength(2);
    });

    it('refuses adding a card to a control number without an active account', async () => {
      await toReview();
      await expectCode(flow.addCard('H5600123', { holder: citizenCard(2), contact: { phone: '0912345678', email: 'b@x.tw' } }, applicant), 'NOT_FOUND');
    });

    it('refuses a renewed certificate at login until the binding is replaced', async () => {
      const id = await toReview();
      await flow.approve(id, reviewer);
      await flow.activate(tokenFromMail(mailer.last()?.text ?? ''));
      await expectCode(flow.resolveLogin(citizenCard(1, { certificateSerial: 'ffee01' })), 'NOT_AUTHORIZED');
    });
  });

  describe('account flow: review and activation failures', () => {
    it('reviewer rejection frees the card and mails the EMS address', async () => {
      const id = await toReview();
      const rejected = await flow.reject(id, reviewer, '負責人姓名與登記不符');
      expect(rejected).toMatchObject({ status: 'rejected', reviewNote: '負責人姓名與登記不符' });
      expect(mailer.last()).toMatchObject({ to: 'ems-h5600123@example.com.tw' });
      expect(mailer.last()?.text).toContain('帳號申請未通過');
      expect(await flow.listCards('H5600123')).toEqual([]);
      await toReview('H5600999', citizenCard(1));
    });

    it('a rejection after the facility left EMS stands, mails no one, and the audit says no one was told', async () => {
      const id = await toReview();
      ems.records.delete('H5600123');
      const sent = mailer.sent.length;
      expect((await flow.reject(id, reviewer, '事業已歇業')).status).toBe('rejected');
      expect(mailer.sent).toHaveLength(sent);
      const trail = await readAuditTrail(db(), { flow: 'account', subject: id });
      expect(trail.at(-1)?.reason).toBe('事業已歇業（未寄送通知：EMS 無事業電子郵件信箱）');
    });

    it('expired, used, unknown and malformed links each get their own error', async () => {
      const id = await toReview();
      await flow.approve(id, reviewer);
      const token = tokenFromMail(mailer.last()?.text ?? '');
      clock.advance(7 * DAY);
      const expired = await flow.activate(token).catch((err: unknown) => err);
      expect(expired).toMatchObject({ code: 'TOKEN_EXPIRED' });
      // What the person reads points at the remedy (a reissued link), not at applying again, which is refused.
      expect(defaultMessages.describe(expired).messages.zhTW).toBe('連結已逾期失效，請洽承辦人員重新寄送');
      await expectCode(flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'someone' }), 'APPLICATION_IN_PROGRESS');
      expect((await flow.get(id)).status).toBe('approved');

      const reissued = await flow.reissueActivation(id, reviewer);
      expect(reissued.application.status).toBe('approved');
      const fresh = tokenFromMail(mailer.last()?.text ?? '');
      await expectCode(flow.activate(token), 'TOKEN_INVALID');
      expect((await flow.activate(fresh)).status).toBe('active');
      await expectCode(flow.activate(fresh), 'TOKEN_USED');
      await expectCode(flow.activate('A'.repeat(43)), 'TOKEN_INVALID');
      await expectCode(flow.activate('short'), 'TOKEN_INVALID');
    });

    it('a link replaced before use is dead even before it expires', async () => {
      const id = await toReview();
      await flow.approve(id, reviewer);
      const first = tokenFromMail(mailer.last()?.text ?? '');
      await flow.reissueActivation(id, reviewer);
      await expectCode(flow.activate(first), 'TOKEN_INVALID');
    });

    it('stores only a hash of the activation token', async () => {
      const id = await toReview();
      await flow.approve(id, reviewer);
      const token = tokenFromMail(mailer.last()?.text ?? '');
      const rows = await db().transaction((tx) => tx.query('SELECT token_hash FROM enroll_activation_tokens'));
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('a failed mail send rolls the approval back', async () => {
      const id = await toReview();
      mailer.failNext();
      await expectCode(flow.approve(id, reviewer), 'MAIL_FAILED');
      expect((await flow.get(id)).status).toBe('underReview');
      expect((await tableCounts(db())).enroll_activation_tokens).toBe(0);
      expect((await flow.approve(id, reviewer)).application.status).toBe('approved');
    });

    it('one open application per control number; a draft never keeps it: a new application replaces it, audited', async () => {
      const stale = await flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'typed-the-number' });
      const fresh = await flow.apply({ controlNumber: 'H5600123' }, applicant);
      expect((await flow.get(stale.id)).status).toBe('abandoned');
      await expectCode(flow.submitBasicData(stale.id, basicDataFor('H5600123'), { role: 'applicant', id: 'typed-the-number' }), 'INVALID_TRANSITION');
      const trail = await readAuditTrail(db(), { flow: 'account', subject: stale.id });
      expect(trail.map((e) => [e.event, e.from, e.to, e.actor.id, e.reason])).toEqual([
        ['apply', 'none', 'draft', 'typed-the-number', 'H5600123'],
        ['abandon', 'draft', 'abandoned', applicant.id, '基本資料未送出，由新申請取代'],
      ]);
      // Past the EMS comparison the company has shown it knows its data: that application keeps the number…
      await flow.submitBasicData(fresh.id, basicDataFor('H5600123'), applicant);
      await expectCode(flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'someone' }), 'APPLICATION_IN_PROGRESS');
      clock.advance(DAY - 1);
      await expectCode(flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'someone' }), 'APPLICATION_IN_PROGRESS');
      // …for unfinishedTtlMs (default 24 h) without a card bound; then a new application replaces it too.
      clock.advance(1);
      const next = await flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'someone' });
      expect([(await flow.get(fresh.id)).status, next.status]).toEqual(['abandoned', 'draft']);
      expect((await flow.history('H5600123')).map((a) => a.status)).toEqual(['draft', 'abandoned', 'abandoned']);
    });

    it('the next step of a replaced application says a newer one for its 管制編號 replaced it (still INVALID_TRANSITION)', async () => {
      const first: Actor = { role: 'applicant', id: 'first-browser' };
      const replaced = async (p: Promise<unknown>, event: string) => {
        const err = await expectCode(p, 'INVALID_TRANSITION');
        expect(err).toBeInstanceOf(InvalidTransitionError);
        expect([err.refusal, (err as InvalidTransitionError).from, (err as InvalidTransitionError).event]).toEqual(['APPLICATION_REPLACED', 'abandoned', event]);
        expect(defaultMessages.describe(err).messages.zhTW).toBe('此帳號申請已由相同管制編號之新申請取代，無法繼續填寫；如需申請，請重新輸入管制編號送出申請');
        expect(err.message).toContain('event "' + event + '" is not allowed in state "abandoned"');
      };
      // A draft replaced at once: its 基本資料填寫.
      const draft = await flow.apply({ controlNumber: 'H5600123' }, first);
      await flow.apply({ controlNumber: 'H5600123' }, applicant);
      await replaced(flow.submitBasicData(draft.id, basicDataFor('H5600123'), first), 'submitBasicData');
      // A verified application replaced after unfinishedTtlMs: its 自然人憑證綁定.
      const verified = await flow.apply({ controlNumber: 'H5600999' }, first);
      await flow.submitBasicData(verified.id, basicDataFor('H5600999'), first);
      clock.advance(DAY);
      await flow.apply({ controlNumber: 'H5600999' }, applicant);
      await replaced(flow.bindCard(verified.id, { holder: citizenCard(1), contact: { phone: '0223456789', email: 'a@b.tw' } }, first), 'bindCard');
      expect(await flow.listCards('H5600999')).toEqual([]);
      // Someone else's replaced application is still theirs: the owner check comes first, and says nothing of it.
      const other = await expectCode(flow.submitBasicData(draft.id, basicDataFor('H5600123'), { role: 'applicant', id: 'stranger' }), 'FORBIDDEN');
      expect(other.refusal).toBeUndefined();
      // Other refused steps keep the generic wording: only the replaced state has this cause.
      const early = await flow.apply({ controlNumber: 'H5600123' }, applicant);
      const generic = await expectCode(flow.approve(early.id, reviewer), 'INVALID_TRANSITION');
      expect([generic.refusal, defaultMessages.describe(generic).key]).toEqual([undefined, 'enroll.INVALID_TRANSITION']);
    });

    it('an application under review or further along keeps its control number for good', async () => {
      await toReview();
      clock.advance(400 * DAY);
      await expectCode(flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'someone' }), 'APPLICATION_IN_PROGRESS');
    });

    it('refuses events the table does not allow', async () => {
      const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
      await expectCode(flow.approve(app.id, reviewer), 'INVALID_TRANSITION');
      await expectCode(flow.reject(app.id, reviewer, 'x'), 'INVALID_TRANSITION');
      await expectCode(flow.reissueActivation(app.id, reviewer), 'INVALID_TRANSITION');
      await expectCode(flow.bindCard(app.id, { holder: citizenCard(1), contact: { phone: '0223456789', email: 'a@b.tw' } }, applicant), 'INVALID_TRANSITION');
    });
  });

  describe('account flow: bad input at every command', () => {
    const contact = { phone: '0223456789', email: 'a@b.tw' };
    it.each([
      ['apply: control number', () => flow.apply({ controlNumber: '12' }, applicant)],
      ['apply: missing input', () => flow.apply(undefined as never, applicant)],
      ['apply: actor', () => flow.apply({ controlNumber: 'H5600123' }, { role: 'hacker', id: '' } as never)],
      ['submitBasicData: id', () => flow.submitBasicData("1' OR 1=1", basicDataFor(), applicant)],
      ['submitBasicData: data', () => flow.submitBasicData('00000000-0000-4000-8000-000000000000', null, applicant)],
      ['bindCard: holder', () => flow.bindCard('00000000-0000-4000-8000-000000000000', { holder: null as never, contact }, applicant)],
      ['bindCard: company card', () => flow.bindCard('00000000-0000-4000-8000-000000000000', { holder: citizenCard(1, { authority: 'MOEACA' }), contact }, applicant)],
      ['bindCard: no card number', () => flow.bindCard('00000000-0000-4000-8000-000000000000', { holder: { ...citizenCard(1), cardNumber: undefined }, contact }, applicant)],
      ['bindCard: contact', () => flow.bindCard('00000000-0000-4000-8000-000000000000', { holder: citizenCard(1), contact: { phone: 'abc', email: 'x' } }, applicant)],
      ['approve: id', () => flow.approve('nope', reviewer)],
      ['approve: empty note', () => flow.approve('00000000-0000-4000-8000-000000000000', reviewer, '  ')],
      ['reject: reason', () => flow.reject('00000000-0000-4000-8000-000000000000', reviewer, '')],
      ['reissueActivation: id', () => flow.reissueActivation('', reviewer)],
      ['addCard: control number', () => flow.addCard('???', { holder: citizenCard(1), contact }, applicant)],
      ['removeCard: card number', () => flow.removeCard('H5600123', 'x', applicant)],
      ['listCards: control number', () => flow.listCards('')],
      ['resolveLogin: holder', () => flow.resolveLogin({ authority: 'MOICA' } as never)],
      ['get: id', () => flow.get('1')],
    ])('%s → INVALID_INPUT', async (_name, call) => {
      await expectCode(call(), 'INVALID_INPUT');
    });

    it('bindCard, addCard and resolveLogin refuse a holder that did not come from a verified login, changing nothing', async () => {
      const id = await toReview('H5600123', citizenCard(1));
      await flow.approve(id, reviewer);
      await flow.activate(tokenFromMail(mailer.sent.at(-1)?.text ?? ''));
      const other = await flow.apply({ controlNumber: 'H5600999' }, applicant);
      await flow.submitBasicData(other.id, basicDataFor('H5600999'), applicant);
      // Serials and card numbers are public: a JSON copy of the bound card's holder, or one typed from them.
      const copies = [JSON.parse(JSON.stringify(citizenCard(1))) as VerifiedCardHolder, { ...citizenCard(2) }];
      for (const holder of copies) {
        for (const call of [
          () => flow.resolveLogin(holder),
          () => flow.bindCard(other.id, { holder, contact }, applicant),
          () => flow.addCard('H5600123', { holder, contact }, applicant),
        ]) {
          const err = await expectCode(call(), 'NOT_AUTHORIZED');
          expect(err.refusal).toBe('VERIFIED_LOGIN_REQUIRED');
        }
      }
      expect((await flow.listCards('H5600123')).map((c) => c.cardNumber)).toEqual(['TP03000000000001']);
      expect((await flow.get(other.id)).status).toBe('basicDataVerified');
      expect(await flow.resolveLogin(citizenCard(1))).toBe('H5600123');
    });

    it('an activationLink that returns no text fails the approval before anything is mailed or changed', async () => {
      const id = await toReview();
      const odd = gpsAccountFlow(db(), clock, { extra: { activationLink: (() => 42) as never } });
      await expect(odd.flow.approve(id, reviewer)).rejects.toThrow('AccountEnrollmentFlow: option activationLink must return the link as text, not 42');
      expect(odd.mailer.sent).toEqual([]);
      expect((await flow.get(id)).status).toBe('underReview');
    });

    it('an unknown application is NOT_FOUND', async () => {
      await expectCode(flow.get('00000000-0000-4000-8000-000000000000'), 'NOT_FOUND');
      await expectCode(flow.approve('00000000-0000-4000-8000-000000000000', reviewer), 'NOT_FOUND');
    });
  });
});
