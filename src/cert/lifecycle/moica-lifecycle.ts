import type { CertificateProfile } from '../profile/certificate-profile.js';
import { parseCertificate } from '../profile/parse-certificate.js';
import { TrustedCertificate } from '../trust/trusted-certificate.js';
import { describeTime, isInstant } from '../trust/instant.js';
import { MoicaLifecycleError } from './errors.js';
import { CertificateParseError } from '../profile/errors.js';
import { describeValue } from '../../shared/describe-value.js';
import { taipeiDayEnd, taipeiDayOf, taipeiDayStart } from '../../shared/taipei-time.js';
import { yearPeriodLastDay } from './year-period.js';

/*
 * The rules, from the MOICA application form (seeds/moica-application-form.txt,
 * 自然人憑證申請表及說明事項 第二十一版 113年10月製):
 * - 「憑證有效期限為5年」: a certificate is valid 5 years;
 * - 「憑證5年到期日前60天至有效期限屆滿3年內，有2種展期方式：線上展期 OR 臨櫃辦理」:
 *   renewal (展期) from 60 days before expiry until 3 years after it;
 * - 「憑證經展延期間到期日後，憑證將自動失效，如仍有使用憑證之需求請本人親至任一戶政事務所付費重新申辦」
 *   and 「自然人憑證使用期限最長為8年」: a card is usable for at most 8 years, renewals
 *   included; after that it must be applied for again;
 * - 「原憑證即將8年到期（含展期期間）前60天及到期後1年內，且到期前為有效的自然人憑證」:
 *   online replacement (線上換發) from 60 days before the 8-year end until 1 year after it.
 * 「◎實際展期規定，依憑證到期年度的法規及MOICA網站公告辦理」: the rules may change, so
 * every date is returned for the caller to show, not only the stage.
 *
 * A renewed certificate's notBefore is its renewal date, and it runs to the card's end, so it is
 * shorter than a first one: at most 8 years less the 5 years less 60 days before renewal opens.
 * Counted from its own notBefore the 8 years would promise another renewal the form does not give.
 * Without `cardIssuedAt`, only a certificate valid the full 5 years is taken as a card's first.
 *
 * The form's periods are Taiwan calendar dates, as a holder reads them (a certificate issued 10 May 2020 ends
 * 23:59:59 Taiwan time on 10 May 2025), so every date here is counted on Taiwan (UTC+8) days, whatever hour the
 * certificate or card was issued and whatever the process's time zone:
 * - 「到期日前60天」: the window opens at 00:00 Taiwan time on the day 60 days before the expiry date;
 * - a period in years (5, 8, 3 and 1) follows 民法 (year-period.ts: 29 February plus years ends on 28 February
 *   of a common year) and closes at the end of its last Taiwan day (23:59:59.999), where the form's 「內」 ends.
 * The issue hour never moves a date: counted from the instant, the 8 years ended at the issue hour, the 60 days
 * opened at 23:59:59, and years added on UTC fields moved a card issued 00:00–07:59 Taiwan time by a day.
 */

/** Days before expiry when renewal opens. */
export const MOICA_RENEWAL_OPENS_DAYS_BEFORE = 60;
/** Years after expiry during which an expired certificate can still be renewed. */
export const MOICA_RENEWAL_YEARS_AFTER_EXPIRY = 3;
/** Longest use of one card, renewals included, in years. */
export const MOICA_MAXIMUM_YEARS = 8;
/** Validity of a card's first certificate, in years (a renewed one is shorter). */
export const MOICA_CERTIFICATE_YEARS = 5;

/**
 * Where {@link MoicaLifecycle.maximumEndsAt} comes from:
 * - `card-issued-at`: 8 years from the `cardIssuedAt` option;
 * - `first-certificate`: 8 years from this certificate's notBefore: it is valid the full 5 years, so it is
 *   a card's first certificate;
 * - `renewed-certificate`: no `cardIssuedAt`, and this certificate is shorter than 5 years, so it is not a
 *   card's first (a renewal, 展期, is): when its card began cannot be read from it. A renewal runs to the
 *   card's end (「8年到期（含展期期間）」), so its own notAfter is taken as the end, and renewal is not offered.
 */
