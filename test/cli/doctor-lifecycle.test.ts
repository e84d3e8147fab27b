/**
 * The doctor's validity line for a MOICA card, against the application form's lifecycle: 展期 is offered only
 * where the form gives it. The doctor sees only the card, never when the card was first issued, so a renewed
 * certificate must be told from its own dates. The PC/SC context is mocked with an emulated reader
 * (doctor.pcsc.test.ts runs the whole command on the virtual reader).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { DoctorCheck } from '../../src/cli/doctor/doctor-check.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import { createTestPki, VirtualHiCOSCard, virtualCardCredentials, type TestPki } from '../../src/testing/index.js';

const reader = new EmulatorReader();
vi.mock('../../src/pcsc/index.js', async (original) => ({
  ...(await original<Record<string, unknown>>()),
  PcscContext: {
    establish: async () => ({
      readers: () => [{ name: reader.name, cardPresent: true }],
      connect: async () => reader.connect(),
      close: async () => undefined,
    }),
  },
}));
const { pcscChecks } = await import('../../src/cli/doctor/card-checks.js');

// Taiwan time, as the form's dates are.
const tw = (s: string): Date => new Date(`${s}+08:00`);

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'], now: tw('2020-05-10T09:00:00') });
}, 60_000);

/** The validity line of one card at each of `nows` (one card issued: issuing is the slow part). */
async function validitiesOn(notBefore: Date, notAfter: Date, nows: readonly Date[]): Promise<(DoctorCheck | undefined)[]> {
  const holder = await pki.issueCardHolder({ authority: 'moica', notBefore, notAfter });
  reader.insert(new VirtualHiCOSCard({ credentials: virtualCardCredentials(holder) }));
  try {
    const lines: (DoctorCheck | undefined)[] = [];
    for (const now of nows) lines.push((await pcscChecks({ now })).checks.find((c) => c.id === `validity:${reader.name}`));
    return lines;
  } finally {
    reader.remove();
  }
}

async function validityOn(notBefore: Date, notAfter: Date, now: Date): Promise<DoctorCheck | undefined> {
  return (await validitiesOn(notBefore, notAfter, [now]))[0];
}

const words = (c: DoctorCheck | undefined): string => `${c?.detail} ${c?.detailZhTW} ${c?.remedy?.zhTW} ${c?.remedy?.en}`;

describe('twpki doctor: the MOICA validity line', () => {
  // A card first issued 2020-05-10 and renewed online on 2025-04-01 to its 8-year end, 2028-05-10.
  const renewedFrom = tw('2025-04-01T10:00:00');
  const renewedTo = tw('2028-05-10T23:59:59');

  it('never offers 展期 on a renewed certificate; once it ends, 線上換發 or 重新申辦 at a household registration office', async () => {
    // Form: 「憑證經展延期間到期日後，憑證將自動失效，如仍有使用憑證之需求請本人親至任一戶政事務所付費重新申辦」.
    const late = await validityOn(renewedFrom, renewedTo, tw('2028-04-20T12:00:00'));
    expect(words(late)).not.toMatch(/展期|renew/);
    const middle = await validityOn(renewedFrom, renewedTo, tw('2027-01-01T12:00:00'));
    expect(middle?.status).toBe('ok');
    const ended = await validityOn(renewedFrom, renewedTo, tw('2028-06-01T12:00:00'));
    expect(ended?.status).toBe('fail');
    expect(words(ended)).not.toMatch(/展期|renew/);
    // 線上換發: 「8年到期（含展期期間）前60天及到期後1年內」.
    expect(ended?.remedy?.zhTW).toContain('2029-05-10（含）前');
    expect(ended?.remedy?.zhTW).toMatch(/線上換發.*戶政事務所重新申辦/);
    const yearsLater = await validityOn(renewedFrom, renewedTo, tw('2029-06-01T12:00:00'));
    expect(yearsLater?.remedy?.zhTW).toBe('憑證已逾期，已達使用期限：請本人親至任一戶政事務所重新申辦');
  });

  it('warns in the last 60 days before the card\'s end, where only 線上換發 is open', async () => {
    // Form: 線上換發 「原憑證即將8年到期（含展期期間）前60天」.
    const before = await validityOn(renewedFrom, renewedTo, tw('2028-03-10T12:00:00'));
    expect(before?.status).toBe('ok');
    const late = await validityOn(renewedFrom, renewedTo, tw('2028-04-20T12:00:00'));
    expect(late).toMatchObject({ status: 'warn', detailZhTW: '剩 20 天（2025-04-01 – 2028-05-10），已達使用期限，可申請線上換發' });
    expect(late?.remedy?.zhTW).toMatch(/線上換發新卡，或本人親至任一戶政事務所重新申辦$/);
  });

  it('keeps offering 展期 on a first (5-year) certificate, before and after it expires', async () => {
    const notBefore = tw('2020-05-10T09:00:00');
    const notAfter = tw('2025-05-10T23:59:59');
    const soon = await validityOn(notBefore, notAfter, tw('2025-04-20T12:00:00'));
    expect(soon).toMatchObject({ status: 'warn', detail: expect.stringContaining('the renewal window is open') });
    expect(soon?.remedy?.zhTW).toContain('展期');
    const expired = await validityOn(notBefore, notAfter, tw('2026-01-01T12:00:00'));
    expect(expired?.status).toBe('fail');
    expect(expired?.remedy?.zhTW).toMatch(/^憑證已逾期：請於 2028-05-10（含）前線上辦理展期$/);
  });

  it('prints Taiwan dates, and counts the form\'s windows on them, for a card issued 00:00–07:59 Taiwan time', async () => {
    // Issued 07:00 Taiwan time on 2020-05-10, which is 2020-05-09 in UTC.
    const [early, opened, expired, lastDay, nextDay] = await validitiesOn(tw('2020-05-10T07:00:00'), tw('2025-05-10T23:59:59'), [
      tw('2020-05-10T06:00:00'),
      tw('2025-03-11T10:00:00'),
      tw('2026-01-01T12:00:00'),
      tw('2028-05-10T20:00:00'),
      tw('2028-05-11T00:00:00'),
    ]);
    expect(early).toMatchObject({ status: 'fail', detail: 'not valid before 2020-05-10 07:00:00 Taiwan time (2020-05-10 – 2025-05-10)', detailZhTW: '2020-05-10 07:00:00（臺灣時間）前尚未生效（2020-05-10 – 2025-05-10）' });
    // 「到期日前60天」: the 60th day before 2025-05-10, from its first hour.
    expect(opened).toMatchObject({ status: 'warn', detailZhTW: '剩 60 天（2020-05-10 – 2025-05-10），已可辦理展期' });
    // 「到期後3年內」: through the whole of 2028-05-10 in Taiwan, whatever hour the certificate was issued.
    expect(expired).toMatchObject({
      status: 'fail',
      detail: 'expired on 2025-05-10 23:59:59 Taiwan time (2020-05-10 – 2025-05-10); renewable online through 2028-05-10',
      detailZhTW: '已於 2025-05-10 23:59:59（臺灣時間）到期（2020-05-10 – 2025-05-10）；可於 2028-05-10（含）前線上展期',
    });
    expect(expired?.remedy).toEqual({ zhTW: '憑證已逾期：請於 2028-05-10（含）前線上辦理展期', en: 'The certificate has expired: renew it online by 2028-05-10' });
    expect(lastDay?.remedy?.zhTW).toBe('憑證已逾期：請於 2028-05-10（含）前線上辦理展期');
    expect(words(nextDay)).not.toMatch(/展期|renew/);
  });
});
