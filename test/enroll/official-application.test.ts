/**
 * The My E-Government official account application (seed emic…, 申請公務帳號步驟
 * 1–7): member reference, 查詢機關OID, the automatic personnel check, the
 * manual route with the printable 申請書, the one-working-day review, the
 * notices, and every failure the seed names — on both stores, through the
 * public API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  ManualClock,
  OfficialAccountFlow,
  StaticAgencyDirectory,
  CapturingMailer,
  joinTransaction,
  readAuditTrail,
  renderOfficialApplicationForm,
  type Actor,
  type AgencyOid,
  type EnrollStore,
  type Mailer,
} from '../../src/enroll/index.js';
import { describeEachStore, enrollFailure, tableCounts } from './helpers.js';
import { FakePersonnelSystem, NFA, claire, host, member, reviewer } from './official-fixtures.js';

const MOI = '2.16.886.101.20003';
const NIA = '2.16.886.101.20003.20001.20009';
const directory = new StaticAgencyDirectory([
  { oid: MOI as AgencyOid, name: '內政部' },
  { oid: NFA as AgencyOid, name: '內政部消防署' },
  { oid: NIA as AgencyOid, name: '內政部移民署' },
]);
const stranger: Actor = { role: 'applicant', id: 'someone-else' };
const applyInput = (agencyOid = NFA) => ({ memberId: 'clairesu1234', agencyOid, reason: '公務人員', attested: true });

async function code(p: Promise<unknown>): Promise<string> {
  return (await enrollFailure(p)).code;
}

async function fields(p: Promise<unknown>): Promise<string[]> {
  const err = await enrollFailure(p);
  expect(err).toBeInstanceOf(InvalidInputError);
  return (err as InvalidInputError).issues.map((i) => i.field);
}

describeEachStore('enroll_t_official_app', (db) => {
  let clock: ManualClock;
  let mailer: CapturingMailer;
  let personnel: FakePersonnelSystem;
  let flow: OfficialAccountFlow;
  const flowOn = (store: EnrollStore, extra: { mailer?: Mailer } = {}): OfficialAccountFlow =>
    new OfficialAccountFlow({ store, clock, agencies: directory, personnel, mailer: extra.mailer ?? mailer });

  beforeEach(async () => {
    // Monday 2026-03-02 09:00 Taipei.
    clock = new ManualClock('2026-03-02T01:00:00Z');
    mailer = new CapturingMailer();
    personnel = new FakePersonnelSystem();
    personnel.records.push({ name: '張美善', nationalId: 'A226812638', agencyOid: NFA });
    flow = flowOn(db());
    await flow.syncMember(claire, host);
  });

  describe('member reference (一般帳號 → 一般民眾 / 公務人員)', () => {
    it('the host registers a general member; synchronizing another e-mail updates it and keeps the type', async () => {
      expect(await flow.member('clairesu1234')).toMatchObject({ name: '張美善', nationalId: 'A226812638', memberType: 'citizen' });
      expect((await flow.member('clairesu1234')).agencyOid).toBeUndefined();
      const again = await flow.syncMember({ ...claire, email: 'claire@example.com' }, member);
      expect(again).toMatchObject({ email: 'claire@example.com', memberType: 'citizen', version: 1 });
      expect(await code(flow.member('nobody1'))).toBe('NOT_FOUND');
    });

    it('a 公務人員 whose name or ID changes is 一般民眾 again, and applications still under review are cancelled', async () => {
      expect((await flow.apply(applyInput(), member)).status).toBe('approved');
      // Another e-mail keeps the type: the personnel check did not cover it.
      expect(await flow.syncMember({ ...claire, email: 'claire@example.com' }, host)).toMatchObject({ memberType: 'official', agencyOid: NFA });
      clock.advance(60_000);
      const moving = await flow.apply(applyInput(NIA), member);
      expect([moving.status, moving.item]).toEqual(['manualReview', '公務人員轉換機關']);
      // The same name and ID in another spelling (lower-case ID) are not a change.
      expect((await flow.syncMember({ ...claire, nationalId: claire.nationalId.toLowerCase() }, host)).memberType).toBe('official');
      expect((await flow.get(moving.id)).status).toBe('manualReview');

      const renamed = await flow.syncMember({ ...claire, name: '張美美' }, host);
      expect(renamed).toMatchObject({ name: '張美美', memberType: 'citizen' });
      expect([renamed.agencyOid, renamed.agencyName]).toEqual([undefined, undefined]);
      expect((await flow.get(moving.id)).status).toBe('cancelled');
      // A reviewer can no longer approve what was checked under the old name.
      expect(await code(flow.approve(moving.id, reviewer))).toBe('INVALID_TRANSITION');
      expect((await flow.member('clairesu1234')).memberType).toBe('citizen');
      const trail = await readAuditTrail(db(), { flow: 'officialAccount' });
      const last = trail.slice(-2).map((e) => [e.subject, e.event, e.from, e.to, e.actor.id, e.reason]);
      expect(last).toEqual([
        ['clairesu1234', 'syncMember', 'official', 'citizen', 'egov-portal', expect.stringContaining('公務人員 → 自然人')],
        [moving.id, 'cancel', 'manualReview', 'cancelled', 'egov-portal', expect.stringContaining('須重新申請公務帳號')],
      ]);

      // A changed ID of a 一般民眾 with an application under review cancels it too.
      clock.advance(60_000);
      const again = await flow.apply(applyInput(), member);
      expect(again.status).not.toBe('approved');
      await flow.syncMember({ ...claire, name: '張美美', nationalId: 'F131104093' }, host);
      expect((await flow.get(again.id)).status).toBe('cancelled');
      expect((await flow.member('clairesu1234')).memberType).toBe('citizen');
    });

    it('a name or ID synchronized while the personnel system is asked: nothing is approved on the old check (CONCURRENT_UPDATE)', async () => {
      // The personnel system vouches for 張美善 / A226812638; while it is asked, the member's own sync makes it another person.
      const asked = personnel.check.bind(personnel);
      let during: (() => Promise<unknown>) | undefined = () => flow.syncMember({ ...claire, name: '李四', nationalId: 'A123456789' }, member);
      personnel.check = async (query) => {
        const step = during;
        during = undefined;
        if (step) await step();
        return asked(query);
      };
      expect(await code(flow.apply(applyInput(), member))).toBe('CONCURRENT_UPDATE');
      expect(await flow.member('clairesu1234')).toMatchObject({ name: '李四', memberType: 'citizen' });
      expect((await readAuditTrail(db(), { flow: 'officialAccount' })).filter((e) => e.event === 'apply')).toEqual([]);
      // Applying again asks about the member as it is now, whom the personnel system does not know.
      const again = await flow.apply(applyInput(), member);
      expect(again.status).toBe('manualReview');
      expect(personnel.queries.at(-1)).toMatchObject({ name: '李四', nationalId: 'A123456789' });
      expect((await flow.member('clairesu1234')).memberType).toBe('citizen');
    });

    it('a member synchronizes only itself; bad fields are named', async () => {
      expect(await code(flow.syncMember({ ...claire, memberId: 'someone-else' }, member))).toBe('FORBIDDEN');
      expect(await code(flow.syncMember(claire, reviewer))).toBe('FORBIDDEN');
      expect(await fields(flow.syncMember({ memberId: 'x\u0000', name: '\uD800', nationalId: 'A123456788', email: 'no-at' }, host))).toEqual([
        'memberId',
        'name',
        'nationalId',
        'email',
      ]);
      const refusals = (await readAuditTrail(db(), { flow: 'officialAccount' })).filter((e) => e.event === 'forbidden:syncMember');
      expect(refusals.map((e) => e.actor.id)).toEqual(['clairesu1234', 'egov-service']);
    });
  });

  describe('查詢機關OID and 新機關名稱', () => {
    it('searches the directory by name and fills the name from the OID', async () => {
      expect((await flow.searchAgencies('消防署')).map((a) => a.oid)).toEqual([NFA]);
      expect((await flow.searchAgencies('內政部', 2)).map((a) => a.name)).toEqual(['內政部', '內政部消防署']);
      expect((await flow.agencyFor(NFA)).name).toBe('內政部消防署');
      expect(await code(flow.agencyFor('2.16.886.101.1'))).toBe('AGENCY_OID_UNKNOWN');
      expect(await fields(flow.searchAgencies('', 0))).toEqual(['name', 'limit']);
    });

    it('a directory that cannot search says so (AGENCY_SEARCH_UNAVAILABLE)', async () => {
      const plain = { findByOid: directory.findByOid.bind(directory), findByAgencyCode: directory.findByAgencyCode.bind(directory) };
      const f = new OfficialAccountFlow({ store: db(), clock, agencies: plain });
      expect(await code(f.searchAgencies('消防署'))).toBe('AGENCY_SEARCH_UNAVAILABLE');
    });
  });

  describe('送出資料 → 行政院人事行政總處 check', () => {
    it('the confirmation step shows the agency, the 請注意 text and 「請確認是否要申請？」, and writes nothing', async () => {
      const before = await tableCounts(db());
      const preview = await flow.prepareApplication(applyInput(), member);
      expect(preview).toMatchObject({ memberId: 'clairesu1234', agencyOid: NFA, agencyName: '內政部消防署', reason: '公務人員', item: '自然人轉公務員' });
      expect(preview.question).toBe('請確認是否要申請？');
      expect(preview.notice).toContain('將您在本服務註冊的個人資料送 [行政院人事行政總處] 系統核對');
      expect(preview.notice).toContain('同意請按 [送出資料]，不同意請退出申請作業');
      expect(personnel.queries).toEqual([]);
      expect(await tableCounts(db())).toEqual(before);
      expect(await code(flow.prepareApplication(applyInput(), stranger))).toBe('FORBIDDEN');
      expect(await code(flow.prepareApplication(applyInput('2.16.886.101.1'), member))).toBe('AGENCY_OID_UNKNOWN');
      expect(await fields(flow.prepareApplication({ ...applyInput(), attested: false }, member))).toEqual(['attested']);
    });

    it('a first application that passes is approved at once: the member becomes 公務人員 of the agency and gets the 核可通知信', async () => {
      const app = await flow.apply(applyInput(), member);
      expect(app).toMatchObject({
        status: 'approved',
        attempt: 1,
        agencyName: '內政部消防署',
        item: '自然人轉公務員',
        applicantName: '張美善',
        attestedAt: '2026-03-02T01:00:00.000Z',
        decidedAt: '2026-03-02T01:00:00.000Z',
        personnelCheck: { name: 'match', nationalId: 'match', agency: 'match' },
      });
      expect(app.reviewDueAt).toBeUndefined();
      expect(personnel.queries).toEqual([{ name: '張美善', nationalId: 'A226812638', agencyOid: NFA, agencyName: '內政部消防署' }]);
      expect(await flow.member('clairesu1234')).toMatchObject({ memberType: 'official', agencyOid: NFA, agencyName: '內政部消防署' });
      expect(mailer.sent).toHaveLength(1);
      expect(mailer.sent[0]).toMatchObject({ to: 'claire01001@hotmail.com', subject: '我的E政府公務帳號申請核可通知' });
      expect(mailer.sent[0]?.text).toContain('民國 115年3月2日');
      expect(mailer.sent[0]?.text).toContain('「公務人員」，所屬機關或單位：內政部消防署');
      expect(await code(flow.applicationForm(app.id))).toBe('INVALID_TRANSITION');
      const trail = await readAuditTrail(db(), { flow: 'officialAccount' });
      expect(trail.map((e) => [e.subject, e.event, e.from, e.to, e.actor.id])).toEqual([
        ['clairesu1234', 'syncMember', 'none', 'citizen', 'egov-portal'],
        [app.id, 'apply', 'none', 'approved', 'clairesu1234'],
        ['clairesu1234', 'becomeOfficial', 'citizen', 'official', 'personnel-check'],
      ]);
    });

    it('a mismatch goes to manual review with the 申請書, due within one working day of 收件; a reviewer approves and the 核可通知信 follows', async () => {
      const app = await flow.apply(applyInput(NIA), member);
      expect(app).toMatchObject({ status: 'manualReview', personnelCheck: { name: 'match', nationalId: 'match', agency: 'mismatch' } });
      // The working day starts when the 申請書 arrives (收件), not now.
      expect(app.reviewDueAt).toBeUndefined();
      expect((await flow.member('clairesu1234')).memberType).toBe('citizen');
      expect(mailer.sent).toEqual([]);
      const form = await flow.applicationForm(app.id);
      expect(form).toEqual({
        memberId: 'clairesu1234',
        appliedAt: '2026-03-02T01:00:00.000Z',
        name: '張美善',
        item: '自然人轉公務員',
        agencyOid: NIA,
        agencyName: '內政部移民署',
        reason: '公務人員',
        formNumber: String(app.formNumber),
        office: {}, // the member's copy: the office row is blank until 收件
      });
      const html = renderOfficialApplicationForm(form);
      for (const text of ['我的E政府公務帳號申請書', '會員帳號', 'clairesu1234', '民國 115年3月2日', '張美善', '內政部移民署', NIA, '公務人員', '本人簽名', '(02)2192-7186', 'egov@service.gov.tw']) {
        expect(html).toContain(text);
      }
      expect((await flow.reviewQueue({ status: 'manualReview' })).items.map((a) => a.id)).toEqual([app.id]);
      expect(await code(flow.approve(app.id, member))).toBe('FORBIDDEN');
      // Monday → the next business day (Tuesday) ends at Wednesday 00:00 Taipei.
      expect((await flow.receiveForm(app.id, { channel: 'fax' }, reviewer)).reviewDueAt).toBe('2026-03-03T16:00:00.000Z');
      const approved = await flow.approve(app.id, reviewer, '申請書核可');
      expect(approved).toMatchObject({ status: 'approved', reviewNote: '申請書核可', decidedAt: '2026-03-02T01:00:00.000Z' });
      expect(await flow.member('clairesu1234')).toMatchObject({ memberType: 'official', agencyOid: NIA, agencyName: '內政部移民署' });
      expect(mailer.sent.map((m) => m.subject)).toEqual(['我的E政府公務帳號申請核可通知']);
      expect(await code(flow.reject(app.id, reviewer, '重複'))).toBe('INVALID_TRANSITION');
    });

    it('someone the personnel system does not know goes to manual review', async () => {
      await flow.syncMember({ memberId: 'huang01', name: '黃筱筱', nationalId: 'F131104093', email: 'huang@example.com' }, host);
      const app = await flow.apply({ ...applyInput(), memberId: 'huang01' }, { role: 'applicant', id: 'huang01' });
      expect(app).toMatchObject({ status: 'manualReview', personnelCheck: { name: 'mismatch', nationalId: 'mismatch', agency: 'mismatch' } });
    });

    it('"first application" is the person\'s: another account with the same 身分證統一編號 is never approved at once', async () => {
      // Someone opens a second account with Claire's name and ID (both known to anyone holding her 申請書).
      const impostor: Actor = { role: 'applicant', id: 'impostor99' };
      await flow.syncMember({ memberId: 'impostor99', name: '張美善', nationalId: 'A226812638', email: 'mallory@example.com' }, host);
      const taken = await flow.apply({ ...applyInput(), memberId: 'impostor99' }, impostor);
      expect(taken).toMatchObject({ status: 'manualReview', attempt: 1, personnelCheck: { name: 'match', nationalId: 'match', agency: 'match' } });
      expect(taken.reviewDueAt).toBeUndefined(); // its working day starts at 收件
      expect((await flow.member('impostor99')).memberType).toBe('citizen');
      expect(mailer.sent).toEqual([]);
      // On the manual route it has a 申請書 for the reviewer to check against the signed paper.
      expect((await flow.applicationForm(taken.id)).memberId).toBe('impostor99');
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: taken.id });
      expect(trail.map((e) => [e.event, e.to, e.reason])).toEqual([['apply', 'manualReview', expect.stringMatching(/^同一身分證統一編號另有 1 個帳號，人工審核/)]]);
      // Claire's own first application is not automatic either while the other account exists.
      expect((await flow.apply(applyInput(), member)).status).toBe('manualReview');
    });

    it('an account whose ID was used by another account\'s application before goes to manual review too', async () => {
      await flow.syncMember({ memberId: 'old01', name: '張美善', nationalId: 'A226812638', email: 'old@example.com' }, host);
      const old = await flow.apply({ ...applyInput(NIA), memberId: 'old01' }, { role: 'applicant', id: 'old01' });
      await flow.cancel(old.id, { role: 'applicant', id: 'old01' });
      // The old account changes its ID; its application keeps the one it was made with.
      await flow.syncMember({ memberId: 'old01', name: '張美善', nationalId: 'F131104093', email: 'old@example.com' }, host);
      expect((await flow.apply(applyInput(), member)).status).toBe('manualReview');
    });

    it('a second application goes to manual review even when the check passes; a rejection keeps the member as it was and mails the reason', async () => {
      await flow.apply(applyInput(), member);
      personnel.records[0] = { name: '張美善', nationalId: 'A226812638', agencyOid: NIA };
      const second = await flow.apply(applyInput(NIA), member);
      expect(second).toMatchObject({ status: 'manualReview', attempt: 2, item: '公務人員轉換機關' });
      expect((await flow.applicationForm(second.id)).item).toBe('公務人員轉換機關');
      await flow.reject(second.id, reviewer, '未附服務證明');
      expect(await flow.member('clairesu1234')).toMatchObject({ memberType: 'official', agencyOid: NFA });
      const notice = mailer.sent.at(-1);
      expect(notice?.subject).toBe('我的E政府公務帳號申請審核結果通知');
      expect(notice?.text).toContain('原因：未附服務證明');
      expect((await flow.applications('clairesu1234')).map((a) => [a.attempt, a.status])).toEqual([
        [2, 'rejected'],
        [1, 'approved'],
      ]);
    });

    it('one open application at a time; the member may cancel it (取消申請), nobody else can', async () => {
      const app = await flow.apply(applyInput(NIA), member);
      expect(await code(flow.apply(applyInput(NIA), member))).toBe('APPLICATION_IN_PROGRESS');
      expect(await code(flow.cancel(app.id, stranger))).toBe('FORBIDDEN');
      expect(await code(flow.cancel(app.id, reviewer))).toBe('FORBIDDEN');
      const cancelled = await flow.cancel(app.id, member);
      expect(cancelled).toMatchObject({ status: 'cancelled' });
      expect(cancelled.reviewDueAt).toBeUndefined();
      expect(await code(flow.cancel(app.id, member))).toBe('INVALID_TRANSITION');
      expect(await code(flow.approve(app.id, reviewer))).toBe('INVALID_TRANSITION');
      const refusals = (await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id })).filter((e) => e.event === 'forbidden:cancel');
      expect(refusals.map((e) => e.actor.id)).toEqual(['someone-else', 'egov-service']);
      // A new application after the cancelled one is the second: manual review.
      expect((await flow.apply(applyInput(), member)).status).toBe('manualReview');
    });

    it.each([
      ['the member is not registered', async () => flow.apply({ ...applyInput(), memberId: 'nobody1' }, { role: 'applicant', id: 'nobody1' }), 'NOT_FOUND'],
      ['another member applies', async () => flow.apply(applyInput(), stranger), 'FORBIDDEN'],
      ['the OID is unknown', async () => flow.apply(applyInput('2.16.886.101.1'), member), 'AGENCY_OID_UNKNOWN'],
      [
        'the personnel system is down',
        async () => {
          personnel.down = true;
          return flow.apply(applyInput(), member);
        },
        'PERSONNEL_SYSTEM_FAILURE',
      ],
      [
        'the personnel system answers nonsense',
        async () => {
          personnel.answer = { name: 'yes' };
          return flow.apply(applyInput(), member);
        },
        'PERSONNEL_SYSTEM_FAILURE',
      ],
    ])('%s → %s, and nothing is written', async (_name, call, expected) => {
      const before = await tableCounts(db());
      expect(await code(call())).toBe(expected);
      expect({ ...(await tableCounts(db())), enroll_audit_log: 0 }).toEqual({ ...before, enroll_audit_log: 0 });
    });

    it('申請原因, the attestation and every text field are validated, naming the field', async () => {
      expect(await fields(flow.apply({ memberId: 'clairesu1234', agencyOid: 'abc', reason: '好奇', attested: false }, member))).toEqual([
        'agencyOid',
        'reason',
        'attested',
      ]);
      expect(await fields(flow.apply({ memberId: 'a\u0000', agencyOid: NFA, reason: '公務\uDC00', attested: true }, member))).toEqual(['memberId', 'reason']);
      expect(await fields(flow.reject('00000000-0000-4000-8000-000000000000', reviewer, '\u0000'))).toEqual(['reason']);
      expect(await fields(flow.approve('x', { role: 'reviewer', id: '' }))).toEqual(['reviewer.id', 'applicationId']);
      expect(await fields(flow.cancel('x', member))).toEqual(['applicationId']);
      expect(await fields(flow.searchAgencies('消防\u0000署'))).toEqual(['name']);
      expect(await fields(flow.agencyFor('2.16.886\uD800'))).toEqual(['agencyOid']);
      expect(await fields(flow.member('\uDC00'))).toEqual(['memberId']);
      expect(await fields(flow.applications(42 as unknown as string))).toEqual(['memberId']);
    });

    it('a notice that cannot be sent rolls the approval back (MAIL_FAILED)', async () => {
      const app = await flow.apply(applyInput(NIA), member);
      await flow.receiveForm(app.id, { channel: 'fax' }, reviewer);
      const broken = flowOn(db(), { mailer: { send: () => Promise.reject(new Error('smtp down')) } });
      expect(await code(broken.approve(app.id, reviewer))).toBe('MAIL_FAILED');
      expect((await flow.get(app.id)).status).toBe('formReceived');
      expect((await flow.member('clairesu1234')).memberType).toBe('citizen');
    });
  });

  describe('races', () => {
    it('20 concurrent applications of one member: one approved, one second application, the rest APPLICATION_IN_PROGRESS', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () =>
          flow.apply(applyInput(), member).then(
            (a) => a.status as string,
            (e: unknown) => (e as { code?: string }).code ?? String(e),
          ),
        ),
      );
      const tally = (s: string): number => outcomes.filter((o) => o === s).length;
      expect([tally('approved'), tally('manualReview'), tally('APPLICATION_IN_PROGRESS')]).toEqual([1, 1, 18]);
      expect((await flow.applications('clairesu1234')).map((a) => [a.attempt, a.status])).toEqual([
        [2, 'manualReview'],
        [1, 'approved'],
      ]);
      expect(mailer.sent).toHaveLength(1);
    });

    it('a reviewer’s approval and the member’s cancellation race: exactly one wins', async () => {
      const app = await flow.apply(applyInput(NIA), member);
      await flow.receiveForm(app.id, { channel: 'email' }, reviewer);
      const outcomes = await Promise.all([
        flow.approve(app.id, reviewer).then((a) => a.status as string, (e: unknown) => (e as { code: string }).code),
        flow.cancel(app.id, member).then((a) => a.status as string, (e: unknown) => (e as { code: string }).code),
      ]);
      expect(outcomes.filter((o) => o === 'INVALID_TRANSITION')).toHaveLength(1);
      const final = (await flow.get(app.id)).status;
      expect(outcomes).toContain(final);
      expect((await flow.member('clairesu1234')).memberType).toBe(final === 'approved' ? 'official' : 'citizen');
    });
  });

  describe('reviewer queue and the one working day', () => {
    it('lists by status, oldest first, paged and by date; the due date (from 收件) skips weekends and holidays', async () => {
      const ids: string[] = [];
      const dues: string[] = [];
      for (const [i, at] of ['2026-02-26T02:00:00Z', '2026-03-06T02:00:00Z', '2026-03-09T02:00:00Z'].entries()) {
        clock.set(at);
        const id = `member0${i}`;
        personnel.records.push({ name: `公務員${i}`, nationalId: ['A123456789', 'F131104093', 'B120863158'][i] as string, agencyOid: MOI });
        await flow.syncMember({ memberId: id, name: `公務員${i}`, nationalId: ['A123456789', 'F131104093', 'B120863158'][i] as string, email: `${id}@example.com` }, host);
        const app = await flow.apply({ memberId: id, agencyOid: NFA, reason: '公務人員', attested: true }, { role: 'applicant', id });
        ids.push(app.id);
        // The 申請書 is faxed in the same day; the queue lists the applications still waiting for theirs.
        dues.push((await flow.receiveForm(app.id, { channel: 'fax' }, reviewer)).reviewDueAt ?? '');
      }
      // Thu 2026-02-26: Fri 02-27 is the observed 228 holiday, so Monday 03-02 is the working day.
      // Fri 03-06: Monday 03-09. Mon 03-09: Tuesday 03-10.
      expect(dues).toEqual(['2026-03-02T16:00:00.000Z', '2026-03-09T16:00:00.000Z', '2026-03-10T16:00:00.000Z']);
      const page = await flow.reviewQueue({ status: 'formReceived', limit: 2 });
      expect(page).toMatchObject({ total: 3 });
      expect(page.items.map((a) => a.id)).toEqual(ids.slice(0, 2));
      expect((await flow.reviewQueue({ status: 'formReceived', limit: 2, offset: 2 })).items.map((a) => a.id)).toEqual(ids.slice(2));
      expect((await flow.reviewQueue({ status: 'formReceived', createdFrom: '2026-03-01T00:00:00Z', createdBefore: '2026-03-07T00:00:00Z' })).items.map((a) => a.id)).toEqual([ids[1]]);
      expect(await code(flow.reviewQueue({ status: 'bogus' as 'approved' }))).toBe('INVALID_INPUT');
    });
  });

  describe('caller transactions', () => {
    it("the caller's own insert fails after the command → nothing of the command remains", async () => {
      await db().transaction((tx) => tx.query('CREATE TABLE IF NOT EXISTS team_official_notes (member_id text PRIMARY KEY)'));
      await db().transaction((tx) => tx.query('DELETE FROM team_official_notes'));
      const before = await tableCounts(db());
      const steps: Array<(f: OfficialAccountFlow) => Promise<unknown>> = [
        (f) => f.syncMember({ memberId: 'newmember1', name: '新會員', nationalId: 'F131104093', email: 'n@example.com' }, host),
        (f) => f.apply(applyInput(), member),
        (f) => f.apply(applyInput(NIA), member),
      ];
      for (const step of steps) {
        const outcome = await db()
          .transaction(async (tx) => {
            await step(flowOn(joinTransaction(tx)));
            await tx.query('INSERT INTO team_official_notes VALUES ($1)', ['x']);
            await tx.query('INSERT INTO team_official_notes VALUES ($1)', ['x']);
          })
          .then(
            () => 'committed',
            (e: unknown) => (e as { code?: string }).code,
          );
        expect(outcome).toBe('23505');
      }
      expect(await tableCounts(db())).toEqual(before);
      expect((await flow.member('clairesu1234')).memberType).toBe('citizen');
    });

    it('a command and the caller’s insert commit together', async () => {
      await db().transaction((tx) => tx.query('CREATE TABLE IF NOT EXISTS team_official_notes (member_id text PRIMARY KEY)'));
      await db().transaction((tx) => tx.query('DELETE FROM team_official_notes'));
      const app = await db().transaction(async (tx) => {
        const a = await flowOn(joinTransaction(tx)).apply(applyInput(), member);
        await tx.query('INSERT INTO team_official_notes VALUES ($1)', [a.memberId]);
        return a;
      });
      expect((await flow.get(app.id)).status).toBe('approved');
      expect((await flow.member('clairesu1234')).memberType).toBe('official');
    });
  });

  describe('existing data', () => {
    it('an application made before issue 13 (no member reference) stays readable and can be decided', async () => {
      const id = '9b2f0a52-8d1e-4c1a-9c39-2d9f0e1b7a11';
      await db().transaction((tx) =>
        tx.query(
          `INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, created_at, updated_at)
           VALUES ($1, 'legacy01', $2, '內政部消防署', '公務人員', 'underReview', 1, $3, $3)`,
          [id, NFA, '2025-12-01T01:00:00Z'],
        ),
      );
      const old = await flow.get(id);
      expect(old).toMatchObject({ memberId: 'legacy01', status: 'underReview', attempt: 1 });
      expect(old.attestedAt).toBeUndefined();
      expect((await flow.applicationForm(id)).name).toBe('');
      expect((await flow.approve(id, reviewer)).status).toBe('approved');
      expect(mailer.sent).toEqual([]);
    });

    it('without a personnel system a first application waits for a reviewer (underReview)', async () => {
      const f = new OfficialAccountFlow({ store: db(), clock, agencies: directory });
      const app = await f.apply(applyInput(), member);
      expect(app).toMatchObject({ status: 'underReview', reviewDueAt: '2026-03-03T16:00:00.000Z' });
      expect(app.personnelCheck).toBeUndefined();
      await f.approve(app.id, reviewer);
      expect((await f.member('clairesu1234')).memberType).toBe('official');
    });
  });
});
