/**
 * A deactivated account (停用) and the applications it leaves (migration 0014), on both stores, through the public
 * API: the refusals tell 停用 from 尚未啟用; the reviewer's approval reads the applicant's account again and
 * cancels, instead of approving, an application whose account is not activated; and an application the system
 * cancelled does not count toward the manual's 「第二次申請」 (the 申請書 route), while the member's own 取消申請
 * does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CapturingMailer,
  ManualClock,
  OfficialAccountFlow,
  StaticAgencyDirectory,
  readAuditTrail,
  type AgencyOid,
  type EnrollStore,
  type InvalidInputError,
  type OfficialMemberInput,
} from '../../src/enroll/index.js';
import { rehydrateState, serializeState } from '../../src/enroll/advanced.js';
import { defaultMessages } from '../../src/messages/index.js';
import { citizenCard, describeEachStore, enrollFailure } from './helpers.js';
import { FakePersonnelSystem, NFA, claire, host, member, reviewer } from './official-fixtures.js';

const applyInput = { memberId: claire.memberId, agencyOid: NFA, reason: '公務人員', attested: true };
const claireCard = () => citizenCard(21, { subjectName: claire.name, idHint: '2638' });
const CLICKED = new Date('2026-03-01T02:30:00Z');
const APP_ID = '00000000-0000-4000-8000-00000000a001';

/**
 * An open application written as a release that did not check activation wrote it (before 0012, or during a
 * rolling deploy across it), or before the SDK had a member reference: the flow itself never writes one for a
 * member not activated, which is why the approval has to look again.
 */
async function unchecked(store: EnrollStore, status: 'underReview' | 'manualReview' = 'underReview'): Promise<void> {
  await store.transaction((tx) =>
    tx.query(
      `INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, created_at, updated_at, applicant_name, national_id)
       VALUES ($1, $2, $3, '內政部消防署', '公務人員', $4, 1, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', $5, $6)`,
      [APP_ID, claire.memberId, NFA, status, claire.name, claire.nationalId],
    ),
  );
}

/**
 * The member's activation changed the way an older release's sync changed it (the column only, its applications
 * left open) or a host that reports the state only when asked would leave it: `null` and, when `deactivated`, 停用.
 */
async function inactiveUnchecked(store: EnrollStore, deactivated: boolean): Promise<void> {
  await store.transaction((tx) =>
    tx.query('UPDATE enroll_official_members SET activated_at=NULL, deactivated_at=$2 WHERE member_id=$1', [
      claire.memberId,
      deactivated ? '2026-03-02T00:00:00.000Z' : null,
    ]),
  );
}

