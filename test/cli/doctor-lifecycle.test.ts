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

async function validityOn(notBefore: Date, notAfter: Date, now: Date): Promise<DoctorCheck | undefined> {
  const holder = await pki.issueCardHolder({ authority: 'moica', notBefore, notAfter });
  reader.insert(new VirtualHiCOSCard({ credentials: virtualCardCredentials(holder) }));
  try {
    const { checks } = await pcscChecks({ now });
    return checks.find((c) => c.id === `validity:${reader.name}`);
  } finally {
    reader.remove();
  }
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
    expect(ended?.remedy?.zhTW).toContain('2029-05-10 前');
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
    expect(expired?.remedy?.zhTW).toMatch(/^憑證已逾期：請於 2028-05-10 前線上辦理展期$/);
  });
});
