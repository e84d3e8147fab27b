/**
 * The activation of a member's general account (migration 0012): the host reports when the 啟動連結 of the
 * 會員確認信 was clicked (`activatedAt`), or `null` while it is not. The manual: 「您須先填寫進階資料申請為一般會員，
 * 待該帳號啟用後，繼續完成公務轉換申請步驟」. A member not activated cannot apply (nothing written, the personnel
 * system not asked), upload a card or log in with one; deactivating an activated member cancels its applications
 * still under review; a host that never reports activation keeps working. On both stores, through the public API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  ManualClock,
  OfficialAccountFlow,
  StaticAgencyDirectory,
  readAuditTrail,
  type AgencyOid,
  type OfficialMemberInput,
} from '../../src/enroll/index.js';
import { defaultMessages } from '../../src/messages/index.js';
import { citizenCard, describeEachStore, enrollFailure, tableCounts } from './helpers.js';
import { FakePersonnelSystem, NFA, claire, host, member, reviewer } from './official-fixtures.js';

const applyInput = { memberId: claire.memberId, agencyOid: NFA, reason: '公務人員', attested: true };
/** Claire's citizen card (the holder name and ID hint of the member). */
const claireCard = () => citizenCard(21, { subjectName: claire.name, idHint: '2638' });
const CLICKED = new Date('2026-03-01T02:30:00Z');