export type MoicaMaximumBasis = 'card-issued-at' | 'first-certificate' | 'renewed-certificate';

/**
 * Where a MOICA certificate stands at a date:
 * - `not-yet-valid`: before notBefore;
 * - `valid`: valid, and neither renewal nor online replacement is open yet;
 * - `renewal-window`: valid, and renewal (展期) is open — warn the user;
 * - `replacement-window`: valid, in the last 60 days before the card's end, where renewal cannot extend it
 *   and online replacement (線上換發) is open — warn the user: a new card takes days to come (it closes
 *   `replacementClosesAt`, a year after the end, within `past-maximum`);
 * - `expired-renewable`: expired, but still renewable (up to 3 years after expiry, within the 8-year maximum);
 * - `past-maximum`: expired and no longer renewable (the 3-year window or the card's 8-year
 *   maximum has passed, or the certificate was itself a renewal): the holder needs a new card
 *   (線上換發 or at a household registration office).
 */
export type MoicaLifecycleStage = 'not-yet-valid' | 'valid' | 'renewal-window' | 'replacement-window' | 'expired-renewable' | 'past-maximum';

/** The stage and the dates behind it. */
export interface MoicaLifecycle {
  /** The stage at `at`. */
  readonly stage: MoicaLifecycleStage;
  /** The date judged. */
  readonly at: Date;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity (inclusive). */
  readonly notAfter: Date;
  /** When renewal opens: 00:00 Taiwan time on the Taiwan date 60 days before `notAfter`'s (「到期日前60天」). */
  readonly renewalOpensAt: Date;
  /**
   * Last instant renewal is possible: the end (23:59:59.999 Taiwan time) of the last day of the 3 years after
   * `notAfter`'s Taiwan date, or `maximumEndsAt` if earlier; `notAfter` itself when not `renewable`.
   */
  readonly renewalClosesAt: Date;
  /**
   * End of the card's 8-year maximum: the end (23:59:59.999 Taiwan time) of the last day of the 8 years from the
   * Taiwan date the card was first issued (`cardIssuedAt`, or this certificate's notBefore: see `maximumBasis`), counted as 民法 counts years (29 February plus 8 years is
   * 28 or 29 February, never 1 March); for `renewed-certificate`, `notAfter` itself.
   */
  readonly maximumEndsAt: Date;
  /** What `maximumEndsAt` was counted from: the `cardIssuedAt` option, or this certificate as a first or a renewed one. */
  readonly maximumBasis: MoicaMaximumBasis;
  /** Online replacement (線上換發) opens at 00:00 Taiwan time on the Taiwan date 60 days before `maximumEndsAt`'s… */
  readonly replacementOpensAt: Date;
  /** …and closes at the end (23:59:59.999 Taiwan time) of the last day of the year after it. */
  readonly replacementClosesAt: Date;
  /**
   * Whether renewal can still extend this certificate: false once the 8-year maximum is its end, and for a
   * certificate taken as a renewal (`maximumBasis` `renewed-certificate`).
   */
  readonly renewable: boolean;
  /**
   * Taiwan calendar days from `at`'s date to `notAfter`'s: 0 on the expiry date, 60 on the day renewal opens.
   * Negative once expired: after the expiry date, and already -1 once past `notAfter` on that date (a MOICA
   * certificate ends 23:59:59 Taiwan time, so only in the day's last second).
   */
  readonly daysUntilExpiry: number;
}

/** Options of {@link moicaLifecycle}. */
export interface MoicaLifecycleOptions {
  /** The date to judge; default now. */
  readonly at?: Date;
  /**
   * When the card's first certificate was issued, for the 8-year maximum.
   * Left out, a certificate valid the full 5 years is taken as the card's
   * first (the maximum counts from its notBefore), and a shorter one as a
   * renewal, which is not offered renewal again (see {@link MoicaMaximumBasis}).
   * For a renewed certificate pass the first one's notBefore (e.g. kept when
   * the card was bound): a renewed certificate's own notBefore is its
   * renewal date, and whether MOICA carries the original date anywhere in it
   * is not publicly documented. Only its Taiwan date counts, not its hour.
   */
  readonly cardIssuedAt?: Date;
}

