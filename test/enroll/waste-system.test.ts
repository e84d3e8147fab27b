/**
 * The waste system through the public API, on both stores: 帳號申請 with 載入,
 * the printable 申請書, uploads, review (queue, approve, reject), the 驗證碼
 * mailed to the 承辦人, 啟用 → 綁定成功, and card login with real certificates.
 */
import { createHash } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CapturingMailer,
  LoginEnablementFlow,
  ManualClock,
  WasteSystemFlow,
  joinTransaction,
  readAuditTrail,
  type EnrollStore,
  type WasteSystemOptions,
} from '../../src/enroll/index.js';
import { describeEachStore, enrollFailure, tableCounts } from './helpers.js';
import {
  APPLICANT,
  CITIZEN_CARD_NO,
  COMPANY,
  COMPANY_CARD_NO,
  JPEG,
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
beforeAll(async () => {
  rig = await cardRig();
}, 120_000);

describeEachStore('enroll_t_waste', (db) => {
  let clock: ManualClock;
  let mailer: CapturingMailer;
  let flow: WasteSystemFlow;
  const make = (store: EnrollStore, extra: Partial<WasteSystemOptions> = {}): WasteSystemFlow =>
    new WasteSystemFlow({ store, clock, mailer, companies: registry, activationPage: 'https://waste.example.gov.tw/CertEnable', ...extra });

  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    mailer = new CapturingMailer();
    flow = make(db());
  });

  it('runs the whole seed: 載入 → 申請 → 列印 → 上傳 → 審核 → 驗證碼 → 啟用 → 綁定成功 → 憑證登入', async () => {
    // 載入 fills the form from the company registry.
    const prefill = await flow.loadCompany(COMPANY.businessId);
    expect(prefill).toEqual({
      businessId: COMPANY.businessId,
      companyName: '測試環保股份有限公司',
      representativeName: '林大同',
      // parts: the registry's address as the form's 縣市 / 鄉鎮市區 selects and its text box take it.
      registeredAddress: {
        postalCode: '100',
        address: '臺北市中正區重慶南路一段122號',
        parts: { county: '臺北市', district: '中正區', address: '重慶南路一段122號' },
      },
    });
    const app = await flow.apply(form({ companyName: prefill.companyName, representativeName: prefill.representativeName }), APPLICANT);
    expect(app).toMatchObject({
      status: 'awaitingDocuments',
      businessId: COMPANY.businessId,
      controlNumber: COMPANY.controlNumber,
      mailingAddress: { postalCode: '100', address: '臺北市中正區重慶南路一段122號' },
      contactPhone1: { number: '02-2311-7722', extension: '2301' },
      contactPhone2: { number: '0912-345-678' },
      methods: { citizenCard: 'enabled', companyCard: 'enabled' },
    });
    // 列印申請表
    const html = await flow.printableForm(app.id, APPLICANT, { systemName: '事業廢棄物申報' });
    for (const label of ['網路帳號密碼申請書', '營利事業統一編號', '廢棄物管制編號', '負責人身分證字號', '營利事業通訊地址', '承辦人傳真號碼', '自然人憑證登入', '工商憑證登入']) {
      expect(html).toContain(label);
    }
    expect(html).toContain('☑ 啟用');
    expect(html).toContain(app.id);
    expect(html).toContain('申請日期：2026-03-02');
    // 掃描上傳 and 送出
    const stamped = await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF, fileName: 'stamped.pdf' }, APPLICANT);
    expect(stamped).toMatchObject({ kind: 'applicationForm', mediaType: 'application/pdf', size: PDF.length, fileName: 'stamped.pdf' });
    expect(stamped.sha256).toBe(createHash('sha256').update(PDF).digest('hex'));
    await flow.uploadDocument(app.id, { kind: 'businessRegistration', content: JPEG }, APPLICANT);
    expect((await flow.submitForReview(app.id, APPLICANT)).status).toBe('underReview');
    // The reviewer's queue and the documents.
    const queue = await flow.reviewQueue({ status: 'underReview' });
    expect(queue.total).toBe(1);
    expect(queue.items[0]?.id).toBe(app.id);
    const copy = await flow.getDocument(app.id, 'businessRegistration', REVIEWER);
    expect(copy.mediaType).toBe('image/jpeg');
    expect(Buffer.from(copy.content).equals(Buffer.from(JPEG))).toBe(true);
    expect((await flow.listDocuments(app.id, REVIEWER)).map((d) => d.kind)).toEqual(['applicationForm', 'businessRegistration']);
    // No 驗證碼 before approval.
    expect(mailer.sent).toHaveLength(0);
    const approved = await flow.approve(app.id, REVIEWER, '文件齊全');
    expect(approved.application).toMatchObject({ status: 'approved', reviewNote: '文件齊全' });
    expect([approved.mailedTo, approved.codeSent]).toEqual(['contact@example.com.tw', true]);
    expect(approved.login.status).toBe('awaitingBinding');
    const mail = mailer.last();
    expect(mail?.to).toBe('contact@example.com.tw');
    expect(mail?.text).toContain('申請憑證登入後所取得之驗證碼');
    expect(mail?.text).toContain('https://waste.example.gov.tw/CertEnable');
    expect(mail?.text).toMatch(/\(有效期限至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（臺灣時間）\)/);
    const code = codeFromMail(mail?.text ?? '');
    // 啟用 with 統一編號 + 管制編號 + 驗證碼 + card → 綁定成功
    const citizen = await rig.login(rig.citizen, CITIZEN_CARD_NO);
    const bound = await flow.activate({ ...COMPANY, verificationCode: code, holder: citizen }, APPLICANT);
    expect(bound.notice).toBe('綁定成功');
    expect(bound.binding).toMatchObject({ method: 'citizenCard', cardNumber: CITIZEN_CARD_NO, holderName: '王小明' });
    const companyCard = await rig.login(rig.company, COMPANY_CARD_NO);
    expect((await flow.activate({ ...COMPANY, verificationCode: code, holder: companyCard }, APPLICANT)).binding.method).toBe('companyCard');
    // 憑證登入 with either card.
    expect((await flow.login(await rig.login(rig.citizen, CITIZEN_CARD_NO))).account).toMatchObject({ businessId: COMPANY.businessId, status: 'bound' });
    expect((await flow.login(await rig.login(rig.company, COMPANY_CARD_NO))).binding.method).toBe('companyCard');
    // Audited; no code and no password in the database.
    const events = (await readAuditTrail(db(), { flow: 'wasteApplication', subject: app.id })).map((e) => `${e.event}:${e.from}>${e.to}`);
    expect(events).toEqual([
      'apply:none>awaitingDocuments',
      'uploadDocument:awaitingDocuments>awaitingDocuments',
      'uploadDocument:awaitingDocuments>awaitingDocuments',
      'submitForReview:awaitingDocuments>underReview',
      'approve:underReview>approved',
    ]);
    const dump = await db().transaction(async (tx) =>
      JSON.stringify([await tx.query('SELECT * FROM enroll_waste_applications'), await tx.query('SELECT * FROM enroll_login_accounts')]),
    );
    expect(dump).not.toContain(code);
    const columns = await db().transaction((tx) =>
      tx.query(`SELECT column_name FROM information_schema.columns WHERE table_name IN ('enroll_waste_applications','enroll_login_accounts') AND column_name LIKE '%password%'`),
    );
    expect(columns).toEqual([]);
  });

  it('works without a 管制編號 (沒有就請空白)', async () => {
    const { code } = await approvedApplication(flow, mailer, { controlNumber: '' });
    expect(mailer.last()?.text).not.toContain('管制編號 E');
    const b = await flow.activate({ businessId: COMPANY.businessId, verificationCode: code, holder: await rig.login(rig.citizen, CITIZEN_CARD_NO) }, APPLICANT);
    expect(b.binding.controlNumber).toBeUndefined();
  });

  it('both login methods 停用 (the 申請書 stars neither row): applied, printed, approved without a 驗證碼; a later 申請書 ticking one gets its code', async () => {
    const none = { methods: { citizenCard: 'disabled', companyCard: 'disabled' } };
    const app = await flow.apply(form(none), APPLICANT);
    expect(app.methods).toEqual({ citizenCard: 'disabled', companyCard: 'disabled' });
    expect(await flow.printableForm(app.id, APPLICANT)).toContain('☐ 啟用　☑ 停用');
    await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
    await flow.uploadDocument(app.id, { kind: 'businessRegistration', content: JPEG }, APPLICANT);
    await flow.submitForReview(app.id, APPLICANT);
    const approved = await flow.approve(app.id, REVIEWER);
    expect(approved).toMatchObject({ application: { status: 'approved' }, login: { methods: { citizenCard: 'disabled', companyCard: 'disabled' } }, mailedTo: 'contact@example.com.tw', codeSent: false });
    const mail = mailer.last();
    expect(mail?.subject).toContain('帳號申請審核通過');
    expect(mail?.text).toContain('自然人憑證登入及工商憑證登入皆為停用');
    expect(mail?.text).not.toMatch(/驗證碼：/);
    const trail = (await readAuditTrail(db(), { flow: 'wasteApplication', subject: app.id })).filter((e) => e.event === 'approve');
    expect(trail.map((e) => e.reason)).toEqual(['approval mailed to contact@example.com.tw without a 驗證碼 (both login methods 停用)']);
    // A resend says the same: no code.
    const resent = await flow.resendVerificationCode(COMPANY, REVIEWER);
    expect(resent.codeSent).toBe(false);
    expect(mailer.last()?.text).not.toMatch(/驗證碼：/);
    // No card can be enabled for it, even with the real code (never mailed, but a reviewer can reissue it through
    // LoginEnablementFlow on the same store): both methods are 停用.
    const holder = await rig.login(rig.citizen, CITIZEN_CARD_NO);
    const { verificationCode } = await new LoginEnablementFlow({ store: db(), clock }).reissueVerificationCode(COMPANY, REVIEWER);
    expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode, holder }, APPLICANT))).code).toBe('LOGIN_METHOD_DISABLED');
    // Certificate login later: a new 申請書 ticking 啟用, reviewed like the first.
    const later = await approvedApplication(flow, mailer, { methods: { citizenCard: 'enabled', companyCard: 'disabled' } });
    expect((await flow.activate({ ...COMPANY, verificationCode: later.code, holder }, APPLICANT)).binding.method).toBe('citizenCard');
  });

  describe('review', () => {
    it('reject with a reason: mailed, no 驗證碼, the company may apply again', async () => {
      const app = await flow.apply(form(), APPLICANT);
      await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
      await flow.uploadDocument(app.id, { kind: 'businessRegistration', content: PDF }, APPLICANT);
      await flow.submitForReview(app.id, APPLICANT);
      expect((await enrollFailure(flow.reject(app.id, REVIEWER, '  '))).code).toBe('INVALID_INPUT');
      const rejected = await flow.reject(app.id, REVIEWER, '申請書未用印');
      expect(rejected).toMatchObject({ status: 'rejected', reviewNote: '申請書未用印' });
      expect(mailer.last()).toMatchObject({ to: 'contact@example.com.tw' });
      expect(mailer.last()?.text).toContain('審核未通過，原因：申請書未用印');
      expect(mailer.last()?.text).not.toMatch(/驗證碼：/);
      expect((await enrollFailure(flow.approve(app.id, REVIEWER))).code).toBe('INVALID_TRANSITION');
      expect((await enrollFailure(flow.loginRecord(COMPANY))).code).toBe('NOT_FOUND');
      expect((await enrollFailure(flow.resendVerificationCode(COMPANY, APPLICANT))).code).toBe('NOT_FOUND');
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: 'ABCDEFGHJK', holder: await rig.login(rig.citizen, CITIZEN_CARD_NO) }, APPLICANT))).code).toBe(
        'VERIFICATION_CODE_INVALID',
      );
      expect((await flow.apply(form(), APPLICANT)).status).toBe('awaitingDocuments');
    });

    it('an application whose documents never came does not keep the company for ever: after unfinishedTtlMs a new one replaces it', async () => {
      // The first applicant (a portal session) is gone; nobody else may upload to its application.
      const gone = { role: 'applicant', id: 'waste-applicant:session-that-ended' } as const;
      const first = await flow.apply(form(), gone);
      await flow.uploadDocument(first.id, { kind: 'applicationForm', content: PDF }, gone);
      const DAY = 86_400_000;
      clock.advance(30 * DAY - 1);
      expect((await enrollFailure(flow.apply(form(), APPLICANT))).code).toBe('APPLICATION_IN_PROGRESS');
      clock.advance(1);
      const next = await flow.apply(form(), APPLICANT);
      expect(next.status).toBe('awaitingDocuments');
      expect((await flow.get(first.id, REVIEWER)).status).toBe('abandoned');
      expect((await enrollFailure(flow.uploadDocument(first.id, { kind: 'businessRegistration', content: PDF }, gone))).code).toBe('INVALID_TRANSITION');
      const trail = await readAuditTrail(db(), { flow: 'wasteApplication', subject: first.id });
      expect(trail.map((e) => [e.event, e.to, e.actor.id])).toEqual([
        ['apply', 'awaitingDocuments', gone.id],
        ['uploadDocument', 'awaitingDocuments', gone.id],
        ['abandon', 'abandoned', APPLICANT.id],
      ]);
      // An application under review is the staff's to decide: it keeps the company however long it waits.
      await flow.uploadDocument(next.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
      await flow.uploadDocument(next.id, { kind: 'businessRegistration', content: PDF }, APPLICANT);
      await flow.submitForReview(next.id, APPLICANT);
      clock.advance(400 * DAY);
      expect((await enrollFailure(flow.apply(form(), APPLICANT))).code).toBe('APPLICATION_IN_PROGRESS');
      // The period is an option, checked when the flow is built.
      expect(() => make(db(), { unfinishedTtlMs: 0 })).toThrow(/unfinishedTtlMs/);
    });

    it('one open application per company; approve only after submission; only reviewers decide (audited)', async () => {
      const app = await flow.apply(form(), APPLICANT);
      expect((await enrollFailure(flow.apply(form(), APPLICANT))).code).toBe('APPLICATION_IN_PROGRESS');
      expect((await enrollFailure(flow.approve(app.id, REVIEWER))).code).toBe('INVALID_TRANSITION');
      const forbidden = await enrollFailure(flow.approve(app.id, APPLICANT));
      expect(forbidden.code).toBe('FORBIDDEN');
      expect((await enrollFailure(flow.apply(form(), REVIEWER))).code).toBe('FORBIDDEN');
      const stranger = { role: 'applicant', id: 'someone-else' } as const;
      expect((await enrollFailure(flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF }, stranger))).code).toBe('FORBIDDEN');
      expect((await enrollFailure(flow.getDocument(app.id, 'applicationForm', stranger))).code).toBe('FORBIDDEN');
      expect((await enrollFailure(flow.printableForm(app.id, stranger))).code).toBe('FORBIDDEN');
      const refusals = (await readAuditTrail(db(), { flow: 'wasteApplication' })).filter((e) => e.event.startsWith('forbidden:')).map((e) => e.event);
      expect(refusals).toEqual(['forbidden:approve', 'forbidden:apply', 'forbidden:uploadDocument', 'forbidden:readApplication', 'forbidden:readApplication']);
      expect((await enrollFailure(flow.get('00000000-0000-4000-8000-000000000000', REVIEWER))).code).toBe('NOT_FOUND');
    });

    it('submission needs both documents (DOCUMENTS_MISSING); nothing can be uploaded after it', async () => {
      const app = await flow.apply(form(), APPLICANT);
      const none = await enrollFailure(flow.submitForReview(app.id, APPLICANT));
      expect(none.code).toBe('DOCUMENTS_MISSING');
      expect(none.message).toBe('請上傳用印申請書及公司營利事業登記証影本');
      await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
      expect((await enrollFailure(flow.submitForReview(app.id, APPLICANT))).message).toBe('請上傳公司營利事業登記証影本');
      expect((await enrollFailure(flow.getDocument(app.id, 'businessRegistration', REVIEWER))).code).toBe('NOT_FOUND');
      await flow.uploadDocument(app.id, { kind: 'businessRegistration', content: PDF }, APPLICANT);
      await flow.submitForReview(app.id, APPLICANT);
      expect((await enrollFailure(flow.uploadDocument(app.id, { kind: 'applicationForm', content: JPEG }, APPLICANT))).code).toBe('INVALID_TRANSITION');
      expect((await flow.getDocument(app.id, 'applicationForm', APPLICANT)).mediaType).toBe('application/pdf');
    });

    it('the queue lists by status, oldest first, paged, filtered by date', async () => {
      const ids: string[] = [];
      for (const [i, bid] of ['04595257', '22099131', '12345675'].entries()) {
        clock.set(`2026-03-0${i + 2}T01:00:00Z`);
        ids.push((await flow.apply(form({ businessId: bid }), APPLICANT)).id);
      }
      const page = await flow.reviewQueue({ status: 'awaitingDocuments', limit: 2 });
      expect(page.total).toBe(3);
      expect(page.items.map((a) => a.id)).toEqual(ids.slice(0, 2));
      expect((await flow.reviewQueue({ status: 'awaitingDocuments', limit: 2, offset: 2 })).items.map((a) => a.id)).toEqual(ids.slice(2));
      const window = await flow.reviewQueue({ status: 'awaitingDocuments', createdFrom: '2026-03-03T00:00:00Z', createdBefore: '2026-03-04T00:00:00Z' });
      expect(window.items.map((a) => a.id)).toEqual([ids[1]]);
      expect((await flow.reviewQueue({ status: 'underReview' })).total).toBe(0);
      expect((await enrollFailure(flow.reviewQueue({ status: 'bound' as never }))).code).toBe('INVALID_INPUT');
    });

    it('a mail failure rolls the approval back: still underReview, no 驗證碼 anywhere', async () => {
      const app = await flow.apply(form(), APPLICANT);
      await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
      await flow.uploadDocument(app.id, { kind: 'businessRegistration', content: PDF }, APPLICANT);
      await flow.submitForReview(app.id, APPLICANT);
      mailer.failNext();
      expect((await enrollFailure(flow.approve(app.id, REVIEWER))).code).toBe('MAIL_FAILED');
      expect((await flow.get(app.id, REVIEWER)).status).toBe('underReview');
      expect((await enrollFailure(flow.loginRecord(COMPANY))).code).toBe('NOT_FOUND');
      mailer.failNext();
      expect((await enrollFailure(flow.reject(app.id, REVIEWER, '資料不符'))).code).toBe('MAIL_FAILED');
      expect((await flow.get(app.id, REVIEWER)).status).toBe('underReview');
      await flow.approve(app.id, REVIEWER);
    });

    it('a second approved application renews the code and the methods, and keeps the bound cards', async () => {
      const first = await approvedApplication(flow, mailer);
      await flow.activate({ ...COMPANY, verificationCode: first.code, holder: await rig.login(rig.citizen, CITIZEN_CARD_NO) }, APPLICANT);
      const second = await approvedApplication(flow, mailer, { methods: { citizenCard: 'enabled', companyCard: 'disabled' } });
      expect(second.code).not.toBe(first.code);
      const record = await flow.loginRecord(COMPANY);
      expect(record.account).toMatchObject({ status: 'bound', methods: { citizenCard: 'enabled', companyCard: 'disabled' } });
      expect(record.bindings).toHaveLength(1);
      const holder = await rig.login(rig.company, COMPANY_CARD_NO);
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: first.code, holder }, APPLICANT))).code).toBe('VERIFICATION_CODE_INVALID');
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: second.code, holder }, APPLICANT))).code).toBe('LOGIN_METHOD_DISABLED');
    });
  });

  describe('races', () => {
    it('20 concurrent applications of one company: exactly one is open', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => flow.apply(form(), APPLICANT).then(() => 'ok', (e: unknown) => (e as { code?: string }).code)),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'APPLICATION_IN_PROGRESS')).toHaveLength(19);
    });

    it('concurrent approve and reject of one application: one decision, one mail', async () => {
      const app = await flow.apply(form(), APPLICANT);
      await flow.uploadDocument(app.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
      await flow.uploadDocument(app.id, { kind: 'businessRegistration', content: PDF }, APPLICANT);
      await flow.submitForReview(app.id, APPLICANT);
      const outcomes = await Promise.all([
        ...Array.from({ length: 5 }, () => flow.approve(app.id, REVIEWER).then(() => 'approved', (e: unknown) => (e as { code?: string }).code)),
        ...Array.from({ length: 5 }, () => flow.reject(app.id, REVIEWER, '不符').then(() => 'rejected', (e: unknown) => (e as { code?: string }).code)),
      ]);
      expect(outcomes.filter((o) => o === 'approved' || o === 'rejected')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'INVALID_TRANSITION')).toHaveLength(9);
      expect(mailer.sent).toHaveLength(1);
    });
  });

  describe("caller's transaction", () => {
    beforeEach(async () => {
      await db().transaction((tx) => tx.query('CREATE TABLE IF NOT EXISTS team_waste_notes (application_id text PRIMARY KEY, note text NOT NULL)'));
      await db().transaction((tx) => tx.query('DELETE FROM team_waste_notes'));
    });

    it("the caller's own insert fails after the commands → nothing of them remains", async () => {
      const before = await tableCounts(db());
      const outcome = await db()
        .transaction(async (tx) => {
          const joined = make(joinTransaction(tx));
          const app = await joined.apply(form(), APPLICANT);
          await joined.uploadDocument(app.id, { kind: 'applicationForm', content: PDF }, APPLICANT);
          await joined.uploadDocument(app.id, { kind: 'businessRegistration', content: PDF }, APPLICANT);
          await joined.submitForReview(app.id, APPLICANT);
          await joined.approve(app.id, REVIEWER);
          await tx.query('INSERT INTO team_waste_notes VALUES ($1, $2)', [app.id, 'a']);
          await tx.query('INSERT INTO team_waste_notes VALUES ($1, $2)', [app.id, 'duplicate']);
        })
        .then(
          () => 'committed',
          (e: unknown) => (e as { code?: string }).code,
        );
      expect(outcome).toBe('23505');
      expect(await tableCounts(db())).toEqual(before);
      // The mailed code of the rolled-back approval is simply invalid.
      const code = codeFromMail(mailer.last()?.text ?? '');
      expect((await enrollFailure(flow.activate({ ...COMPANY, verificationCode: code, holder: await rig.login(rig.citizen, CITIZEN_CARD_NO) }, APPLICANT))).code).toBe(
        'VERIFICATION_CODE_INVALID',
      );
    });

    it('commands and the caller’s insert commit together', async () => {
      const id = await db().transaction(async (tx) => {
        const app = await make(joinTransaction(tx)).apply(form(), APPLICANT);
        await tx.query('INSERT INTO team_waste_notes VALUES ($1, $2)', [app.id, '客服備註']);
        return app.id;
      });
      expect((await flow.get(id, APPLICANT)).status).toBe('awaitingDocuments');
      expect(await db().transaction((tx) => tx.query('SELECT note FROM team_waste_notes'))).toEqual([{ note: '客服備註' }]);
    });
  });
});
