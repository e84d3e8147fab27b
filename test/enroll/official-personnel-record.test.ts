/**
 * 「若審核通過，您的所屬機關資訊將隨 [行政院人事行政總處] 登載資料自動更新」 (seed emic…,
 * 申請公務帳號步驟 4): after approval a 公務人員's agency follows the personnel
 * record through `followPersonnelRecord`, audited; someone the record no longer
 * lists is kept for a reviewer, or 自然人 again when the host asks for that —
 * on both stores, through the public API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, ManualClock, OfficialAccountFlow, StaticAgencyDirectory, readAuditTrail, type AgencyOid } from '../../src/enroll/index.js';
import { describeEachStore, enrollFailure, tableCounts } from './helpers.js';
import { FakePersonnelSystem, NFA, claire, host, member, reviewer } from './official-fixtures.js';

const NIA = '2.16.886.101.20003.20001.20009';
const UNLISTED = '2.16.886.101.20003.20001.20099';
const directory = new StaticAgencyDirectory([
  { oid: NFA as AgencyOid, name: '內政部消防署' },
  { oid: NIA as AgencyOid, name: '內政部移民署' },
]);

async function code(p: Promise<unknown>): Promise<string> {
  return (await enrollFailure(p)).code;
}

describeEachStore('enroll_t_official_record', (db) => {
  let clock: ManualClock;
  let personnel: FakePersonnelSystem;
  let flow: OfficialAccountFlow;
  const follows = async (): Promise<unknown[]> =>
    (await readAuditTrail(db(), { flow: 'officialAccount', subject: claire.memberId }))
      .filter((e) => e.event === 'followPersonnelRecord')
      .map((e) => [e.from, e.to, e.actor.id, e.reason]);

  beforeEach(async () => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    personnel = new FakePersonnelSystem();
    personnel.records.push({ name: claire.name, nationalId: claire.nationalId, agencyOid: NFA });
    flow = new OfficialAccountFlow({ store: db(), clock, agencies: directory, personnel });
    await flow.syncMember(claire, host);
    expect((await flow.apply({ memberId: claire.memberId, agencyOid: NFA, reason: '公務人員', attested: true }, member)).status).toBe('approved');
    clock.advance(86_400_000);
  });

  describe('the agency follows the record', () => {
    it('a move on the record moves the member, audited; asking again with no change writes nothing', async () => {
      const before = await flow.member(claire.memberId);
      personnel.records[0] = { ...claire, agencyOid: NIA };
      const { member: moved, outcome } = await flow.followPersonnelRecord(claire.memberId, host);
      expect(outcome).toBe('moved');
      expect(moved).toMatchObject({ memberType: 'official', agencyOid: NIA, agencyName: '內政部移民署', version: before.version + 1, updatedAt: '2026-03-03T01:00:00.000Z' });
      expect(await flow.member(claire.memberId)).toEqual(moved);
      expect(personnel.lookups).toEqual([{ name: claire.name, nationalId: claire.nationalId }]);
      expect(await follows()).toEqual([['official', 'official', 'egov-portal', `人事行政總處登載資料：${NFA} 內政部消防署 → ${NIA} 內政部移民署`]]);

      const counts = await tableCounts(db());
      expect(await flow.followPersonnelRecord(claire.memberId, reviewer)).toEqual({ member: moved, outcome: 'unchanged', recordAgencyOid: NIA });
      expect(await tableCounts(db())).toEqual(counts);
    });

    // A transfer the record has not caught up with goes to the 申請書 route (公務人員轉換機關 is attempt 2): the agency
    // a reviewer approved must not be undone by the next nightly run.
    const transferByHand = async (): Promise<void> => {
      const transfer = await flow.apply({ memberId: claire.memberId, agencyOid: NIA, reason: '公務人員', attested: true }, member);
      expect(transfer).toMatchObject({ status: 'manualReview', item: '公務人員轉換機關' });
      await flow.receiveForm(transfer.id, { channel: 'fax' }, reviewer);
      await flow.approve(transfer.id, reviewer, '服務證明相符：已調任移民署');
      expect((await flow.member(claire.memberId)).agencyOid).toBe(NIA);
    };

    it('an agency a reviewer approved by hand is not replaced by the record (auto: differs, nothing written)', async () => {
      await transferByHand();
      const before = await flow.member(claire.memberId);
      const counts = await tableCounts(db());
      expect(await flow.followPersonnelRecord(claire.memberId, host)).toEqual({ member: before, outcome: 'differs', recordAgencyOid: NFA });
      expect(await flow.followPersonnelRecord(claire.memberId, host, { recordDiffers: 'auto' })).toMatchObject({ outcome: 'differs' });
      expect(await tableCounts(db())).toEqual(counts);
      expect(await follows()).toEqual([]);
      // The record catches up: unchanged; a later move on the record is still held (the agency is the reviewer's).
      personnel.records[0] = { ...claire, agencyOid: NIA };
      expect(await flow.followPersonnelRecord(claire.memberId, host)).toMatchObject({ outcome: 'unchanged' });
    });

    it("recordDiffers: 'move' moves a hand-approved member too (a reviewer confirming the record), audited", async () => {
      await transferByHand();
      const { member: moved, outcome } = await flow.followPersonnelRecord(claire.memberId, reviewer, { recordDiffers: 'move' });
      expect([outcome, moved.agencyOid]).toEqual(['moved', NFA]);
      expect(await follows()).toEqual([['official', 'official', 'egov-service', `人事行政總處登載資料：${NIA} 內政部移民署 → ${NFA} 內政部消防署`]]);
      // Now the agency is the record's: the next move follows under the default.
      personnel.records[0] = { ...claire, agencyOid: NIA };
      expect(await flow.followPersonnelRecord(claire.memberId, host)).toMatchObject({ outcome: 'moved', member: { agencyOid: NIA } });
    });

    it("recordDiffers: 'report' moves no one, an automatically approved member included", async () => {
      personnel.records[0] = { ...claire, agencyOid: NIA };
      const before = await flow.member(claire.memberId);
      expect(await flow.followPersonnelRecord(claire.memberId, host, { recordDiffers: 'report' })).toEqual({ member: before, outcome: 'differs', recordAgencyOid: NIA });
      expect(await flow.member(claire.memberId)).toEqual(before);
    });

    it('someone the record no longer lists keeps their agency by default: notListed, nothing written', async () => {
      personnel.records.length = 0;
      const before = await flow.member(claire.memberId);
      const counts = await tableCounts(db());
      expect(await flow.followPersonnelRecord(claire.memberId, host)).toEqual({ member: before, outcome: 'notListed' });
      expect(await flow.followPersonnelRecord(claire.memberId, host, { notListed: 'keep' })).toEqual({ member: before, outcome: 'notListed' });
      expect(await flow.member(claire.memberId)).toEqual(before);
      expect(await tableCounts(db())).toEqual(counts);
      expect(await follows()).toEqual([]);
    });

    it("someone the record no longer lists is 自然人 again under notListed: 'demote', audited", async () => {
      personnel.records.length = 0;
      const { member: gone, outcome } = await flow.followPersonnelRecord(claire.memberId, reviewer, { notListed: 'demote' });
      expect(outcome).toBe('demoted');
      expect(gone).toMatchObject({ memberType: 'citizen' });
      expect([gone.agencyOid, gone.agencyName]).toEqual([undefined, undefined]);
      expect(await follows()).toEqual([['official', 'citizen', 'egov-service', `人事行政總處登載資料查無在職紀錄：${NFA} 內政部消防署 → 自然人`]]);
    });

    it('a member that is not 公務人員 is returned as it is, and the record is not asked', async () => {
      await flow.syncMember({ memberId: 'huang01', name: '黃筱筱', nationalId: 'F131104093', email: 'huang@example.com' }, host);
      const counts = await tableCounts(db());
      expect(await flow.followPersonnelRecord('huang01', host)).toEqual({ member: await flow.member('huang01'), outcome: 'notOfficial' });
      expect(personnel.lookups).toEqual([]);
      expect(await tableCounts(db())).toEqual(counts);
    });
  });

  describe('failures change nothing', () => {
    it.each([
      ['an agency the directory does not know', () => void (personnel.records[0] = { ...claire, agencyOid: UNLISTED }), 'AGENCY_OID_UNKNOWN'],
      ['the personnel system is down', () => void (personnel.down = true), 'PERSONNEL_SYSTEM_FAILURE'],
      ['it answers something that is not an OID', () => void (personnel.answer = 'no idea'), 'PERSONNEL_SYSTEM_FAILURE'],
    ])('%s → %s', async (_name, arrange, expected) => {
      arrange();
      const before = await flow.member(claire.memberId);
      const counts = await tableCounts(db());
      expect(await code(flow.followPersonnelRecord(claire.memberId, host))).toBe(expected);
      expect(await flow.member(claire.memberId)).toEqual(before);
      expect(await tableCounts(db())).toEqual(counts);
    });

    it('a personnel system that cannot look people up says so (PERSONNEL_SYSTEM_FAILURE)', async () => {
      const checkOnly = new OfficialAccountFlow({ store: db(), clock, agencies: directory, personnel: { check: (q) => personnel.check(q) } });
      expect(await code(checkOnly.followPersonnelRecord(claire.memberId, host))).toBe('PERSONNEL_SYSTEM_FAILURE');
    });

    it('a name synchronized while the record is asked: CONCURRENT_UPDATE, the sync stands', async () => {
      const asked = personnel.currentAgency.bind(personnel);
      personnel.currentAgency = async (person) => {
        await flow.syncMember({ ...claire, name: '張美美' }, host);
        return asked(person);
      };
      personnel.records[0] = { ...claire, agencyOid: NIA };
      expect(await code(flow.followPersonnelRecord(claire.memberId, host))).toBe('CONCURRENT_UPDATE');
      expect(await flow.member(claire.memberId)).toMatchObject({ name: '張美美', memberType: 'citizen' });
      expect(await follows()).toEqual([]);
    });

    it('only the host or a reviewer (FORBIDDEN, audited); bad and unknown member IDs', async () => {
      expect(await code(flow.followPersonnelRecord(claire.memberId, member))).toBe('FORBIDDEN');
      const refusals = (await readAuditTrail(db(), { flow: 'officialAccount' })).filter((e) => e.event === 'forbidden:followPersonnelRecord');
      expect(refusals.map((e) => [e.subject, e.actor.id])).toEqual([[claire.memberId, claire.memberId]]);
      const bad = await enrollFailure(flow.followPersonnelRecord('a\u0000', { role: 'system', id: '' }));
      expect((bad as InvalidInputError).issues.map((i) => i.field)).toEqual(['actor.id', 'memberId']);
      expect(await code(flow.followPersonnelRecord('nobody1', host))).toBe('NOT_FOUND');
      for (const [options, field] of [
        [{ notListed: 'remove' }, 'options.notListed'],
        [{ recordDiffers: 'follow' }, 'options.recordDiffers'],
        [['demote'], 'options'],
        ['demote', 'options'],
        [null, 'options'],
      ] as const) {
        const refused = await enrollFailure(flow.followPersonnelRecord(claire.memberId, host, options as never));
        expect((refused as InvalidInputError).issues.map((i) => i.field)).toEqual([field]);
      }
      expect(personnel.lookups).toEqual([]);
    });
  });
});
