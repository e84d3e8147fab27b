import { beforeEach, describe, expect, it } from 'vitest';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { EnrollError } from '../../src/enroll/errors.js';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { describeEachStore } from './helpers.js';

const NFA = '2.16.886.101.20003.20001.20003';
const member = { role: 'applicant', id: 'clairesu1234' } as const;
const m1 = { role: 'applicant', id: 'm1' } as const;
const reviewer = { role: 'reviewer', id: 'egov-service' } as const;

let flow: OfficialAccountFlow;

describeEachStore('enroll_t_official', (db) => {
  beforeEach(async () => {
    flow = new OfficialAccountFlow({
      store: db(),
      clock: new ManualClock('2026-03-02T01:00:00Z'),
      agencies: new StaticAgencyDirectory([{ oid: NFA as AgencyOid, name: '內政部消防署' }]),
    });
    // 須先申請「一般帳號」: the host synchronizes its members before they apply.
    await flow.syncMember({ memberId: 'clairesu1234', name: '張美善', nationalId: 'A226812638', email: 'claire01001@hotmail.com' }, member);
    await flow.syncMember({ memberId: 'm1', name: '王小明', nationalId: 'A123456789', email: 'm1@example.com' }, m1);
  });

  async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EnrollError);
    expect((err as EnrollError).code).toBe(code);
  }

  describe('official account (seed: 自然人轉公務員)', () => {
    it('fills the agency name from the OID and goes to review', async () => {
      expect((await flow.agencyFor(NFA)).name).toBe('內政部消防署');
      const app = await flow.apply({ memberId: 'clairesu1234', agencyOid: NFA, reason: '公務人員', attested: true }, member);
      expect(app).toMatchObject({ status: 'underReview', agencyName: '內政部消防署', attempt: 1, attestedAt: '2026-03-02T01:00:00.000Z' });
      // Reviewed without a 申請書: its 收件 is refused.
      await expectCode(flow.receiveForm(app.id, { channel: 'fax' }, reviewer), 'INVALID_TRANSITION');
      expect((await flow.approve(app.id, reviewer)).status).toBe('approved');
      await expectCode(flow.approve(app.id, reviewer), 'INVALID_TRANSITION');
      const trail = await readAuditTrail(db(), { flow: 'officialAccount', subject: app.id });
      expect(trail.map((e) => [e.event, e.from, e.to, e.actor.id])).toEqual([
        ['apply', 'none', 'underReview', 'clairesu1234'],
        ['approve', 'underReview', 'approved', 'egov-service'],
      ]);
    });

    it('an account the host never synchronized cannot apply (NOT_FOUND): 須先申請「一般帳號」', async () => {
      const stranger = { role: 'applicant', id: 'never-synced' } as const;
      await expectCode(flow.apply({ memberId: 'never-synced', agencyOid: NFA, reason: '公務人員', attested: true }, stranger), 'NOT_FOUND');
      expect((await flow.reviewQueue({ status: 'underReview' })).total).toBe(0);
    });

    it('an unknown OID is refused (查詢機關OID)', async () => {
      await expectCode(flow.apply({ memberId: 'm1', agencyOid: '2.16.886.101.1', reason: '公務人員', attested: true }, m1), 'AGENCY_OID_UNKNOWN');
      await expectCode(flow.agencyFor('2.16.886.101.1'), 'AGENCY_OID_UNKNOWN');
    });

    it('a second application goes to manual review; one open application at a time', async () => {
      const first = await flow.apply({ memberId: 'm1', agencyOid: NFA, reason: '公務人員', attested: true }, m1);
      await expectCode(flow.apply({ memberId: 'm1', agencyOid: NFA, reason: '公務人員', attested: true }, m1), 'APPLICATION_IN_PROGRESS');
      await flow.reject(first.id, reviewer, '資料檢核不符');
      const second = await flow.apply({ memberId: 'm1', agencyOid: NFA, reason: '公務人員', attested: true }, m1);
      expect(second).toMatchObject({ status: 'manualReview', attempt: 2 });
      await flow.receiveForm(second.id, { channel: 'email' }, reviewer);
      expect((await flow.approve(second.id, reviewer, '申請書核可')).reviewNote).toBe('申請書核可');
    });

    it.each([
      ['apply: OID', () => flow.apply({ memberId: 'm', agencyOid: 'abc', reason: '公務人員', attested: true }, member)],
      ['apply: reason', () => flow.apply({ memberId: 'm', agencyOid: NFA, reason: '好奇', attested: true }, member)],
      ['apply: not attested', () => flow.apply({ memberId: 'm', agencyOid: NFA, reason: '公務人員', attested: false }, member)],
      ['apply: member', () => flow.apply({ memberId: '', agencyOid: NFA, reason: '公務人員', attested: true }, member)],
      ['approve: id', () => flow.approve('x', reviewer)],
      ['reject: reason', () => flow.reject('00000000-0000-4000-8000-000000000000', reviewer, '')],
      ['get: id', () => flow.get('x')],
    ])('%s → INVALID_INPUT', async (_n, call) => {
      await expectCode(call(), 'INVALID_INPUT');
    });

    it('unknown applications are NOT_FOUND', async () => {
      await expectCode(flow.get('00000000-0000-4000-8000-000000000000'), 'NOT_FOUND');
    });
  });
});

describe('the seed\'s words for the member types', () => {
  it('the field 一般民眾 / 公務人員 reads 自然人 for a general account (帳號類型：自然人) and 公務人員 for an official', async () => {
    const { OFFICIAL_MEMBER_TYPE_LABELS } = await import('../../src/enroll/machine/official-machine.js');
    expect(OFFICIAL_MEMBER_TYPE_LABELS).toEqual({ citizen: '自然人', official: '公務人員' });
  });
});