/*
 * A first certificate runs from its issue to 23:59:59 Taiwan time on the last day of the 5 years (the same date
 * 5 years on); a renewal at most 3 years and 60 days (renewal opens 60 days before the 5 years end, and runs to
 * the 8-year end). Ending a Taiwan day short is allowed, as the form does not say whether the CA counts the issue
 * day in: anything shorter is not taken as a first certificate, so renewal is never promised on a guess.
 */
function isFirstCertificate(notBefore: Date, notAfter: Date): boolean {
  return taipeiDayOf(notAfter) >= yearPeriodLastDay(taipeiDayOf(notBefore), MOICA_CERTIFICATE_YEARS) - 1;
}

function validDate(name: string, value: unknown): Date {
  if (!isInstant(value)) {
    throw new MoicaLifecycleError('INVALID_LIFECYCLE_DATE', `${name} must be a valid Date, not ${describeTime(value)}`);
  }
  return value;
}

function profileOf(certificate: CertificateProfile | TrustedCertificate | Uint8Array | string): CertificateProfile {
  if (certificate instanceof TrustedCertificate) return certificate.profile();
  if (typeof certificate === 'string' || certificate instanceof Uint8Array) return parseCertificate(certificate);
  const profile = certificate as Partial<CertificateProfile> | null | undefined;
  if (typeof profile !== 'object' || profile === null || typeof profile.authority !== 'object' || typeof profile.validity !== 'object') {
    throw new CertificateParseError(
      'NOT_A_CERTIFICATE',
      `moicaLifecycle: certificate must be a certificate (DER bytes, PEM text, a TrustedCertificate or its profile), got ${describeValue(certificate)}`,
    );
  }
  return certificate as CertificateProfile;
}

/*
 * A profile kept as JSON (as a backend stores one) has its dates as strings: compared as Dates they made a bare
 * TypeError, or, taken as the default card start, an error blaming `cardIssuedAt`, which the caller never gave.
 */
function validityOf(profile: CertificateProfile): { notBefore: Date; notAfter: Date } {
  const validity = profile.validity as Partial<CertificateProfile['validity']>;
  for (const name of ['notBefore', 'notAfter'] as const) {
    const value: unknown = validity[name];
    if (!isInstant(value)) {
      throw new MoicaLifecycleError(
        'INVALID_LIFECYCLE_DATE',
        `moicaLifecycle: the profile's validity.${name} must be a valid Date, not ${describeTime(value)} (a JSON copy of a profile? pass the certificate itself, or its profile with the dates made Dates again)`,
      );
    }
  }
  return { notBefore: validity.notBefore as Date, notAfter: validity.notAfter as Date };
}

/**
 * Tells where a MOICA citizen certificate stands in its lifecycle at a
 * date, so pages can warn before logins start failing: valid, renewal
 * window open (60 days before expiry), online replacement open (60 days
 * before the card's end, where renewal cannot extend it), expired but
 * renewable (3 years), or past the card's 8-year maximum. The dates are counted on Taiwan (UTC+8)
 * calendar days, as the application form's are (windows open at 00:00 and close at the end of a Taiwan
 * day; see {@link MoicaLifecycle}). Bounds are instants: `notAfter` itself is
 * still valid, `renewalOpensAt` and `renewalClosesAt` are inside the window.
 * @throws MoicaLifecycleError `NOT_A_MOICA_CERTIFICATE` for another CA's or
 * a CA certificate, `INVALID_LIFECYCLE_DATE` for a bad date (or `options` that is not an object, or a
 * profile whose `validity.notBefore`/`notAfter` are not Dates, as in a JSON copy);
 * CertificateParseError for input that is not a certificate (`NOT_A_CERTIFICATE` for `null` or another value
 * that is neither bytes, text, a `TrustedCertificate` nor a profile).
 */