describeEachStore('enroll_t_official_deactivation', (db) => {
  let clock: ManualClock;
  let personnel: FakePersonnelSystem;
  let mailer: CapturingMailer;
  let flow: OfficialAccountFlow;
  const sync = (extra: Partial<OfficialMemberInput>, actor = host) => flow.syncMember({ ...claire, ...extra }, actor);

  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    personnel = new FakePersonnelSystem();
    personnel.records.push({ name: claire.name, nationalId: claire.nationalId, agencyOid: NFA });
    mailer = new CapturingMailer();
    flow = new OfficialAccountFlow({
      store: db(),
      clock,
      agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
      personnel,
      mailer,
    });
  });

  async function refusal(p: Promise<unknown>): Promise<string | undefined> {
    const err = await enrollFailure(p);
    expect(err.code).toBe('NOT_AUTHORIZED');
    return err.refusal;
  }

  /** The field issues of Claire's sync refused as INVALID_INPUT, with their reasons. */
  async function refusedInput(input: Partial<OfficialMemberInput>): Promise<Array<[string, string, string]>> {
    const err = await enrollFailure(sync(input));
    expect(err.code).toBe('INVALID_INPUT');
    return (err as InvalidInputError).issues.map((i) => [i.field, i.code, i.reason]);
  }

  describe('停用 is not 尚未啟用', () => {
    it('a deactivated member is refused as deactivated at every step, in words that do not send it to the 啟動連結', async () => {
      await sync({ activatedAt: CLICKED });
      await flow.uploadCertificate(claire.memberId, claireCard(), member);
      clock.advance(60_000);
      const off = await sync({ activatedAt: null });
      expect([off.activatedAt, off.deactivatedAt]).toEqual([undefined, '2026-03-02T01:01:00.000Z']);

      const err = await enrollFailure(flow.apply(applyInput, member));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'MEMBER_DEACTIVATED']);
      const words = defaultMessages.describe(err).messages;
      expect(words.zhTW).toContain('帳號已停用');
      expect(words.zhTW).not.toContain('啟動連結');
      expect(words.zhTW).not.toContain('尚未啟用');
      expect(words.en).toMatch(/deactivated/);
      expect(await refusal(flow.prepareApplication(applyInput, member))).toBe('MEMBER_DEACTIVATED');
      expect(await refusal(flow.uploadCertificate(claire.memberId, claireCard(), member))).toBe('MEMBER_DEACTIVATED');
      expect(await refusal(flow.certificateLogin(claireCard()))).toBe('MEMBER_DEACTIVATED');
      expect(personnel.queries).toEqual([]);

      // Still deactivated when synchronized again, by a host that reports it or one that does not; reactivated, not.
      clock.advance(60_000);
      expect((await sync({ activatedAt: null })).deactivatedAt).toBe('2026-03-02T01:01:00.000Z');
      expect((await flow.syncMember(claire, host)).deactivatedAt).toBe('2026-03-02T01:01:00.000Z');
      const on = await sync({ activatedAt: new Date('2026-03-02T01:02:00Z') });
      expect([on.activatedAt, on.deactivatedAt]).toEqual(['2026-03-02T01:02:00.000Z', undefined]);
      expect((await flow.certificateLogin(claireCard())).memberId).toBe(claire.memberId);
    });

    it('a member never activated keeps the 啟動連結 refusals, however often the host says so', async () => {
      await sync({ activatedAt: null });
      const again = await sync({ activatedAt: null });
      expect([again.activatedAt, again.deactivatedAt]).toEqual([undefined, undefined]);
      expect(await refusal(flow.apply(applyInput, member))).toBe('APPLICANT_NOT_ACTIVATED');
      expect(await refusal(flow.uploadCertificate(claire.memberId, claireCard(), member))).toBe('MEMBER_NOT_ACTIVATED');
      const err = await enrollFailure(flow.uploadCertificate(claire.memberId, claireCard(), member));
      expect(defaultMessages.describe(err).messages.zhTW).toContain('啟動連結');
    });
  });

  describe('停用 before the SDK first saw the member: only the host can tell (deactivatedAt)', () => {
    const TOLD = new Date('2026-02-20T03:00:00Z');

    it('told with its first sync: 停用 at every step, its old applications cancelled as 帳號已停用; kept until activated', async () => {
      await unchecked(db(), 'manualReview'); // made before the SDK had a member reference
      const off = await sync({ activatedAt: null, deactivatedAt: TOLD });
      expect([off.activatedAt, off.deactivatedAt]).toEqual([undefined, '2026-02-20T03:00:00.000Z']);
      const memberTrail = await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId });
      expect(memberTrail.map((e) => [e.event, e.reason])).toEqual([['syncMember', '帳號已停用']]);
      expect(await flow.get(APP_ID)).toMatchObject({ status: 'cancelled', cancelledBy: 'system' });
      const appTrail = await readAuditTrail(db(), { flow: 'officialAccount', subject: APP_ID });
      expect(appTrail.map((e) => e.reason)).toEqual(['帳號已停用，待該帳號啟用後須重新申請公務帳號']);

      const err = await enrollFailure(flow.apply(applyInput, member));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'MEMBER_DEACTIVATED']);
      expect(defaultMessages.describe(err).messages.zhTW).not.toContain('啟動連結');
      expect(await refusal(flow.uploadCertificate(claire.memberId, claireCard(), member))).toBe('MEMBER_DEACTIVATED');

      // A later sync that tells nothing keeps it; an activation clears it.
      clock.advance(60_000);
      expect((await sync({ activatedAt: null })).deactivatedAt).toBe('2026-02-20T03:00:00.000Z');
      expect((await sync({ activatedAt: null, deactivatedAt: null })).deactivatedAt).toBe('2026-02-20T03:00:00.000Z');
      const on = await sync({ activatedAt: CLICKED });
      expect([on.activatedAt, on.deactivatedAt]).toEqual(['2026-03-01T02:30:00.000Z', undefined]);
    });

    it('told later, for a member the SDK knew only as not activated: 停用 from then on', async () => {
      await sync({ activatedAt: null });
      expect(await refusal(flow.apply(applyInput, member))).toBe('APPLICANT_NOT_ACTIVATED');
      expect((await sync({ activatedAt: null, deactivatedAt: TOLD })).deactivatedAt).toBe('2026-02-20T03:00:00.000Z');
      expect(await refusal(flow.apply(applyInput, member))).toBe('MEMBER_DEACTIVATED');
      // The host's instant, not the one the SDK saw the edge at, for a member seen activated too.
      await sync({ activatedAt: CLICKED });
      await sync({ activatedAt: null, deactivatedAt: new Date('2026-03-02T00:10:00Z') });
      expect((await flow.member(claire.memberId)).deactivatedAt).toBe('2026-03-02T00:10:00.000Z');
    });

    it('refused beside an activation, without activatedAt, or when not a Date; nothing is written', async () => {
      const issues = async (input: Record<string, unknown>): Promise<unknown> => {
        const err = await enrollFailure(flow.syncMember({ ...claire, ...input } as unknown as OfficialMemberInput, host));
        return (err as InvalidInputError).issues.map((i) => [i.field, i.code]);
      };
      expect(await issues({ activatedAt: CLICKED, deactivatedAt: TOLD })).toEqual([['deactivatedAt', 'MISMATCH']]);
      expect(await issues({ deactivatedAt: TOLD })).toEqual([['activatedAt', 'REQUIRED']]);
      expect(await issues({ deactivatedAt: null })).toEqual([['activatedAt', 'REQUIRED']]);
      expect(await issues({ activatedAt: null, deactivatedAt: '2026-02-20T03:00:00Z' })).toEqual([['deactivatedAt', 'INVALID_FORMAT']]);
      expect((await enrollFailure(flow.member(claire.memberId))).code).toBe('NOT_FOUND');
      // Not told (null, or a key forwarded as undefined): never activated, as before.
      for (const deactivatedAt of [null, undefined]) {
        expect((await sync({ activatedAt: null, deactivatedAt })).deactivatedAt).toBeUndefined();
      }
    });

    it('an instant that cannot be a deactivation (ahead of the clock beyond the skew, before 2000, not a Date) is refused; nothing is written', async () => {
      // The clock reads 2026-03-02T01:00:00Z.
      const cases: Array<[Date, RegExp]> = [
        [new Date('2026-03-02T01:05:00.001Z'), /must not be in the future \(now 2026-03-02T01:00:00.000Z; a host clock up to 5 minutes ahead/],
        [new Date('2126-03-02T01:00:00Z'), /must not be in the future/],
        [new Date(1_772_413_200_000 * 1000), /must not be in the future/], // a timestamp in milliseconds multiplied again as if it were seconds
        [new Date(0), /must not be before 2000-01-01T00:00:00\+08:00/], // a null column read as a Date
        [new Date(1_772_413_200), /must not be before 2000-01-01/], // seconds taken as milliseconds
        [new Date('1926-02-20T03:00:00Z'), /must not be before 2000-01-01/], // a two-digit year
        [new Date('1999-12-31T15:59:59.999Z'), /must not be before 2000-01-01/], // a millisecond before 2000 in Taiwan
      ];
      for (const [deactivatedAt, reason] of cases) {
        const issues = await refusedInput({ activatedAt: null, deactivatedAt });
        expect(issues.map(([field, code]) => [field, code])).toEqual([['deactivatedAt', 'OUT_OF_RANGE']]);
        expect(issues[0]?.[2]).toMatch(reason);
      }
      expect((await refusedInput({ activatedAt: null, deactivatedAt: new Date(Number.NaN) })).map(([f, c]) => [f, c])).toEqual([['deactivatedAt', 'INVALID_FORMAT']]);
      expect((await enrollFailure(flow.member(claire.memberId))).code).toBe('NOT_FOUND');
      expect(await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId })).toEqual([]);

      // The bounds themselves are plausible: a host clock five minutes ahead, 2000-01-01 00:00 in Taiwan.
      expect((await sync({ activatedAt: null, deactivatedAt: new Date('2026-03-02T01:05:00Z') })).deactivatedAt).toBe('2026-03-02T01:05:00.000Z');
      const other = { ...claire, memberId: 'claire-old', activatedAt: null, deactivatedAt: new Date('2000-01-01T00:00:00+08:00') };
      expect((await flow.syncMember(other, host)).deactivatedAt).toBe('1999-12-31T16:00:00.000Z');
    });

    it('an instant before the member\'s recorded activation is refused, the member and its application left as they were; at the activation, taken', async () => {
      await sync({ activatedAt: CLICKED });
      await unchecked(db());
      const versionBefore = (await flow.member(claire.memberId)).version;
      clock.advance(60_000);

      const issues = await refusedInput({ activatedAt: null, deactivatedAt: new Date(CLICKED.getTime() - 1) });
      expect(issues).toEqual([
        ['deactivatedAt', 'OUT_OF_RANGE', 'must not be before the account\'s recorded activation (activatedAt 2026-03-01T02:30:00.000Z): an account is deactivated after it was activated'],
      ]);
      const still = await flow.member(claire.memberId);
      expect([still.activatedAt, still.deactivatedAt, still.version]).toEqual(['2026-03-01T02:30:00.000Z', undefined, versionBefore]);
      expect((await flow.get(APP_ID)).status).toBe('underReview');

      expect((await sync({ activatedAt: null, deactivatedAt: CLICKED })).deactivatedAt).toBe('2026-03-01T02:30:00.000Z');
      expect((await flow.get(APP_ID)).status).toBe('cancelled');
    });
    it('the stand-in activation of a member synchronized without activatedAt does not bound it: a 停用 told before it is taken', async () => {
      // Taken as activated when first synchronized (01:00), by a host that did not report activation; it now reports.
      expect((await flow.syncMember(claire, host)).activatedAt).toBe('2026-03-02T01:00:00.000Z');
      await unchecked(db());
      clock.advance(60_000);
      const off = await sync({ activatedAt: null, deactivatedAt: TOLD });
      expect([off.activatedAt, off.deactivatedAt]).toEqual([undefined, '2026-02-20T03:00:00.000Z']);
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId });
      expect(trail.map((e) => e.reason)).toEqual(['帳號啟用未告知，視為已啟用 (activatedAt not reported) 2026-03-02T01:00:00.000Z', '帳號已停用']);
      expect(await flow.get(APP_ID)).toMatchObject({ status: 'cancelled', cancelledBy: 'system' });
      expect(await refusal(flow.apply(applyInput, member))).toBe('MEMBER_DEACTIVATED');

      // So does migration 0012's (the first sync's time it gave the members it found); a reported activation does.
      await db().transaction((tx) =>
        tx.query(
          `INSERT INTO enroll_official_members (member_id, name, national_id, email, created_at, updated_at, activated_at)
           VALUES ('dora', $1, $2, 'dora@example.com', '2026-02-25T00:00:00Z', '2026-02-25T00:00:00Z', '2026-02-25T00:00:00Z')`,
          [claire.name, claire.nationalId],
        ),
      );
      const dora = (deactivatedAt: Date) => flow.syncMember({ ...claire, memberId: 'dora', activatedAt: null, deactivatedAt }, host);
      expect((await dora(TOLD)).deactivatedAt).toBe('2026-02-20T03:00:00.000Z');
      await flow.syncMember({ ...claire, memberId: 'dora', activatedAt: new Date('2026-02-26T00:00:00Z') }, host);
      const err = await enrollFailure(dora(new Date('2026-02-25T23:59:59Z')));
      expect((err as InvalidInputError).issues.map((i) => [i.field, i.code])).toEqual([['deactivatedAt', 'OUT_OF_RANGE']]);
    });
  });

  describe('a member that stays deactivated: one 帳號已停用, the first instant kept (a host may tell it at every sync)', () => {
    /** The member's syncMember audit reasons, in order (`-` for one that wrote no reason). */
    async function syncReasons(memberId = claire.memberId): Promise<string[]> {
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: memberId });
      return trail.filter((e) => e.event === 'syncMember').map((e) => e.reason ?? '-');
    }

    it('a host stamping every sync with its own now: the first instant stays, no line per sync; deactivated again after an activation, recorded', async () => {
      await sync({ activatedAt: CLICKED });
      clock.advance(60_000);
      const first = await sync({ activatedAt: null, deactivatedAt: clock.now() });
      expect(first.deactivatedAt).toBe('2026-03-02T01:01:00.000Z');
      for (let i = 0; i < 3; i++) {
        clock.advance(60_000);
        expect((await sync({ activatedAt: null, deactivatedAt: clock.now() })).deactivatedAt).toBe('2026-03-02T01:01:00.000Z');
      }
      expect(await syncReasons()).toEqual(['帳號已啟用 2026-03-01T02:30:00.000Z', '帳號已停用', '-', '-', '-']);
      expect(await refusal(flow.apply(applyInput, member))).toBe('MEMBER_DEACTIVATED');

      // A real change: reactivated, then deactivated again, is recorded with its new instant.
      clock.advance(60_000);
      await sync({ activatedAt: new Date('2026-03-02T01:05:00Z') });
      clock.advance(60_000);
      expect((await sync({ activatedAt: null, deactivatedAt: clock.now() })).deactivatedAt).toBe('2026-03-02T01:06:00.000Z');
      clock.advance(60_000);
      expect((await sync({ activatedAt: null, deactivatedAt: clock.now() })).deactivatedAt).toBe('2026-03-02T01:06:00.000Z');
      expect((await syncReasons()).slice(5)).toEqual(['帳號已啟用 2026-03-02T01:05:00.000Z', '帳號已停用', '-']);
    });

    it('two first syncs telling 停用 at once: one 帳號已停用 line, by the sync whose instant is recorded', async () => {
      // The host's sync job and its admin page, say. PGlite runs them one after the other; PostgreSQL may interleave
      // them (races-official-sync.test.ts forces the interleaving).
      const admin = { role: 'system', id: 'egov-admin' } as const;
      const told = new Map([[host.id, '2026-02-20T03:00:00.000Z'], [admin.id, '2026-02-21T03:00:00.000Z']]);
      const answers = await Promise.all([host, admin].map((actor) => sync({ activatedAt: null, deactivatedAt: new Date(told.get(actor.id) as string) }, actor)));
      const trail = (await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId })).filter((e) => e.event === 'syncMember');
      expect(trail.map((e) => e.reason ?? '-')).toEqual(['帳號已停用', '-']);
      const recorded = told.get(trail[0]?.actor.id as string);
      expect(answers.map((m) => m.deactivatedAt)).toEqual([recorded, recorded]);
    });

    it('the instant first recorded stays whoever recorded it: an edge the SDK saw, or one told before the SDK saw the member', async () => {
      await sync({ activatedAt: CLICKED });
      clock.advance(60_000);
      expect((await sync({ activatedAt: null })).deactivatedAt).toBe('2026-03-02T01:01:00.000Z');
      clock.advance(60_000);
      expect((await sync({ activatedAt: null, deactivatedAt: new Date('2026-03-02T00:30:00Z') })).deactivatedAt).toBe('2026-03-02T01:01:00.000Z');
      expect(await syncReasons()).toEqual(['帳號已啟用 2026-03-01T02:30:00.000Z', '帳號已停用', '-']);

      // Told with the first sync of another member, then told otherwise.
      const dora = (deactivatedAt: Date) => flow.syncMember({ ...claire, memberId: 'dora', activatedAt: null, deactivatedAt }, host);
      expect((await dora(new Date('2026-02-20T03:00:00Z'))).deactivatedAt).toBe('2026-02-20T03:00:00.000Z');
      expect((await dora(new Date('2026-02-21T03:00:00Z'))).deactivatedAt).toBe('2026-02-20T03:00:00.000Z');
      expect(await syncReasons('dora')).toEqual(['帳號已停用', '-']);
      // Still checked though not stored: an impossible instant is the host's bug.
      expect((await refusedInput({ activatedAt: null, deactivatedAt: new Date('2126-01-01T00:00:00Z') })).map(([f, c]) => [f, c])).toEqual([['deactivatedAt', 'OUT_OF_RANGE']]);
    });
  });

  describe('the approval reads the applicant\'s account again', () => {
    it('never activated (an application a release that did not check wrote): refused, cancelled by the system, nobody promoted or mailed', async () => {
      await sync({ activatedAt: null });
      await unchecked(db());
      clock.advance(60_000);

      expect(await refusal(flow.approve(APP_ID, reviewer))).toBe('APPLICANT_NOT_ACTIVATED');
      const app = await flow.get(APP_ID);
      expect([app.status, app.cancelledBy, app.decidedAt]).toEqual(['cancelled', 'system', '2026-03-02T01:01:00.000Z']);
      expect((await flow.member(claire.memberId)).memberType).toBe('citizen');
      expect(mailer.sent).toEqual([]);
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: APP_ID });
      expect(trail.map((e) => [e.event, e.from, e.to, e.actor.role])).toEqual([['cancel', 'underReview', 'cancelled', 'reviewer']]);
      expect(trail[0]?.reason).toContain('帳號尚未啟用');
      // Not waiting for an approval that cannot come: it is decided.
      expect((await enrollFailure(flow.approve(APP_ID, reviewer))).code).toBe('INVALID_TRANSITION');
      expect((await flow.reviewQueue({ status: 'underReview' })).total).toBe(0);

      // Activated, the member applies; the system's cancellation did not use up the first application.
      await sync({ activatedAt: CLICKED });
      expect(await flow.apply(applyInput, member)).toMatchObject({ status: 'approved', attempt: 2 });
    });

    it('deactivated: refused as deactivated, cancelled', async () => {
      await sync({ activatedAt: CLICKED });
      await sync({ activatedAt: null });
      await unchecked(db());
      const err = await enrollFailure(flow.approve(APP_ID, reviewer));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'MEMBER_DEACTIVATED']);
      expect(await flow.get(APP_ID)).toMatchObject({ status: 'cancelled', cancelledBy: 'system' });
      expect((await flow.member(claire.memberId)).memberType).toBe('citizen');
      expect(mailer.sent).toEqual([]);
    });

    it('activated: approved as before', async () => {
      await sync({ activatedAt: CLICKED });
      await unchecked(db());
      expect((await flow.approve(APP_ID, reviewer)).status).toBe('approved');
      expect((await flow.member(claire.memberId)).memberType).toBe('official');
    });

    it('a first sync that reports the member not activated cancels the applications it already has', async () => {
      // Made before the SDK had a member reference for it.
      await unchecked(db(), 'manualReview');
      await sync({ activatedAt: null });
      expect(await flow.get(APP_ID)).toMatchObject({ status: 'cancelled', cancelledBy: 'system' });
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: APP_ID });
      expect(trail.map((e) => [e.event, e.reason])).toEqual([['cancel', '帳號尚未啟用，待該帳號啟用後須重新申請公務帳號']]);
    });
  });

  describe('every reviewer command reads the applicant\'s account again', () => {
    /** Claire's application on the 申請書 route (not on the personnel record yet), made while she was activated. */
    async function manualApplication(): Promise<string> {
      personnel.records.length = 0;
      await sync({ activatedAt: CLICKED });
      const app = await flow.apply(applyInput, member);
      expect(app.status).toBe('manualReview');
      return app.id;
    }

    async function expectCancelledBySystem(id: string, from: string, reason: string): Promise<void> {
      expect(await flow.get(id)).toMatchObject({ status: 'cancelled', cancelledBy: 'system', decidedAt: '2026-03-02T01:01:00.000Z' });
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: id });
      expect(trail.at(-1)).toMatchObject({ event: 'cancel', from, to: 'cancelled', actor: reviewer, reason });
      expect(mailer.sent).toEqual([]);
    }

    it('a rejection of a deactivated member\'s application cancels it instead: no attempt used up, no notice', async () => {
      const id = await manualApplication();
      await flow.receiveForm(id, { channel: 'fax' }, reviewer);
      await inactiveUnchecked(db(), true);
      clock.advance(60_000);

      const err = await enrollFailure(flow.reject(id, reviewer, '未附服務證明'));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'MEMBER_DEACTIVATED']);
      await expectCancelledBySystem(id, 'formReceived', '駁回時帳號已停用，申請取消（不計申請次數），待該帳號啟用後須重新申請公務帳號');
      expect((await flow.get(id)).reviewNote).toBeUndefined();

      // Reactivated and on the record: the next application is still the first, so the personnel check approves it.
      await sync({ activatedAt: CLICKED });
      personnel.records.push({ name: claire.name, nationalId: claire.nationalId, agencyOid: NFA });
      expect(await flow.apply(applyInput, member)).toMatchObject({ status: 'approved', attempt: 2 });
    });

    it('a rejection before 收件 of a member never activated: refused as not activated, cancelled', async () => {
      const id = await manualApplication();
      await inactiveUnchecked(db(), false);
      clock.advance(60_000);
      const err = await enrollFailure(flow.reject(id, reviewer, '申請書未寄達'));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'APPLICANT_NOT_ACTIVATED']);
      expect(err.message).toContain('帳號尚未啟用');
      await expectCancelledBySystem(id, 'manualReview', '駁回時帳號尚未啟用，申請取消（不計申請次數），待該帳號啟用後須重新申請公務帳號');
    });

    it('收件 of a member not activated is refused and the application cancelled: no working day starts', async () => {
      const id = await manualApplication();
      await inactiveUnchecked(db(), false);
      clock.advance(60_000);
      const err = await enrollFailure(flow.receiveForm(id, { channel: 'fax' }, reviewer));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'APPLICANT_NOT_ACTIVATED']);
      await expectCancelledBySystem(id, 'manualReview', '收件時帳號尚未啟用，申請取消（不計申請次數），待該帳號啟用後須重新申請公務帳號');
      const app = await flow.get(id);
      expect([app.formReceipt, app.reviewDueAt]).toEqual([undefined, undefined]);
      expect((await flow.overdueReviews()).total).toBe(0);
    });

    it('a 收件更正 for a deactivated member is refused and the application cancelled', async () => {
      const id = await manualApplication();
      await flow.receiveForm(id, { channel: 'fax' }, reviewer);
      await inactiveUnchecked(db(), true);
      clock.advance(60_000);
      const err = await enrollFailure(flow.correctFormReceipt(id, { channel: 'email', receivedAt: '2026-03-02T09:00:00+08:00' }, reviewer));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'MEMBER_DEACTIVATED']);
      await expectCancelledBySystem(id, 'formReceived', '收件更正時帳號已停用，申請取消（不計申請次數），待該帳號啟用後須重新申請公務帳號');
    });

    /** The application as the refused request found it: still open, not cancelled, its trail ending with `lastEvent`. */
    async function untouched(id: string, status: string, version: number, lastEvent: string): Promise<void> {
      const app = await flow.get(id);
      expect([app.status, app.cancelledBy, app.decidedAt, app.version]).toEqual([status, undefined, undefined, version]);
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: id });
      expect(trail.at(-1)?.event).toBe(lastEvent);
      expect(trail.some((e) => e.event === 'cancel')).toBe(false);
    }

    it('a 收件更正 refused for its own reason (stale version, arrival out of range) answers that and cancels nothing; a sound one is refused for the account', async () => {
      const id = await manualApplication();
      // 收件 recorded at 2026-03-02T01:00Z, the application made then too.
      const { version } = await flow.receiveForm(id, { channel: 'fax' }, reviewer);
      await inactiveUnchecked(db(), true);
      clock.advance(60_000);
      const correct = (receivedAt: string, expectedVersion?: number) =>
        flow.correctFormReceipt(id, { channel: 'email', receivedAt, ...(expectedVersion === undefined ? {} : { expectedVersion }) }, reviewer);

      expect((await enrollFailure(correct('2026-03-02T09:00:00+08:00', version - 1))).code).toBe('CONCURRENT_UPDATE');
      await untouched(id, 'formReceived', version, 'receiveForm');
      for (const receivedAt of ['2026-03-02T09:00:30+08:00', '2026-03-02T08:59:00+08:00', '2026-03-02T09:05:00+08:00']) {
        // After the 收件 was recorded, before the application, in the future.
        const err = await enrollFailure(correct(receivedAt, version));
        expect([err.code, (err as InvalidInputError).issues.map((i) => [i.field, i.code])]).toEqual(['INVALID_INPUT', [['receivedAt', 'OUT_OF_RANGE']]]);
        await untouched(id, 'formReceived', version, 'receiveForm');
      }

      const err = await enrollFailure(correct('2026-03-02T09:00:00+08:00', version));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'MEMBER_DEACTIVATED']);
      await expectCancelledBySystem(id, 'formReceived', '收件更正時帳號已停用，申請取消（不計申請次數），待該帳號啟用後須重新申請公務帳號');
    });

    it('a 收件 whose arrival is out of range answers that and cancels nothing; a sound one is refused for the account', async () => {
      const id = await manualApplication();
      const { version } = await flow.get(id);
      await inactiveUnchecked(db(), false);
      clock.advance(60_000);
      for (const receivedAt of ['2026-03-02T09:05:00+08:00', '2026-03-02T08:59:00+08:00']) {
        const err = await enrollFailure(flow.receiveForm(id, { channel: 'fax', receivedAt }, reviewer));
        expect([err.code, (err as InvalidInputError).issues.map((i) => [i.field, i.code])]).toEqual(['INVALID_INPUT', [['receivedAt', 'OUT_OF_RANGE']]]);
        await untouched(id, 'manualReview', version, 'apply');
      }
      const err = await enrollFailure(flow.receiveForm(id, { channel: 'fax', receivedAt: '2026-03-02T09:00:30+08:00' }, reviewer));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'APPLICANT_NOT_ACTIVATED']);
      await expectCancelledBySystem(id, 'manualReview', '收件時帳號尚未啟用，申請取消（不計申請次數），待該帳號啟用後須重新申請公務帳號');
    });

    it('an activated member\'s application is received and rejected as before (the refusal is the account\'s, not the command\'s)', async () => {
      const id = await manualApplication();
      expect((await flow.receiveForm(id, { channel: 'fax' }, reviewer)).status).toBe('formReceived');
      expect(await flow.reject(id, reviewer, '未附服務證明')).toMatchObject({ status: 'rejected', reviewNote: '未附服務證明' });
      // A decided application is INVALID_TRANSITION, whatever the member's state now.
      await inactiveUnchecked(db(), true);
      expect((await enrollFailure(flow.reject(id, reviewer, '重複'))).code).toBe('INVALID_TRANSITION');
      expect((await flow.get(id)).status).toBe('rejected');
    });
  });

  describe('attempts (「如果您是第二次申請公務帳號…」: the 申請書 route)', () => {
    it('an application cancelled because the host deactivated the account does not count', async () => {
      personnel.records.length = 0; // not on record yet: the first application goes the 申請書 route
      await sync({ activatedAt: CLICKED });
      const first = await flow.apply(applyInput, member);
      expect(first.status).toBe('manualReview');
      await sync({ activatedAt: null });
      expect(await flow.get(first.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'system' });

      await sync({ activatedAt: CLICKED });
      personnel.records.push({ name: claire.name, nationalId: claire.nationalId, agencyOid: NFA });
      const next = await flow.apply(applyInput, member);
      // Numbered second, judged as the first: the personnel check approves it.
      expect(next).toMatchObject({ status: 'approved', attempt: 2 });
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: next.id });
      expect(trail[0]?.reason).toContain('另 1 件申請由系統取消，不計申請次數');
    });

    it('so does one cancelled because the host changed the name; one the member changed itself counts', async () => {
      await sync({ activatedAt: CLICKED });
      personnel.records.length = 0;
      const first = await flow.apply(applyInput, member);
      await sync({ activatedAt: CLICKED, name: '張美美' });
      expect(await flow.get(first.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'system' });

      const second = await flow.apply(applyInput, member);
      expect(second.status).toBe('manualReview');
      await sync({ activatedAt: CLICKED, name: claire.name }, member);
      expect(await flow.get(second.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'member' });

      personnel.records.push({ name: claire.name, nationalId: claire.nationalId, agencyOid: NFA });
      const third = await flow.apply(applyInput, member);
      expect(third).toMatchObject({ status: 'manualReview', attempt: 3 });
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: third.id });
      expect(trail[0]?.reason).toContain('第 2 次申請，人工審核 (另 1 件申請由系統取消，不計申請次數)');
    });

    it('across the person\'s accounts the same rule: another account\'s application the system cancelled does not count', async () => {
      await sync({ activatedAt: CLICKED });
      // A second account registered with Claire's 身分證統一編號 by mistake: while it has it, Claire's is not first.
      const other = { memberId: 'claire-typo', name: claire.name, nationalId: claire.nationalId, email: 'typo@example.com', activatedAt: CLICKED };
      const typo = { role: 'applicant', id: other.memberId } as const;
      await flow.syncMember(other, host);
      const mistaken = await flow.apply({ ...applyInput, memberId: other.memberId }, typo);
      expect(mistaken.status).toBe('manualReview');
      // The host corrects the ID: the application made with Claire's is cancelled by the system.
      await flow.syncMember({ ...other, nationalId: 'F131104093' }, host);
      expect(await flow.get(mistaken.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'system' });

      // (One the other account withdrew itself still counts: official-application.test.ts, "an account whose ID was
      // used by another account's application before".)
      const mine = await flow.apply(applyInput, member);
      expect(mine).toMatchObject({ status: 'approved', attempt: 1 });
    });

    it('the member\'s own 取消申請 counts, as it did', async () => {
      await sync({ activatedAt: CLICKED });
      personnel.records.length = 0;
      const first = await flow.apply(applyInput, member);
      expect(await flow.cancel(first.id, member)).toMatchObject({ status: 'cancelled', cancelledBy: 'member' });
      personnel.records.push({ name: claire.name, nationalId: claire.nationalId, agencyOid: NFA });
      expect(await flow.apply(applyInput, member)).toMatchObject({ status: 'manualReview', attempt: 2 });
    });
  });

  it('a state document carries who cancelled, and refuses a forged one (it decides whether the application counts)', async () => {
    await sync({ activatedAt: CLICKED });
    personnel.records.length = 0;
    const app = await flow.apply(applyInput, member);
    await sync({ activatedAt: null });
    const cancelled = await flow.get(app.id);
    const doc = serializeState({ flow: 'officialAccount', state: cancelled });
    expect(rehydrateState(doc)).toEqual({ flow: 'officialAccount', state: cancelled });
    const forged = (change: Record<string, unknown>) => {
      const parsed = JSON.parse(doc) as { state: Record<string, unknown> };
      return JSON.stringify({ ...parsed, state: { ...parsed.state, ...change } });
    };
    for (const change of [{ cancelledBy: 'reviewer' }, { cancelledBy: 'system', status: 'manualReview' }]) {
      expect(() => rehydrateState(forged(change))).toThrow(expect.objectContaining({ code: 'INVALID_STATE_DOCUMENT' }));
    }
  });
});
