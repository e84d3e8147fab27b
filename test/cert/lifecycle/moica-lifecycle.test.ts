import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateParseError, MoicaLifecycleError, TrustedCertificate, moicaLifecycle, parseCertificate, type CertificateProfile, type MoicaLifecycleStage } from '../../../src/cert/index.js';
import { yearPeriodLastDay } from '../../../src/cert/lifecycle/year-period.js';
import { taipeiDayOf } from '../../../src/shared/taipei-time.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../../src/testing/pki/index.js';
import { realCa } from '../trust/helpers/fixtures.js';

const NOT_BEFORE = new Date('2021-03-10T08:00:00Z');
// MOICA certificates end at 23:59:59 Taiwan time, 5 years on.
const NOT_AFTER = new Date('2026-03-10T15:59:59Z');
const ms = (d: Date, delta: number): Date => new Date(d.getTime() + delta);
// Taiwan time, as the form's dates are: 'YYYY-MM-DDTHH:mm:ss[.sss]' read as UTC+8.
const tw = (s: string): Date => new Date(`${s}+08:00`);

let pki: TestPki;
let holder: CardHolderCredentials;

beforeAll(async () => {
  pki = await createTestPki({ now: NOT_BEFORE });
  holder = await pki.issueCardHolder({ authority: 'moica', notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
});

function stage(at: Date, cert: Uint8Array = holder.sign.certificate, cardIssuedAt?: Date): MoicaLifecycleStage {
  return moicaLifecycle(cert, { at, ...(cardIssuedAt === undefined ? {} : { cardIssuedAt }) }).stage;
}

describe('MOICA lifecycle (seed: 展期 from 60 days before expiry to 3 years after, at most 8 years)', () => {
  it('reports the dates behind the stages', () => {
    const life = moicaLifecycle(holder.sign.certificate, { at: new Date('2025-01-01T00:00:00Z') });
    expect(life).toMatchObject({
      stage: 'valid',
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      // Windows open at 00:00 and close at the end of a Taiwan calendar day, whatever the issue hour (16:00 here).
      renewalOpensAt: tw('2026-01-09T00:00:00'),
      // 3 years after expiry and the 8-year maximum both end with Taiwan's 2029-03-10.
      renewalClosesAt: tw('2029-03-10T23:59:59.999'),
      maximumEndsAt: tw('2029-03-10T23:59:59.999'),
      maximumBasis: 'first-certificate',
      replacementOpensAt: tw('2029-01-09T00:00:00'),
      replacementClosesAt: tw('2030-03-10T23:59:59.999'),
      renewable: true,
    });
    expect(life.daysUntilExpiry).toBe(433);
  });

  it('changes stage exactly at each boundary', () => {
    const renewalOpens = tw('2026-01-09T00:00:00');
    const closes = tw('2029-03-10T23:59:59.999');
    expect(stage(ms(NOT_BEFORE, -1))).toBe('not-yet-valid');
    expect(stage(NOT_BEFORE)).toBe('valid');
    expect(stage(ms(renewalOpens, -1))).toBe('valid');
    expect(stage(renewalOpens)).toBe('renewal-window');
    expect(stage(NOT_AFTER)).toBe('renewal-window');
    expect(stage(ms(NOT_AFTER, 1))).toBe('expired-renewable');
    expect(stage(closes)).toBe('expired-renewable');
    expect(stage(ms(closes, 1))).toBe('past-maximum');
    expect(moicaLifecycle(holder.sign.certificate, { at: ms(NOT_AFTER, 1) }).daysUntilExpiry).toBe(-1);
  });

  it('a renewed certificate: the 8-year maximum counts from the card, and ends renewal', () => {
    // Renewed during the window; the new certificate runs to the card's 8-year end, 23:59:59 Taiwan time.
    const renewedEnd = tw('2029-03-10T23:59:59');
    return pki.issueCardHolder({ authority: 'moica', notBefore: new Date('2026-02-01T00:00:00Z'), notAfter: renewedEnd }).then((renewed) => {
      const life = moicaLifecycle(renewed.sign.certificate, { at: new Date('2028-02-01T00:00:00Z'), cardIssuedAt: NOT_BEFORE });
      // Ending on the card's last day is ending at the maximum, though a millisecond before its last instant.
      expect([life.stage, life.renewable, life.maximumEndsAt, life.renewalClosesAt]).toEqual(['valid', false, tw('2029-03-10T23:59:59.999'), renewedEnd]);
      expect(stage(ms(renewedEnd, 1), renewed.sign.certificate, NOT_BEFORE)).toBe('past-maximum');
      expect(life.maximumBasis).toBe('card-issued-at');
    });
  });

  it('the last 60 days before the card\'s end, where only 線上換發 is open, are the replacement window', async () => {
    // Form: 線上換發 「原憑證即將8年到期（含展期期間）前60天及到期後1年內」; 展期 cannot reach past the 8 years.
    const renewedEnd = tw('2029-03-10T23:59:59');
    const renewed = await pki.issueCardHolder({ authority: 'moica', notBefore: new Date('2026-02-01T00:00:00Z'), notAfter: renewedEnd });
    const opens = tw('2029-01-09T00:00:00');
    expect(moicaLifecycle(renewed.sign.certificate, { at: opens, cardIssuedAt: NOT_BEFORE }).replacementOpensAt).toEqual(opens);
    expect(stage(ms(opens, -1), renewed.sign.certificate, NOT_BEFORE)).toBe('valid');
    expect(stage(opens, renewed.sign.certificate, NOT_BEFORE)).toBe('replacement-window');
    expect(stage(renewedEnd, renewed.sign.certificate, NOT_BEFORE)).toBe('replacement-window');
    expect(stage(ms(renewedEnd, 1), renewed.sign.certificate, NOT_BEFORE)).toBe('past-maximum');
    // Taken as a renewal from its own dates: the window is the 60 days before its end.
    expect(stage(ms(opens, -1), renewed.sign.certificate)).toBe('valid');
    expect(stage(opens, renewed.sign.certificate)).toBe('replacement-window');
    // A first certificate is in its renewal window then, never in this one.
    expect(stage(ms(NOT_AFTER, -1))).toBe('renewal-window');
  });

  it('a renewed certificate without cardIssuedAt (as the doctor sees a card) is never offered renewal again', async () => {
    // Form: 「憑證經展延期間到期日後，憑證將自動失效，如仍有使用憑證之需求請本人親至任一戶政事務所付費重新申辦」.
    // Its own notBefore (the renewal date) counted as the card's start would promise renewal until 2034.
    const renewedEnd = new Date('2029-03-10T15:59:59Z');
    const renewed = await pki.issueCardHolder({ authority: 'moica', notBefore: new Date('2026-02-01T00:00:00Z'), notAfter: renewedEnd });
    const life = moicaLifecycle(renewed.sign.certificate, { at: new Date('2029-02-01T00:00:00Z') });
    expect(life).toMatchObject({ maximumBasis: 'renewed-certificate', renewable: false, maximumEndsAt: renewedEnd, renewalClosesAt: renewedEnd });
    expect(life.stage).toBe('replacement-window');
    expect(stage(ms(renewedEnd, 1), renewed.sign.certificate)).toBe('past-maximum');
    expect(stage(new Date('2031-01-01T00:00:00Z'), renewed.sign.certificate)).toBe('past-maximum');
  });

  it('without cardIssuedAt, only a certificate valid 5 years (a Taiwan day short allowed) is taken as a card\'s first', async () => {
    // Issued on Taiwan's 2021-03-10: the 5 years end with 2026-03-10; ending on 03-09 is allowed, on 03-08 is not.
    const fiveYearsLessADay = tw('2026-03-09T00:00:00');
    const first = await pki.issueCardHolder({ authority: 'moica', notBefore: NOT_BEFORE, notAfter: fiveYearsLessADay });
    const shorter = await pki.issueCardHolder({ authority: 'moica', notBefore: NOT_BEFORE, notAfter: ms(fiveYearsLessADay, -1000) });
    const at = new Date('2026-03-01T00:00:00Z');
    expect(moicaLifecycle(first.sign.certificate, { at })).toMatchObject({ maximumBasis: 'first-certificate', renewable: true, stage: 'renewal-window' });
    expect(moicaLifecycle(shorter.sign.certificate, { at })).toMatchObject({ maximumBasis: 'renewed-certificate', renewable: false });
    // Given the card's start, the caller's date decides, whatever the certificate's length.
    expect(moicaLifecycle(shorter.sign.certificate, { at, cardIssuedAt: NOT_BEFORE })).toMatchObject({ maximumBasis: 'card-issued-at', stage: 'renewal-window' });
  });

  it('a certificate ending before the 3-year window closes keeps 3 years after its expiry', async () => {
    const short = await pki.issueCardHolder({ authority: 'moica', notBefore: NOT_BEFORE, notAfter: new Date('2022-03-10T15:59:59Z') });
    // Shorter than 5 years: only the card's start, given, makes it renewable.
    const life = moicaLifecycle(short.sign.certificate, { at: new Date('2024-01-01T00:00:00Z'), cardIssuedAt: NOT_BEFORE });
    expect([life.stage, life.renewalClosesAt]).toEqual(['expired-renewable', tw('2025-03-10T23:59:59.999')]);
    expect(stage(new Date('2025-03-10T16:00:00Z'), short.sign.certificate, NOT_BEFORE)).toBe('past-maximum');
  });

  it('accepts DER, PEM, a TrustedCertificate and a profile; the KEYX certificate too', () => {
    const at = new Date('2026-02-01T00:00:00Z');
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(holder.sign.certificate).toString('base64')}\n-----END CERTIFICATE-----\n`;
    for (const input of [holder.sign.certificate, pem, TrustedCertificate.from(holder.sign.certificate), parseCertificate(holder.sign.certificate), holder.keyx.certificate]) {
      expect(moicaLifecycle(input, { at }).stage).toBe('renewal-window');
    }
  });

  it('a profile whose validity dates are not Dates (a JSON copy) is a typed error naming the profile field', () => {
    const copy = JSON.parse(JSON.stringify(parseCertificate(holder.sign.certificate))) as ReturnType<typeof parseCertificate>;
    const thrown = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    for (const options of [{}, { cardIssuedAt: NOT_BEFORE }]) {
      const err = thrown(() => moicaLifecycle(copy, options));
      expect(err).toBeInstanceOf(MoicaLifecycleError);
      expect(err).toMatchObject({ code: 'INVALID_LIFECYCLE_DATE', message: expect.stringContaining("the profile's validity.notBefore must be a valid Date, not the string") });
      expect((err as Error).message).not.toContain('cardIssuedAt');
    }
    const profile = parseCertificate(holder.sign.certificate);
    const badEnd = { ...profile, validity: { ...profile.validity, notAfter: new Date(Number.NaN) } };
    expect(thrown(() => moicaLifecycle(badEnd))).toMatchObject({ code: 'INVALID_LIFECYCLE_DATE', message: expect.stringContaining('validity.notAfter must be a valid Date, not an Invalid Date') });
  });

  it('refuses other authorities, CA certificates, bad dates and non-certificates with typed errors', async () => {
    const company = await pki.issueCardHolder({ authority: 'moeaca', notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (err) {
        if (err instanceof MoicaLifecycleError || err instanceof CertificateParseError) return err.code;
        throw err;
      }
      return undefined;
    };
    expect(code(() => moicaLifecycle(company.sign.certificate))).toBe('NOT_A_MOICA_CERTIFICATE');
    expect(code(() => moicaLifecycle(realCa('moica-g3')))).toBe('NOT_A_MOICA_CERTIFICATE');
    expect(code(() => moicaLifecycle(holder.sign.certificate, { at: new Date('x') }))).toBe('INVALID_LIFECYCLE_DATE');
    // cardIssuedAt is read as a Taiwan date: the next Taiwan day is after the certificate; a later hour of the same
    // day (NOT_BEFORE is 16:00 in Taipei) is that day, with the dates the day's midnight gives.
    expect(code(() => moicaLifecycle(holder.sign.certificate, { cardIssuedAt: new Date('2021-03-10T16:00:00Z') }))).toBe('INVALID_LIFECYCLE_DATE');
    const at = new Date('2024-01-01T00:00:00Z');
    const sameDay = moicaLifecycle(holder.sign.certificate, { at, cardIssuedAt: new Date('2021-03-10T15:59:59.999Z') });
    expect(sameDay).toEqual(moicaLifecycle(holder.sign.certificate, { at, cardIssuedAt: new Date('2021-03-09T16:00:00Z') }));
    expect(sameDay.maximumBasis).toBe('card-issued-at');
    expect(code(() => moicaLifecycle(new Uint8Array([1, 2, 3])))).toBe('NOT_A_CERTIFICATE');
  });
});

/*
 * The form's dates are Taiwan calendar dates (review 21d, item 5). The certificate is this file's holder with its
 * dates replaced: moicaLifecycle reads only the profile's authority, purpose and validity, and a profile is fast.
 */
let parsed: CertificateProfile | undefined;
function moica(notBefore: Date, notAfter: Date): CertificateProfile {
  const profile = (parsed ??= parseCertificate(holder.sign.certificate));
  return { ...profile, validity: { ...profile.validity, notBefore, notAfter } };
}

describe('MOICA lifecycle on Taiwan calendar dates (UTC+8), as the form counts them', () => {
  // A first certificate issued 09:00 Taiwan time on 2020-05-10, ending 23:59:59 Taiwan time on 2025-05-10.
  const first = (): CertificateProfile => moica(tw('2020-05-10T09:00:00'), tw('2025-05-10T23:59:59'));

  it('「到期日前60天」: renewal opens at 00:00 Taiwan time on the 60th day before the expiry date', () => {
    const life = moicaLifecycle(first(), { at: tw('2025-03-11T10:00:00') });
    expect([life.renewalOpensAt, life.daysUntilExpiry, life.stage]).toEqual([tw('2025-03-11T00:00:00'), 60, 'renewal-window']);
    expect(moicaLifecycle(first(), { at: tw('2025-03-11T00:00:00') }).stage).toBe('renewal-window');
    expect(moicaLifecycle(first(), { at: tw('2025-03-10T23:59:59.999') })).toMatchObject({ stage: 'valid', daysUntilExpiry: 61 });
  });

  it('「到期後3年內」: renewal stays open to the end of the last Taiwan day of the 3 years, not the issue hour', () => {
    const life = moicaLifecycle(first(), { at: tw('2028-05-10T15:00:00') });
    expect([life.stage, life.renewalClosesAt, life.maximumEndsAt]).toEqual(['expired-renewable', tw('2028-05-10T23:59:59.999'), tw('2028-05-10T23:59:59.999')]);
    expect(moicaLifecycle(first(), { at: tw('2028-05-11T00:00:00') }).stage).toBe('past-maximum');
  });

  it('民法 第121條: a card first issued on 29 February ends a year period on 28 February of a common year, not 1 March', () => {
    const leap = moica(tw('2020-02-29T09:00:00'), tw('2025-02-28T23:59:59'));
    const life = moicaLifecycle(leap, { at: tw('2028-01-01T00:00:00') });
    expect(life).toMatchObject({ maximumBasis: 'first-certificate', renewable: true });
    expect(life.maximumEndsAt).toEqual(tw('2028-02-29T23:59:59.999'));
    expect(life.replacementClosesAt).toEqual(tw('2029-02-28T23:59:59.999'));
    // 3 years after 28 Feb 2025 is counted from 1 Mar 2025 (始日不算入): the day before 1 Mar 2028 is 29 Feb.
    expect(life.renewalClosesAt).toEqual(tw('2028-02-29T23:59:59.999'));
  });

  it('a card issued 00:00–07:59 Taiwan time (the previous UTC day) keeps its Taiwan date through the years', () => {
    // Taiwan 2020-03-01 00:00 is 2020-02-29T16:00Z: years added on UTC fields made 2029-03-01T16:00Z, Taiwan's 03-02.
    const renewed = moica(tw('2025-01-10T10:00:00'), tw('2028-03-01T23:59:59'));
    const life = moicaLifecycle(renewed, { at: tw('2028-01-01T00:00:00'), cardIssuedAt: tw('2020-03-01T00:00:00') });
    expect([life.maximumEndsAt, life.replacementOpensAt, life.replacementClosesAt]).toEqual([
      tw('2028-03-01T23:59:59.999'),
      tw('2028-01-01T00:00:00'),
      tw('2029-03-01T23:59:59.999'),
    ]);
    expect(life).toMatchObject({ renewable: false, stage: 'replacement-window' });
  });

  // Every hour over days around 29 February and the 16:00 UTC day boundary, in a leap and a common year.
  const issueInstants = [tw('2020-02-26T00:00:00'), tw('2023-02-26T00:00:00'), tw('2021-12-30T00:00:00')].flatMap((start) =>
    Array.from({ length: 5 * 24 }, (_, h) => ms(start, h * 3_600_000)),
  );
  /** Taiwan calendar fields of an instant, read independently of the code under test. */
  const taiwanFields = (d: Date): { year: number; month: number; day: number } => {
    const t = new Date(d.getTime() + 8 * 3_600_000);
    return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
  };
  /** 23:59:59 Taiwan time on the same date `years` on, a missing 29 February clamped to 28: MOICA's notAfter. */
  const moicaNotAfter = (notBefore: Date, years: number): Date => {
    const { year, month, day } = taiwanFields(notBefore);
    const lastOfMonth = new Date(Date.UTC(year + years, month, 0)).getUTCDate();
    return new Date(Date.UTC(year + years, month - 1, Math.min(day, lastOfMonth), 23, 59, 59) - 8 * 3_600_000);
  };
  const TAIWAN_DAY_OFFSET = 8 * 3_600_000;
  const DAY = 86_400_000;
  const isTaiwanMidnight = (d: Date): boolean => (d.getTime() + TAIWAN_DAY_OFFSET) % DAY === 0;
  const isTaiwanDayEnd = (d: Date): boolean => (d.getTime() + TAIWAN_DAY_OFFSET + 1) % DAY === 0;
  const RANK: Record<MoicaLifecycleStage, number> = { 'not-yet-valid': 0, valid: 1, 'renewal-window': 2, 'replacement-window': 2, 'expired-renewable': 3, 'past-maximum': 4 };

  /**
   * The invariants of a first certificate issued at `notBefore` (MOICA-shaped), judged with and without
   * `cardIssuedAt`: the broken ones, described (one `expect` per instant keeps the sweep fast).
   */
  function brokenInvariants(notBefore: Date): string[] {
    const broken: string[] = [];
    const notAfter = moicaNotAfter(notBefore, 5);
    const certificate = moica(notBefore, notAfter);
    for (const cardIssuedAt of [undefined, notBefore]) {
      const judge = (at: Date) => moicaLifecycle(certificate, { at, ...(cardIssuedAt ? { cardIssuedAt } : {}) });
      const life = judge(notBefore);
      const fail = (what: string): number => broken.push(`issued ${notBefore.toISOString()}${cardIssuedAt ? ' (cardIssuedAt)' : ''}: ${what}`);
      if (!life.renewable) fail('not renewable');
      for (const name of ['renewalOpensAt', 'replacementOpensAt'] as const) {
        if (!isTaiwanMidnight(life[name])) fail(`${name} ${life[name].toISOString()} is not a Taiwan midnight`);
      }
      for (const name of ['renewalClosesAt', 'maximumEndsAt', 'replacementClosesAt'] as const) {
        if (!isTaiwanDayEnd(life[name])) fail(`${name} ${life[name].toISOString()} is not a Taiwan day's end`);
      }
      // Years keep the month and move the day by at most one (29 Feb to 28 Feb, 28 Feb to 29 Feb), never to 1 March.
      for (const [from, to, years] of [
        [notBefore, life.maximumEndsAt, 8],
        [life.maximumEndsAt, life.replacementClosesAt, 1],
      ] as const) {
        const a = taiwanFields(from);
        const b = taiwanFields(to);
        if (b.year - a.year !== years || b.month !== a.month || Math.abs(b.day - a.day) > 1) fail(`${years} years from ${from.toISOString()} end ${to.toISOString()}`);
      }
      // The window opens the day daysUntilExpiry reaches 60.
      const days = [judge(ms(life.renewalOpensAt, -1)).daysUntilExpiry, judge(life.renewalOpensAt).daysUntilExpiry];
      if (days[0] !== 61 || days[1] !== 60) fail(`days until expiry around the window's opening: ${days.join(', ')}`);
      const boundaries = [notBefore, life.renewalOpensAt, notAfter, life.renewalClosesAt, life.maximumEndsAt, life.replacementClosesAt];
      const samples = boundaries.flatMap((b) => [ms(b, -1), b, ms(b, 1)]).sort((x, y) => x.getTime() - y.getTime());
      const ranks = samples.map((at) => RANK[judge(at).stage]);
      if (ranks.some((r, i) => i > 0 && r < ranks[i - 1]!)) fail(`stages go back: ${ranks.join(' ')}`);
      if (new Set(ranks).size !== 5) fail(`stages skipped: ${ranks.join(' ')}`);
    }
    return broken;
  }

  it('for any issue hour: windows open at a Taiwan midnight and close at a Taiwan day\'s end, stages only move forward', () => {
    expect(issueInstants.flatMap(brokenInvariants)).toEqual([]);
  });

  it('…and for any issue instant from 2004 to 2040', () => {
    const instant = fc.date({ min: new Date('2004-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, (notBefore) => {
        expect(brokenInvariants(notBefore)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('for any issue hour: the dates depend on the Taiwan issue date only, not on the hour or its UTC date', () => {
    const byTaiwanDate = new Map<string, string>();
    for (const notBefore of issueInstants) {
      const life = moicaLifecycle(moica(notBefore, moicaNotAfter(notBefore, 5)), { at: notBefore });
      const dates = [life.renewalOpensAt, life.renewalClosesAt, life.maximumEndsAt, life.replacementOpensAt, life.replacementClosesAt].map((d) => d.toISOString()).join(' ');
      const { year, month, day } = taiwanFields(notBefore);
      const key = `${year}-${month}-${day}`;
      expect(byTaiwanDate.get(key) ?? dates, `issued ${notBefore.toISOString()}`).toBe(dates);
      byTaiwanDate.set(key, dates);
    }
    expect(byTaiwanDate.size).toBe(15);
  });

  it('a renewed certificate of any issue hour, ending on its card\'s last day, is at the maximum: never renewable', () => {
    for (const cardIssuedAt of issueInstants) {
      const renewed = moica(ms(moicaNotAfter(cardIssuedAt, 5), -30 * DAY), moicaNotAfter(cardIssuedAt, 8));
      const life = moicaLifecycle(renewed, { at: renewed.validity.notBefore, cardIssuedAt });
      expect([life.renewable, life.renewalClosesAt], cardIssuedAt.toISOString()).toEqual([false, renewed.validity.notAfter]);
    }
  });
});

describe('yearPeriodLastDay (民法 第120條第2項, 第121條)', () => {
  const day = (s: string): number => taipeiDayOf(tw(`${s}T12:00:00`));
  it('ends the day before the 起算日\'s date, or the month\'s last day where it has none', () => {
    expect(yearPeriodLastDay(day('2020-05-10'), 5)).toBe(day('2025-05-10'));
    expect(yearPeriodLastDay(day('2020-02-29'), 5)).toBe(day('2025-02-28'));
    expect(yearPeriodLastDay(day('2020-02-29'), 8)).toBe(day('2028-02-29'));
    expect(yearPeriodLastDay(day('2020-02-28'), 1)).toBe(day('2021-02-28')); // 起算日 29 Feb 2020: 2021 has none
    expect(yearPeriodLastDay(day('2023-02-28'), 1)).toBe(day('2024-02-29')); // 起算日 1 Mar 2023
    expect(yearPeriodLastDay(day('2020-12-31'), 3)).toBe(day('2023-12-31'));
    expect(yearPeriodLastDay(day('2021-01-31'), 1)).toBe(day('2022-01-31'));
  });
});
