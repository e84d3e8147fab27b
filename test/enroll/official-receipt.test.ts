/**
 * 收件 of the 我的E政府公務帳號申請書 (seed emic…: the form is faxed or e-mailed to
 * the 客服中心, 「需計1個工作天內審核完畢」, the office row 收件 / 寄辦 / 處理完畢時間 / 備註):
 * the service desk records the arrival, the working day counts from it, only a
 * received form is approved, and the reviewer sees what is overdue — on both
 * stores, through the public API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CapturingMailer,
  InvalidInputError,
  ManualClock,
  OfficialAccountFlow,
  StaticAgencyDirectory,
  readAuditTrail,
  renderOfficialApplicationForm,
  type AgencyOid,
  type OfficialAccountApplication,
} from '../../src/enroll/index.js';
import { rehydrateState, serializeState } from '../../src/enroll/advanced.js';
import { describeEachStore, enrollFailure, tableCounts } from './helpers.js';
import { FakePersonnelSystem, NFA, claire, host, member, reviewer } from './official-fixtures.js';

const NIA = '2.16.886.101.20003.20001.20009';
const directory = new StaticAgencyDirectory([
  { oid: NFA as AgencyOid, name: '內政部消防署' },
  { oid: NIA as AgencyOid, name: '內政部移民署' },
]);
/** An agency the personnel record does not list for Claire: the 申請書 route. */
const manualInput = { memberId: claire.memberId, agencyOid: NIA, reason: '公務人員', attested: true };
const fax = { channel: 'fax' } as const;

async function code(p: Promise<unknown>): Promise<string> {
  return (await enrollFailure(p)).code;
}

async function issues(p: Promise<unknown>): Promise<Array<[string, string]>> {
  const err = await enrollFailure(p);
  expect(err).toBeInstanceOf(InvalidInputError);
  return (err as InvalidInputError).issues.map((i) => [i.field, i.code]);
}