describeEachStore('enroll_t_official_activation', (db) => {
  let clock: ManualClock;
  let personnel: FakePersonnelSystem;
  let flow: OfficialAccountFlow;
  const sync = (extra: Partial<Record<keyof OfficialMemberInput, unknown>>) => flow.syncMember({ ...claire, ...extra } as OfficialMemberInput, host);

  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    personnel = new FakePersonnelSystem();
    personnel.records.push({ name: claire.name, nationalId: claire.nationalId, agencyOid: NFA });
    flow = new OfficialAccountFlow({
      store: db(),
      clock,
      agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
      personnel,
    });
  });

  async function refusal(p: Promise<unknown>): Promise<string | undefined> {
    const err = await enrollFailure(p);
    expect(err.code).toBe('NOT_AUTHORIZED');
    return err.refusal;
  }

  describe('a member not activated', () => {
    it('registered, the 啟動連結 not clicked: apply and its confirmation step are refused in the manual\'s words; nothing written, the personnel system not asked', async () => {
      const synced = await sync({ activatedAt: null });
      expect(synced.activatedAt).toBeUndefined();
      expect((await flow.member(claire.memberId)).activatedAt).toBeUndefined();
      const before = await tableCounts(db());

      const err = await enrollFailure(flow.apply(applyInput, member));
      expect([err.code, err.refusal]).toEqual(['NOT_AUTHORIZED', 'APPLICANT_NOT_ACTIVATED']);
      const words = defaultMessages.describe(err).messages;
      expect(words.zhTW).toContain('待該帳號啟用後，繼續完成公務轉換申請步驟');
      expect(words.zhTW).toContain('啟動連結');
      expect(words.zhTW).toContain('重寄確認信');
      expect(words.en).toMatch(/activation link/);
      expect(await refusal(flow.prepareApplication(applyInput, member))).toBe('APPLICANT_NOT_ACTIVATED');
      expect(personnel.queries).toEqual([]);
      expect(await tableCounts(db())).toEqual(before);

      // The link clicked: the host reports it, and the same application goes through (a first one, approved).
      const activated = await sync({ activatedAt: CLICKED });
      expect(activated.activatedAt).toBe(CLICKED.toISOString());
      expect((await flow.apply(applyInput, member)).status).toBe('approved');
    });

    it('a key given as undefined counts as not activated, never as "not reported"', async () => {
      expect((await sync({ activatedAt: undefined })).activatedAt).toBeUndefined();
      expect(await refusal(flow.apply(applyInput, member))).toBe('APPLICANT_NOT_ACTIVATED');
    });

    it('a value that is not a Date is INVALID_INPUT naming activatedAt, and nothing is written', async () => {
      // The last one only calls itself a Date (its tag), which Date's own getTime refuses with a TypeError.
      const taggedDate = { [Symbol.toStringTag]: 'Date', getTime: () => 0 };
      for (const bad of ['2026-03-01T02:30:00Z', new Date(Number.NaN), 1_772_332_200_000, true, { getTime: () => 0 }, taggedDate]) {
        const err = await enrollFailure(sync({ activatedAt: bad }));
        expect(err).toBeInstanceOf(InvalidInputError);
        expect((err as InvalidInputError).issues.map((i) => [i.field, i.code])).toEqual([['activatedAt', 'INVALID_FORMAT']]);
      }
      expect((await tableCounts(db())).enroll_official_members).toBe(0);
    });

    it('an instant that cannot be an activation (ahead of the clock beyond the skew, before 2000) is OUT_OF_RANGE naming activatedAt; nothing written', async () => {
      // The clock reads 2026-03-02T01:00:00Z.
      const cases: Array<[Date, RegExp]> = [
        [new Date('2026-03-02T01:05:00.001Z'), /must not be in the future \(now 2026-03-02T01:00:00.000Z; a host clock up to 5 minutes ahead/],
        [new Date('2126-03-02T01:00:00Z'), /must not be in the future/],
        [new Date(1_772_413_200_000 * 1000), /must not be in the future/], // milliseconds multiplied again as if seconds
        [new Date(0), /must not be before 2000-01-01T00:00:00\+08:00/], // a null column read as a Date
        [new Date(1_772_413_200), /must not be before 2000-01-01/], // seconds taken as milliseconds
        [new Date('1926-03-01T02:30:00Z'), /must not be before 2000-01-01/], // a two-digit year
        [new Date('1999-12-31T15:59:59.999Z'), /must not be before 2000-01-01/], // a millisecond before 2000 in Taiwan
      ];
      const refused = async (activatedAt: Date): Promise<Array<[string, string, string]>> => {
        const err = await enrollFailure(sync({ activatedAt }));
        expect(err).toBeInstanceOf(InvalidInputError);
        return (err as InvalidInputError).issues.map((i) => [i.field, i.code, i.reason]);
      };
      for (const [activatedAt, reason] of cases) {
        const issues = await refused(activatedAt);
        expect(issues.map(([field, code]) => [field, code])).toEqual([['activatedAt', 'OUT_OF_RANGE']]);
        expect(issues[0]?.[2]).toMatch(reason);
      }
      // A new member: not created. A known one, activated or deactivated: left as it was, no audit line.
      expect(await tableCounts(db())).toMatchObject({ enroll_official_members: 0, enroll_audit_log: 0 });
      await sync({ activatedAt: CLICKED });
      const activated = await flow.member(claire.memberId);
      for (const [activatedAt] of cases) expect((await refused(activatedAt))[0]?.[1]).toBe('OUT_OF_RANGE');
      expect(await flow.member(claire.memberId)).toEqual(activated);
      await sync({ activatedAt: null });
      const deactivated = await flow.member(claire.memberId);
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId });
      for (const [activatedAt] of cases) expect((await refused(activatedAt))[0]?.[1]).toBe('OUT_OF_RANGE');
      expect(await flow.member(claire.memberId)).toEqual(deactivated);
      expect(await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId })).toEqual(trail);

      // The bounds are plausible: 2000-01-01 00:00 in Taiwan (a reactivation earlier than the recorded 停用 is taken:
      // a host may keep reporting the account's first click), a host clock five minutes ahead.
      expect(deactivated.deactivatedAt).toBe('2026-03-02T01:00:00.000Z');
      expect((await sync({ activatedAt: new Date('2000-01-01T00:00:00+08:00') })).activatedAt).toBe('1999-12-31T16:00:00.000Z');
      expect((await sync({ activatedAt: new Date('2026-03-02T01:05:00Z') })).activatedAt).toBe('2026-03-02T01:05:00.000Z');
    });

    it('the activation under another name (a host row spread as it is) is INVALID_INPUT naming it, not "not reported"', async () => {
      for (const [key, value] of [['activated_at', null], ['activated', false], ['isActivated', false]] as const) {
        const err = await enrollFailure(sync({ [key]: value }));
        expect(err).toBeInstanceOf(InvalidInputError);
        expect((err as InvalidInputError).issues.map((i) => [i.field, i.code])).toEqual([[key, 'NOT_AN_OPTION']]);
      }
      // Not a member activated as of now, as a host that does not report activation would have it.
      expect((await tableCounts(db())).enroll_official_members).toBe(0);
      // Beside activatedAt, a raw column is the host's own: activatedAt decides.
      const spread: Record<string, unknown> = { activatedAt: null, activated_at: CLICKED };
      expect((await sync(spread)).activatedAt).toBeUndefined();
    });

    it('cannot upload a card or log in with one; activated, both work', async () => {
      await sync({ activatedAt: CLICKED });
      await flow.uploadCertificate(claire.memberId, claireCard(), member);
      await sync({ activatedAt: null });
      // Deactivated (停用), not "not yet activated": official-deactivation.test.ts tells the two apart.
      expect(await refusal(flow.certificateLogin(claireCard()))).toBe('MEMBER_DEACTIVATED');
      expect(await refusal(flow.uploadCertificate(claire.memberId, citizenCard(22, { subjectName: claire.name, idHint: '2638' }), member))).toBe(
        'MEMBER_DEACTIVATED',
      );
      // The card stays (it is the same person's); the refused upload replaced nothing.
      expect((await flow.certificate(claire.memberId))?.cardNumber).toBe(claireCard().cardNumber);
      await sync({ activatedAt: CLICKED });
      expect((await flow.certificateLogin(claireCard())).memberId).toBe(claire.memberId);
    });

    it('deactivated while the personnel system was asked: refused, nothing written', async () => {
      await sync({ activatedAt: CLICKED });
      const check = personnel.check.bind(personnel);
      personnel.check = async (query) => {
        await sync({ activatedAt: null });
        return check(query);
      };
      const before = await tableCounts(db());
      expect(await refusal(flow.apply(applyInput, member))).toBe('MEMBER_DEACTIVATED');
      expect(personnel.queries).toHaveLength(1);
      // Only the deactivating sync's own audit entry was written meanwhile.
      expect(await tableCounts(db())).toEqual({ ...before, enroll_audit_log: (before.enroll_audit_log ?? 0) + 1 });
      expect((await flow.member(claire.memberId)).memberType).toBe('citizen');
    });
  });

  describe('a host that does not report activation', () => {
    it('a new member is activated as of its first sync (audited so), a known one keeps its state', async () => {
      const first = await flow.syncMember(claire, host);
      expect(first.activatedAt).toBe('2026-03-02T01:00:00.000Z');
      await sync({ activatedAt: null });
      clock.advance(60_000);
      // Another e-mail from a host that does not know the field: the account stays not activated.
      const later = await flow.syncMember({ ...claire, email: 'claire@example.com' }, host);
      expect([later.email, later.activatedAt]).toEqual(['claire@example.com', undefined]);
      await sync({ activatedAt: CLICKED });
      expect((await flow.syncMember(claire, host)).activatedAt).toBe(CLICKED.toISOString());

      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId });
      expect(trail.map((e) => e.reason)).toEqual([
        '帳號啟用未告知，視為已啟用 (activatedAt not reported) 2026-03-02T01:00:00.000Z',
        '帳號已停用',
        undefined,
        `帳號已啟用 ${CLICKED.toISOString()}`,
        undefined,
      ]);
    });

    it('a new member reported not activated is audited so', async () => {
      await sync({ activatedAt: null });
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId });
      expect(trail.map((e) => [e.event, e.from, e.to, e.reason])).toEqual([['syncMember', 'none', 'citizen', '帳號尚未啟用']]);
    });
  });

  describe('deactivation (the host reports null for an activated account)', () => {
    it('cancels the application under review (here 已收件), audited with the reason; reactivated, the member applies again', async () => {
      personnel.records.length = 0; // not on record: the first application goes the 申請書 route
      await sync({ activatedAt: CLICKED });
      const app = await flow.apply(applyInput, member);
      expect(app.status).toBe('manualReview');
      await flow.receiveForm(app.id, { channel: 'fax' }, reviewer);

      clock.advance(60_000);
      const off = await sync({ activatedAt: null });
      expect([off.activatedAt, off.memberType]).toEqual([undefined, 'citizen']);
      const cancelled = await flow.get(app.id);
      expect([cancelled.status, cancelled.decidedAt]).toEqual(['cancelled', '2026-03-02T01:01:00.000Z']);
      expect((await enrollFailure(flow.approve(app.id, reviewer))).code).toBe('INVALID_TRANSITION');
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id });
      expect(trail.at(-1)).toMatchObject({ event: 'cancel', from: 'formReceived', to: 'cancelled', actor: host, reason: '帳號已停用，待該帳號啟用後須重新申請公務帳號' });

      await sync({ activatedAt: new Date('2026-03-02T01:05:00Z') });
      // Still not on record: the 申請書 route again (whether the cancelled one counts: official-deactivation.test.ts).
      expect(await flow.apply(applyInput, member)).toMatchObject({ status: 'manualReview', attempt: 2 });
    });

    it.each([
      ['審核中 (no personnel system)', 'underReview'],
      ['人工審核, 申請書 not received', 'manualReview'],
    ] as const)('cancels one %s as well', async (_label, status) => {
      if (status === 'underReview') {
        flow = new OfficialAccountFlow({ store: db(), clock, agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]) });
      } else {
        personnel.records.length = 0;
      }
      await sync({ activatedAt: CLICKED });
      const app = await flow.apply(applyInput, member);
      expect(app.status).toBe(status);
      await sync({ activatedAt: null });
      expect((await flow.get(app.id)).status).toBe('cancelled');
    });

    it('a 公務人員 stays 公務人員 of the agency and keeps the uploaded card, which logs in again once reactivated', async () => {
      await sync({ activatedAt: CLICKED });
      const approved = await flow.apply(applyInput, member);
      await flow.uploadCertificate(claire.memberId, claireCard(), member);
      const off = await sync({ activatedAt: null });
      expect(off).toMatchObject({ memberType: 'official', agencyOid: NFA, agencyName: '內政部消防署' });
      expect(off.activatedAt).toBeUndefined();
      expect((await flow.get(approved.id)).status).toBe('approved');
      expect((await flow.certificate(claire.memberId))?.cardNumber).toBe(claireCard().cardNumber);
      expect(await refusal(flow.certificateLogin(claireCard()))).toBe('MEMBER_DEACTIVATED');
      await sync({ activatedAt: new Date('2026-03-02T00:30:00Z') });
      expect(await flow.certificateLogin(claireCard())).toMatchObject({ memberType: 'official', activatedAt: '2026-03-02T00:30:00.000Z' });
    });
  });
});
