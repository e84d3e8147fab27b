/** Reviewer queues of every flow with a review: by status, oldest first, paged, by creation date. */
import { beforeEach, expect, it } from 'vitest';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { OrgRegistrationFlow } from '../../src/enroll/flows/org-registration.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore } from './helpers.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';

const OID = '2.16.886.101.20003.20001.20003';
const agencies = new StaticAgencyDirectory([
  { oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' },
  { oid: '2.16.886.101.20003.20001.20009' as AgencyOid, name: '內政部移民署', agencyCode: 'B5678' },
]);
const HOUR = 3_600_000;

describeEachStore('enroll_t_queue', (db) => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
  });

  it('GPS accounts: oldest first, paged, filtered by date; bad filters are INVALID_INPUT', async () => {
    const ems = new FakeEms();
    const flow = new AccountEnrollmentFlow({ store: db(), clock, mailer: new CapturingMailer(), ems, emsRecords: ems, activationLink: (t) => t });
    const ids: string[] = [];
    for (const cn of ['H5600001', 'H5600002', 'H5600003', 'H5600004']) {
      ids.push((await flow.apply({ controlNumber: cn }, { role: 'applicant', id: cn })).id);
      clock.advance(HOUR);
    }
    const page1 = await flow.reviewQueue({ status: 'draft', limit: 3 });
    expect(page1.total).toBe(4);
    expect(page1.items.map((a) => a.id)).toEqual(ids.slice(0, 3));
    expect((await flow.reviewQueue({ status: 'draft', limit: 3, offset: 3 })).items.map((a) => a.id)).toEqual(ids.slice(3));
    const window = await flow.reviewQueue({ status: 'draft', createdFrom: '2026-03-02T02:00:00Z', createdBefore: '2026-03-02T04:00:00Z' });
    expect(window.items.map((a) => a.id)).toEqual(ids.slice(1, 3));
    expect((await flow.reviewQueue({ status: 'underReview' })).total).toBe(0);
    for (const bad of [{ status: 'bogus' }, { status: 'draft', limit: 0 }, { status: 'draft', offset: -1 }, { status: 'draft', createdFrom: 'yesterday' }, null]) {
      await expect(flow.reviewQueue(bad as never)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  it('date filters: a date alone is the day in Taiwan; a date-time needs its offset; a day the calendar lacks is refused', async () => {
    const ems = new FakeEms();
    const flow = new AccountEnrollmentFlow({ store: db(), clock, mailer: new CapturingMailer(), ems, emsRecords: ems, activationLink: (t) => t });
    // 01:30 on 1 March in Taipei (17:30 UTC the day before): filed in the night.
    clock.set(new Date('2026-02-28T17:30:00Z'));
    const night = (await flow.apply({ controlNumber: 'H5600011' }, { role: 'applicant', id: 'H5600011' })).id;
    // "From 1 March" was midnight UTC (08:00 in Taipei) and left the night out.
    expect((await flow.reviewQueue({ status: 'draft', createdFrom: '2026-03-01' })).items.map((a) => a.id)).toContain(night);
    expect((await flow.reviewQueue({ status: 'draft', createdBefore: '2026-03-01' })).items.map((a) => a.id)).not.toContain(night);
    expect((await flow.reviewQueue({ status: 'draft', createdFrom: '2026-03-01T00:00:00+08:00' })).items.map((a) => a.id)).toContain(night);
    // Read in the server's time zone, one query answered differently on two machines: refused, naming the field.
    for (const createdFrom of ['2026-03-01T00:00:00', '1', '2026-02-30', '2026-02-30T00:00:00Z', 'Sun Mar 01 2026', '2026-03-01 00:00:00+08:00']) {
      const error = await flow.reviewQueue({ status: 'draft', createdFrom }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, createdFrom).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).issues.map((i) => [i.field, i.code])).toEqual([['createdFrom', 'INVALID_FORMAT']]);
    }
  });

  it('certificate-login enablement, GEPI manual reviews and official accounts have the same queue', async () => {
    const logins = new LoginEnablementFlow({ store: db(), clock });
    await logins.requestCertificateLogin({ businessId: '04595257', companyName: '甲', methods: { citizenCard: 'enabled', companyCard: 'enabled' } }, { role: 'applicant', id: 'a' });
    clock.advance(HOUR);
    await logins.requestCertificateLogin({ businessId: '22099131', companyName: '乙', methods: { citizenCard: 'enabled', companyCard: 'enabled' } }, { role: 'applicant', id: 'b' });
    expect((await logins.reviewQueue({ status: 'awaitingBinding' })).items.map((a) => a.businessId)).toEqual(['04595257', '22099131']);

    const org = new OrgRegistrationFlow({ store: db(), clock, agencies });
    for (const code of ['B5678', 'A1234']) {
      await org.register({
        agencyCode: code,
        organizationCard: markVerified({ authority: 'GCA', subjectName: '某機關', certificateSerial: `c${code.length}${code.charCodeAt(0).toString(16)}`, organizationOid: '2.16.886.101.1' }),
        administratorCard: citizenCard(1),
        administrator: { name: '張管理', email: 'admin@nfa.gov.tw', phone: '02-8195-9119', nationalId: 'A123456789' },
        reviewContact: { name: '張管理', phone: '02-8195-9119' },
      });
      clock.advance(HOUR);
    }
    expect((await org.reviewQueue({ status: 'manualReview' })).items.map((r) => r.agencyCode)).toEqual(['B5678', 'A1234']);

    const official = new OfficialAccountFlow({ store: db(), clock, agencies });
    await official.syncMember({ memberId: 'm1', name: '王小明', nationalId: 'A123456789', email: 'm1@example.com' }, { role: 'applicant', id: 'm1' });
    const first = await official.apply({ memberId: 'm1', agencyOid: OID, reason: '公務人員', attested: true }, { role: 'applicant', id: 'm1' });
    expect((await official.reviewQueue({ status: 'underReview' })).items.map((a) => a.id)).toEqual([first.id]);
    expect((await official.reviewQueue({ status: 'manualReview' })).total).toBe(0);
  });
});
