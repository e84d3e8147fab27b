/** GPS rejection: the mail links the result page with a single-purpose key; the page shows the comparison as it was. */
import { beforeEach, expect, it } from 'vitest';
import { EnrollError } from '../../src/enroll/errors.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore, gpsAccountFlow } from './helpers.js';

const applicant = { role: 'applicant', id: 'company-a' } as const;
const reviewer = { role: 'reviewer', id: 'staff-1' } as const;
const DAY = 86_400_000;

describeEachStore('enroll_t_result', (db) => {
  let clock: ManualClock;
  let mailer: CapturingMailer;
  let ems: FakeEms;
  let flow: AccountEnrollmentFlow;
  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    ({ flow, mailer, ems } = gpsAccountFlow(db(), clock, {
      extra: { resultLink: (k) => `https://gps.example.gov.tw/gpszone/AccountApplyResult.aspx?key=${k}` },
    }));
  });

  it('mails AccountApplyResult?key=… and shows the stored per-field result, not a re-run on today’s EMS data', async () => {
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    await flow.submitBasicData(app.id, basicDataFor(), applicant);
    await flow.bindCard(app.id, { holder: citizenCard(1), contact: { phone: '02-2345-6789', email: 'a@example.com' } }, applicant);
    await flow.reject(app.id, reviewer, '聯絡人資料不符');
    const mail = mailer.sent.at(-1);
    expect(mail?.to).toBe('ems-h5600123@example.com.tw');
    const key = /AccountApplyResult\.aspx\?key=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1] ?? '';
    expect(key).toHaveLength(43);
    // EMS changes afterwards: the page still shows the comparison made at application time.
    ems.put({ ...basicDataFor(), companyName: '改名公司' });
    const result = await flow.applicationResult(key);
    expect(result).toMatchObject({ controlNumber: 'H5600123', status: 'rejected', reviewNote: '聯絡人資料不符' });
    expect(result.emsComparison?.fields.companyName).toBe('match');
    expect(JSON.stringify(result)).not.toContain('台灣化學運輸');
    // Single purpose: the result key does not activate, and expires.
    await expect(flow.activate(key)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    clock.advance(31 * DAY);
    await expect(flow.applicationResult(key)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    await expect(flow.applicationResult('x')).rejects.toBeInstanceOf(EnrollError);
  });
});