describeEachStore('enroll_t_official_receipt', (db) => {
  let clock: ManualClock;
  let mailer: CapturingMailer;
  let flow: OfficialAccountFlow;

  beforeEach(async () => {
    // Thursday 2026-03-05 10:00 Taipei.
    clock = new ManualClock('2026-03-05T02:00:00Z');
    mailer = new CapturingMailer();
    const personnel = new FakePersonnelSystem();
    personnel.records.push({ name: claire.name, nationalId: claire.nationalId, agencyOid: NFA });
    flow = new OfficialAccountFlow({ store: db(), clock, agencies: directory, personnel, mailer });
    await flow.syncMember(claire, host);
  });

  describe('收件 starts the one working day', () => {
    it('no due time before the 申請書 arrives; 收件 records when, how and by whom, due one working day after the arrival', async () => {
      const app = await flow.apply(manualInput, member);
      expect(app.status).toBe('manualReview');
      expect([app.reviewDueAt, app.formReceipt]).toEqual([undefined, undefined]);

      // The fax came in on Monday 09:30; the desk records it at 11:00.
      clock.set('2026-03-09T03:00:00Z');
      const received = await flow.receiveForm(app.id, { channel: 'fax', receivedAt: '2026-03-09T09:30:00+08:00' }, reviewer);
      expect(received).toMatchObject({
        status: 'formReceived',
        formReceipt: { receivedAt: '2026-03-09T01:30:00.000Z', channel: 'fax', receivedBy: 'egov-service' },
        // Monday → the next business day (Tuesday) ends at Wednesday 00:00 Taipei; not counted from Thursday's apply.
        reviewDueAt: '2026-03-10T16:00:00.000Z',
        updatedAt: '2026-03-09T03:00:00.000Z',
        version: app.version + 1,
      });
      expect(await flow.get(app.id)).toEqual(received);
      expect(rehydrateState(serializeState({ flow: 'officialAccount', state: received }))).toEqual({ flow: 'officialAccount', state: received });
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id });
      expect(trail.map((e) => [e.event, e.from, e.to, e.actor.id, e.at, e.reason])).toEqual([
        ['apply', 'none', 'manualReview', 'clairesu1234', '2026-03-05T02:00:00.000Z', expect.any(String)],
        ['receiveForm', 'manualReview', 'formReceived', 'egov-service', '2026-03-09T03:00:00.000Z', '收件：傳真 2026-03-09T01:30:00.000Z，審核期限 2026-03-10T16:00:00.000Z'],
      ]);
      // No mail: the manual sends the 核可通知信 after the review, nothing at 收件.
      expect(mailer.sent).toEqual([]);
    });

    it('a form that came in over the weekend counts from its arrival; by default it arrived when it is recorded', async () => {
      const app = await flow.apply(manualInput, member);
      await flow.syncMember({ memberId: 'huang01', name: '黃筱筱', nationalId: 'F131104093', email: 'huang@example.com' }, host);
      const other = await flow.apply({ ...manualInput, memberId: 'huang01' }, { role: 'applicant', id: 'huang01' });
      // Monday 08:30: Claire's e-mail is recorded without a time (arrived now, due when Tuesday ends); Huang's fax
      // came in on Saturday night: the first working day after it is Monday, due when Monday ends.
      clock.set('2026-03-09T00:30:00Z');
      const received = await flow.receiveForm(app.id, { channel: 'email' }, reviewer);
      expect(received.formReceipt).toEqual({ receivedAt: '2026-03-09T00:30:00.000Z', channel: 'email', receivedBy: 'egov-service' });
      expect(received.reviewDueAt).toBe('2026-03-10T16:00:00.000Z');
      const weekend = await flow.receiveForm(other.id, { channel: 'fax', receivedAt: '2026-03-07T22:00:00+08:00' }, reviewer);
      expect(weekend.reviewDueAt).toBe('2026-03-09T16:00:00.000Z');
    });
  });

  describe('approval needs the 申請書; the office row', () => {
    it('approve before 收件 is INVALID_TRANSITION and changes nothing; after it, 處理完畢時間 and 備註 are kept', async () => {
      const app = await flow.apply(manualInput, member);
      // The member's copy: the office row (收件 寄辦 處理完畢時間 備註) is blank.
      const sent = await flow.applicationForm(app.id);
      expect(sent.office).toEqual({});
      expect(renderOfficialApplicationForm(sent)).toContain('<tr><td class="blank"></td><td></td><td></td><td></td></tr></table>');
      const before = await tableCounts(db());
      expect(await code(flow.approve(app.id, reviewer, '核可'))).toBe('INVALID_TRANSITION');
      expect(await tableCounts(db())).toEqual(before);
      expect(await flow.get(app.id)).toEqual(app);
      expect((await flow.member(claire.memberId)).memberType).toBe('citizen');

      clock.advance(3_600_000);
      await flow.receiveForm(app.id, fax, reviewer);
      clock.advance(3_600_000);
      const approved = await flow.approve(app.id, reviewer, '服務證明相符');
      expect(approved).toMatchObject({
        status: 'approved',
        decidedAt: '2026-03-05T04:00:00.000Z',
        reviewNote: '服務證明相符',
        formReceipt: { receivedAt: '2026-03-05T03:00:00.000Z', channel: 'fax', receivedBy: 'egov-service' },
      });
      expect(await flow.member(claire.memberId)).toMatchObject({ memberType: 'official', agencyOid: NIA });
      expect(mailer.sent.map((m) => m.subject)).toEqual(['我的E政府公務帳號申請核可通知']);
      // The 申請書 of an application approved by hand stays printable, its office row filled from the record
      // (Taiwan time: 03:00Z is 11:00).
      const desk = await flow.applicationForm(app.id);
      expect(desk.agencyOid).toBe(NIA);
      expect(desk.office).toEqual({ received: { at: '2026-03-05T03:00:00.000Z', channel: 'fax' }, decidedAt: '2026-03-05T04:00:00.000Z', note: '服務證明相符' });
      expect(renderOfficialApplicationForm({ ...desk, office: { ...desk.office, note: '<b>' } })).toContain(
        '<tr><td class="blank">傳真 民國 115年3月5日 11:00</td><td></td><td>民國 115年3月5日 12:00</td><td>&#60;b&#62;</td></tr></table>',
      );
    });

    it('a 申請書 that never came can be rejected with the reason; received twice, or without a 申請書, is INVALID_TRANSITION', async () => {
      const app = await flow.apply(manualInput, member);
      expect(await flow.reject(app.id, reviewer, '申請書未寄達')).toMatchObject({ status: 'rejected', reviewNote: '申請書未寄達' });
      expect(await code(flow.receiveForm(app.id, fax, reviewer))).toBe('INVALID_TRANSITION');

      const second = await flow.apply(manualInput, member);
      await flow.receiveForm(second.id, fax, reviewer);
      // The same form by e-mail as well: the arrival stays the first one.
      expect(await code(flow.receiveForm(second.id, { channel: 'email' }, reviewer))).toBe('INVALID_TRANSITION');
      expect((await flow.get(second.id)).formReceipt?.channel).toBe('fax');

      // Without a personnel system a first application waits for a reviewer with no 申請書 to receive.
      const plain = new OfficialAccountFlow({ store: db(), clock, agencies: directory });
      await plain.syncMember({ memberId: 'huang01', name: '黃筱筱', nationalId: 'F131104093', email: 'huang@example.com' }, host);
      const waiting = await plain.apply({ ...manualInput, memberId: 'huang01' }, { role: 'applicant', id: 'huang01' });
      expect(waiting.status).toBe('underReview');
      expect(await code(plain.receiveForm(waiting.id, fax, reviewer))).toBe('INVALID_TRANSITION');
    });

    it('only a reviewer records 收件 (FORBIDDEN, audited); the member may still withdraw a received application', async () => {
      const app = await flow.apply(manualInput, member);
      expect(await code(flow.receiveForm(app.id, fax, member))).toBe('FORBIDDEN');
      expect(await code(flow.receiveForm(app.id, fax, host))).toBe('FORBIDDEN');
      const refusals = (await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id })).filter((e) => e.event === 'forbidden:receiveForm');
      expect(refusals.map((e) => e.actor.id)).toEqual(['clairesu1234', 'egov-portal']);
      await flow.receiveForm(app.id, fax, reviewer);
      const cancelled = await flow.cancel(app.id, member);
      expect([cancelled.status, cancelled.reviewDueAt]).toEqual(['cancelled', undefined]);
    });

    it('a received application is still open: one at a time, and a changed name or ID cancels it', async () => {
      const app = await flow.apply(manualInput, member);
      await flow.receiveForm(app.id, fax, reviewer);
      expect(await code(flow.apply(manualInput, member))).toBe('APPLICATION_IN_PROGRESS');
      await flow.syncMember({ ...claire, name: '張美美' }, host);
      expect((await flow.get(app.id)).status).toBe('cancelled');
      expect(await code(flow.approve(app.id, reviewer))).toBe('INVALID_TRANSITION');
    });
  });

  describe('bad input names the field', () => {
    it('channel, receivedAt (format, future, before the application), reviewer and application ID', async () => {
      const app = await flow.apply(manualInput, member);
      expect(await issues(flow.receiveForm(app.id, { channel: 'post' as 'fax', receivedAt: '2026-03-05' }, reviewer))).toEqual([
        ['channel', 'NOT_AN_OPTION'],
        ['receivedAt', 'INVALID_FORMAT'],
      ]);
      // Without an offset the instant would depend on the server's time zone; 2026-02-30 does not exist.
      for (const receivedAt of ['2026-03-05T10:00:00', '2026-02-30T10:00:00+08:00', 42]) {
        expect(await issues(flow.receiveForm(app.id, { channel: 'fax', receivedAt: receivedAt as string }, reviewer))).toEqual([['receivedAt', 'INVALID_FORMAT']]);
      }
      expect(await issues(flow.receiveForm(app.id, { channel: 'fax', receivedAt: '2026-03-05T10:00:01+08:00' }, reviewer))).toEqual([['receivedAt', 'OUT_OF_RANGE']]);
      expect(await issues(flow.receiveForm(app.id, { channel: 'fax', receivedAt: '2026-03-05T09:59:59+08:00' }, reviewer))).toEqual([['receivedAt', 'OUT_OF_RANGE']]);
      expect(await issues(flow.receiveForm('x', undefined as unknown as typeof fax, { role: 'reviewer', id: '' }))).toEqual([
        ['reviewer.id', 'REQUIRED'],
        ['applicationId', 'INVALID_FORMAT'],
        ['channel', 'NOT_AN_OPTION'],
      ]);
      expect(await code(flow.receiveForm('00000000-0000-4000-8000-000000000000', fax, reviewer))).toBe('NOT_FOUND');
      // Nothing was written by any of them; the arrival exactly at applying, or now, is taken.
      expect((await flow.get(app.id)).status).toBe('manualReview');
      expect((await flow.receiveForm(app.id, { channel: 'fax', receivedAt: '2026-03-05T10:00:00+08:00' }, reviewer)).status).toBe('formReceived');
    });
  });

  describe('overdue reviews', () => {
    it('lists received and plain reviews whose working day has ended, longest overdue first; not those waiting for their 申請書', async () => {
      const ids: Record<string, string> = {};
      const applyAs = async (memberId: string, nationalId: string): Promise<OfficialAccountApplication> => {
        await flow.syncMember({ memberId, name: `公務員${memberId}`, nationalId, email: `${memberId}@example.com` }, host);
        return flow.apply({ ...manualInput, memberId }, { role: 'applicant', id: memberId });
      };
      // Thursday 03-05: a, b, c apply. a's form arrives Thursday: its working day is Friday, overdue from Monday
      // 00:00 (the days off in between are not counted against the desk); b's arrives Friday: due when Monday ends.
      const a = await applyAs('m-a', 'A123456789');
      const b = await applyAs('m-b', 'F131104093');
      const c = await applyAs('m-c', 'B120863158');
      ids.a = a.id;
      ids.b = b.id;
      expect((await flow.receiveForm(a.id, fax, reviewer)).reviewDueAt).toBe('2026-03-08T16:00:00.000Z');
      clock.set('2026-03-06T02:00:00Z');
      expect((await flow.receiveForm(b.id, { channel: 'email' }, reviewer)).reviewDueAt).toBe('2026-03-09T16:00:00.000Z');
      clock.set('2026-03-08T15:59:59Z');
      expect((await flow.overdueReviews()).total).toBe(0);
      // Monday: a is overdue; b is not (Monday is its day); c never sent its form.
      clock.set('2026-03-09T02:00:00Z');
      expect((await flow.overdueReviews()).items.map((x) => x.id)).toEqual([ids.a]);
      // Tuesday: both, a first; c still not (its day has not started).
      clock.set('2026-03-10T02:00:00Z');
      const page = await flow.overdueReviews({ limit: 1 });
      expect([page.total, page.items.map((x) => x.id)]).toEqual([2, [ids.a]]);
      expect((await flow.overdueReviews({ limit: 1, offset: 1 })).items.map((x) => x.id)).toEqual([ids.b]);
      expect((await flow.reviewQueue({ status: 'manualReview' })).items.map((x) => x.id)).toEqual([c.id]);
      // Decided is no longer overdue.
      await flow.approve(ids.a, reviewer);
      expect((await flow.overdueReviews()).items.map((x) => x.id)).toEqual([ids.b]);
      expect(await issues(flow.overdueReviews({ limit: 0, offset: -1 }))).toEqual([
        ['limit', 'OUT_OF_RANGE'],
        ['offset', 'OUT_OF_RANGE'],
      ]);      for (const notAQuery of ['x', null, [1]]) expect(await issues(flow.overdueReviews(notAQuery as never))).toEqual([['query', 'INVALID_FORMAT']]);
    });
  });

  describe('correcting a mistyped 收件', () => {
    const desk2 = { role: 'reviewer', id: 'desk2' } as const;

    it('replaces arrival and channel, counts the due time again, audits old and new; the overdue list follows', async () => {
      const app = await flow.apply(manualInput, member);
      // Monday 11:00 the desk records a fax arriving now; it was in fact the e-mail of Saturday 22:00.
      clock.set('2026-03-09T03:00:00Z');
      const received = await flow.receiveForm(app.id, fax, reviewer);
      expect(received.reviewDueAt).toBe('2026-03-10T16:00:00.000Z');
      clock.set('2026-03-10T02:00:00Z');
      expect((await flow.overdueReviews()).total).toBe(0);

      const corrected = await flow.correctFormReceipt(
        app.id,
        { channel: 'email', receivedAt: '2026-03-07T22:00:00+08:00', expectedVersion: received.version },
        desk2,
        '誤植收件時間',
      );
      expect(corrected).toMatchObject({
        status: 'formReceived',
        // The recorder stays; who corrected it is in the audit entry.
        formReceipt: { receivedAt: '2026-03-07T14:00:00.000Z', channel: 'email', receivedBy: 'egov-service' },
        // Saturday → Monday is its working day, due when Monday ends: overdue on Tuesday.
        reviewDueAt: '2026-03-09T16:00:00.000Z',
        updatedAt: '2026-03-10T02:00:00.000Z',
        version: received.version + 1,
      });
      expect(await flow.get(app.id)).toEqual(corrected);
      expect((await flow.overdueReviews()).items.map((x) => x.id)).toEqual([app.id]);
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id });
      expect(trail.slice(-1).map((e) => [e.event, e.from, e.to, e.actor.id, e.at, e.reason])).toEqual([
        [
          'correctFormReceipt',
          'formReceived',
          'formReceived',
          'desk2',
          '2026-03-10T02:00:00.000Z',
          '收件更正：傳真 2026-03-09T03:00:00.000Z → E-mail 2026-03-07T14:00:00.000Z，審核期限 2026-03-10T16:00:00.000Z → 2026-03-09T16:00:00.000Z（原因：誤植收件時間）',
        ],
      ]);

      // Corrected again to Monday 09:00 (no version, no reason): due when Tuesday ends, off the overdue list.
      const again = await flow.correctFormReceipt(app.id, { channel: 'fax', receivedAt: '2026-03-09T01:00:00Z' }, reviewer);
      expect([again.formReceipt?.receivedAt, again.formReceipt?.channel, again.reviewDueAt]).toEqual(['2026-03-09T01:00:00.000Z', 'fax', '2026-03-10T16:00:00.000Z']);
      expect((await flow.overdueReviews()).total).toBe(0);
      expect((await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id })).slice(-1)[0]?.reason).toBe(
        '收件更正：E-mail 2026-03-07T14:00:00.000Z → 傳真 2026-03-09T01:00:00.000Z，審核期限 2026-03-09T16:00:00.000Z → 2026-03-10T16:00:00.000Z',
      );
      expect(mailer.sent).toEqual([]);
    });

    it('only while formReceived: before 收件 and after the decision INVALID_TRANSITION; only a reviewer (FORBIDDEN)', async () => {
      const fix = { channel: 'email', receivedAt: '2026-03-05T10:00:00+08:00' } as const;
      const app = await flow.apply(manualInput, member);
      expect(await code(flow.correctFormReceipt(app.id, fix, reviewer))).toBe('INVALID_TRANSITION');
      await flow.receiveForm(app.id, fax, reviewer);
      expect(await code(flow.correctFormReceipt(app.id, fix, member))).toBe('FORBIDDEN');
      const approved = await flow.approve(app.id, reviewer);
      const before = await tableCounts(db());
      expect(await code(flow.correctFormReceipt(app.id, fix, reviewer))).toBe('INVALID_TRANSITION');
      expect(await tableCounts(db())).toEqual(before);
      expect(await flow.get(app.id)).toEqual(approved);
      const events = (await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id })).map((e) => e.event);
      expect(events).toEqual(['apply', 'receiveForm', 'forbidden:correctFormReceipt', 'approve']);
    });

    it('a correction cannot move the arrival past when the 收件 was recorded (it would restart an overdue working day)', async () => {
      const app = await flow.apply(manualInput, member);
      // Recorded Monday 11:00 as arriving then; overdue by Thursday.
      clock.set('2026-03-09T03:00:00Z');
      await flow.receiveForm(app.id, fax, reviewer);
      clock.set('2026-03-12T02:00:00Z');
      expect((await flow.overdueReviews()).items.map((x) => x.id)).toEqual([app.id]);
      const later = await issues(flow.correctFormReceipt(app.id, { channel: 'fax', receivedAt: '2026-03-12T09:00:00+08:00' }, desk2));
      expect(later).toEqual([['receivedAt', 'OUT_OF_RANGE']]);
      // One millisecond after the recording is refused; the recording instant itself, or earlier, is a correction.
      expect(await issues(flow.correctFormReceipt(app.id, { channel: 'email', receivedAt: '2026-03-09T03:00:00.001Z' }, desk2))).toEqual([
        ['receivedAt', 'OUT_OF_RANGE'],
      ]);
      const same = await flow.correctFormReceipt(app.id, { channel: 'email', receivedAt: '2026-03-09T11:00:00+08:00' }, desk2);
      expect([same.formReceipt?.channel, same.reviewDueAt]).toEqual(['email', '2026-03-10T16:00:00.000Z']);
      // A second correction is bounded by the same recording, not by the first correction.
      const earlier = await flow.correctFormReceipt(app.id, { channel: 'email', receivedAt: '2026-03-09T08:00:00+08:00' }, desk2);
      expect(earlier.formReceipt?.receivedAt).toBe('2026-03-09T00:00:00.000Z');
      expect((await flow.correctFormReceipt(app.id, { channel: 'fax', receivedAt: '2026-03-09T11:00:00+08:00' }, desk2)).formReceipt?.receivedAt).toBe(
        '2026-03-09T03:00:00.000Z',
      );
      expect((await flow.overdueReviews()).items.map((x) => x.id)).toEqual([app.id]);
    });

    it('bad input names the field, by the rules of 收件; nothing is written', async () => {
      const app = await flow.apply(manualInput, member);
      clock.advance(3_600_000);
      const received = await flow.receiveForm(app.id, fax, reviewer);
      const bad = (correction: unknown, reason?: unknown) =>
        issues(flow.correctFormReceipt(app.id, correction as { channel: 'fax'; receivedAt: string }, reviewer, reason as string | undefined));
      // A correction states the time: left out, it would silently become now.
      expect(await bad({ channel: 'post' })).toEqual([
        ['channel', 'NOT_AN_OPTION'],
        ['receivedAt', 'REQUIRED'],
      ]);
      expect(await bad({ channel: 'fax', receivedAt: '2026-03-05T10:30:00' })).toEqual([['receivedAt', 'INVALID_FORMAT']]);
      expect(await bad({ channel: 'fax', receivedAt: '2026-03-05T11:00:01+08:00' })).toEqual([['receivedAt', 'OUT_OF_RANGE']]);
      expect(await bad({ channel: 'fax', receivedAt: '2026-03-05T09:59:59+08:00' })).toEqual([['receivedAt', 'OUT_OF_RANGE']]);
      expect(await bad({ channel: 'fax', receivedAt: '2026-03-05T10:30:00+08:00', expectedVersion: '2' }, '')).toEqual([
        ['expectedVersion', 'INVALID_FORMAT'],
        ['reason', 'REQUIRED'],
      ]);
      expect(await bad(null)).toEqual([
        ['channel', 'NOT_AN_OPTION'],
        ['receivedAt', 'REQUIRED'],
      ]);
      expect(await flow.get(app.id)).toEqual(received);
      expect((await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id })).map((e) => e.event)).toEqual(['apply', 'receiveForm']);
    });

    it('a correction made from an older version is CONCURRENT_UPDATE: of three desks at once, one wins', async () => {
      const app = await flow.apply(manualInput, member);
      clock.advance(3_600_000);
      const received = await flow.receiveForm(app.id, fax, reviewer);
      // Versions count from 0 (the application as applied): an old one is a version, -1 is not.
      expect(await code(flow.correctFormReceipt(app.id, { ...fax, receivedAt: '2026-03-05T10:10:00+08:00', expectedVersion: 0 }, reviewer))).toBe('CONCURRENT_UPDATE');
      expect(await issues(flow.correctFormReceipt(app.id, { ...fax, receivedAt: '2026-03-05T10:10:00+08:00', expectedVersion: -1 }, reviewer))).toEqual([['expectedVersion', 'INVALID_FORMAT']]);
      const outcomes = await Promise.all(
        ['10:10', '10:20', '10:30'].map((t, i) =>
          flow
            .correctFormReceipt(app.id, { channel: 'email', receivedAt: `2026-03-05T${t}:00+08:00`, expectedVersion: received.version }, { role: 'reviewer', id: `desk${i}` })
            .then(
              (x) => x.status as string,
              (e: unknown) => (e as { code?: string }).code ?? String(e),
            ),
        ),
      );
      expect(outcomes.filter((o) => o === 'formReceived')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'CONCURRENT_UPDATE')).toHaveLength(2);
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id });
      expect(trail.filter((e) => e.event === 'correctFormReceipt')).toHaveLength(1);
      expect((await flow.get(app.id)).version).toBe(received.version + 1);
    });
  });

  describe('races', () => {
    it('five desks record the same form at once: one 收件, the others INVALID_TRANSITION, one audit entry', async () => {
      const app = await flow.apply(manualInput, member);
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          flow.receiveForm(app.id, { channel: i % 2 === 0 ? 'fax' : 'email' }, { role: 'reviewer', id: `desk${i}` }).then(
            (x) => x.status as string,
            (e: unknown) => (e as { code?: string }).code ?? String(e),
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'formReceived')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'INVALID_TRANSITION')).toHaveLength(4);
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id });
      expect(trail.filter((e) => e.event === 'receiveForm').map((e) => e.actor.id)).toEqual([(await flow.get(app.id)).formReceipt?.receivedBy]);
    });
  });
});