export function moicaLifecycle(
  certificate: CertificateProfile | TrustedCertificate | Uint8Array | string,
  options: MoicaLifecycleOptions = {},
): MoicaLifecycle {
  if (typeof options !== 'object' || options === null) {
    throw new MoicaLifecycleError('INVALID_LIFECYCLE_DATE', `moicaLifecycle: options must be { at?, cardIssuedAt? } or left out, got ${describeValue(options)}`);
  }
  const profile = profileOf(certificate);
  if (profile.authority.id !== 'moica' || profile.purpose === 'ca') {
    throw new MoicaLifecycleError('NOT_A_MOICA_CERTIFICATE', `not a MOICA citizen certificate (authority ${profile.authority.id}, ${profile.purpose})`);
  }
  const { notBefore, notAfter } = validityOf(profile);
  // `null` is refused, not read as "now": only a left-out date is defaulted.
  const at = validDate('at', options.at === undefined ? new Date() : options.at);
  let maximumBasis: MoicaMaximumBasis;
  let maximumEndsAt: Date;
  if (options.cardIssuedAt !== undefined) {
    const cardIssuedAt = validDate('cardIssuedAt', options.cardIssuedAt);
    // By Taiwan dates, as the option is read: a card issued the same day as its certificate, given at a later hour
    // (a date kept as `new Date('2020-05-10')` is 08:00 in Taipei), is that day.
    if (taipeiDayOf(cardIssuedAt) > taipeiDayOf(notBefore)) {
      throw new MoicaLifecycleError('INVALID_LIFECYCLE_DATE', 'cardIssuedAt is after the day the certificate was issued (Taiwan dates)');
    }
    maximumBasis = 'card-issued-at';
    maximumEndsAt = taipeiDayEnd(yearPeriodLastDay(taipeiDayOf(cardIssuedAt), MOICA_MAXIMUM_YEARS));
  } else if (isFirstCertificate(notBefore, notAfter)) {
    maximumBasis = 'first-certificate';
    maximumEndsAt = taipeiDayEnd(yearPeriodLastDay(taipeiDayOf(notBefore), MOICA_MAXIMUM_YEARS));
  } else {
    maximumBasis = 'renewed-certificate';
    maximumEndsAt = notAfter;
  }
  const expiryDay = taipeiDayOf(notAfter);
  const maximumDay = taipeiDayOf(maximumEndsAt);
  // By dates: a certificate ending on the card's last day (23:59:59) is at the maximum, though a millisecond short.
  const renewable = expiryDay < maximumDay;
  const renewalOpensAt = taipeiDayStart(expiryDay - MOICA_RENEWAL_OPENS_DAYS_BEFORE);
  const threeYears = taipeiDayEnd(yearPeriodLastDay(expiryDay, MOICA_RENEWAL_YEARS_AFTER_EXPIRY));
  // Renewal cannot reach past the card's maximum; a certificate already ending there has no window.
  const renewalClosesAt = !renewable ? notAfter : threeYears.getTime() > maximumEndsAt.getTime() ? maximumEndsAt : threeYears;
  const replacementOpensAt = taipeiDayStart(maximumDay - MOICA_RENEWAL_OPENS_DAYS_BEFORE);
  const t = at.getTime();
  let stage: MoicaLifecycleStage;
  if (t < notBefore.getTime()) stage = 'not-yet-valid';
  else if (t <= notAfter.getTime()) {
    // A renewable certificate's renewal opens before 線上換發 (its end is before the card's): 展期 is offered first.
    if (renewable) stage = t >= renewalOpensAt.getTime() ? 'renewal-window' : 'valid';
    else stage = t >= replacementOpensAt.getTime() ? 'replacement-window' : 'valid';
  } else stage = renewable && t <= renewalClosesAt.getTime() ? 'expired-renewable' : 'past-maximum';
  return {
    stage,
    at,
    notBefore,
    notAfter,
    renewalOpensAt,
    renewalClosesAt,
    maximumEndsAt,
    maximumBasis,
    replacementOpensAt,
    replacementClosesAt: taipeiDayEnd(yearPeriodLastDay(maximumDay, 1)),
    renewable,
    // The calendar difference is 0 after a notAfter before the day's end: an expired certificate has no days left.
    daysUntilExpiry: t > notAfter.getTime() ? Math.min(-1, expiryDay - taipeiDayOf(at)) : expiryDay - taipeiDayOf(at),
  };
}
