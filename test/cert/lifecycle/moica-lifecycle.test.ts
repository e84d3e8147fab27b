import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateParseError, MoicaLifecycleError, TrustedCertificate, moicaLifecycle, parseCertificate, type MoicaLifecycleStage } from '../../../src/cert/index.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../../src/testing/pki/index.js';
import { realCa } from '../trust/helpers/fixtures.js';

const NOT_BEFORE = new Date('2021-03-10T08:00:00Z');
// MOICA certificates end at 23:59:59 Taiwan time, 5 years on.
const NOT_AFTER = new Date('2026-03-10T15:59:59Z');
const ms = (d: Date, delta: number): Date => new Date(d.getTime() + delta);

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
      renewalOpensAt: new Date('2026-01-09T15:59:59Z'),
      // 3 years after expiry would be 2029-03-10T15:59:59Z; the 8-year maximum comes first.
      renewalClosesAt: new Date('2029-03-10T08:00:00Z'),
      maximumEndsAt: new Date('2029-03-10T08:00:00Z'),
      maximumBasis: 'first-certificate',
      replacementOpensAt: new Date('2029-01-09T08:00:00Z'),
      replacementClosesAt: new Date('2030-03-10T08:00:00Z'),
      renewable: true,
    });
    expect(life.daysUntilExpiry).toBe(433);
  });

  it('changes stage exactly at each boundary', () => {
    const renewalOpens = new Date('2026-01-09T15:59:59Z');
    const closes = new Date('2029-03-10T08:00:00Z');
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
    // Renewed during the window; the new certificate runs to the card's 8-year end.
    const renewedEnd = new Date('2029-03-10T08:00:00Z');
    return pki.issueCardHolder({ authority: 'moica', notBefore: new Date('2026-02-01T00:00:00Z'), notAfter: renewedEnd }).then((renewed) => {
      const life = moicaLifecycle(renewed.sign.certificate, { at: new Date('2028-02-01T00:00:00Z'), cardIssuedAt: NOT_BEFORE });
      expect([life.stage, life.renewable, life.maximumEndsAt, life.renewalClosesAt]).toEqual(['valid', false, renewedEnd, renewedEnd]);
      expect(stage(ms(renewedEnd, 1), renewed.sign.certificate, NOT_BEFORE)).toBe('past-maximum');
      expect(life.maximumBasis).toBe('card-issued-at');
    });
  });

  it('the last 60 days before the card\'s end, where only 線上換發 is open, are the replacement window', async () => {
    // Form: 線上換發 「原憑證即將8年到期（含展期期間）前60天及到期後1年內」; 展期 cannot reach past the 8 years.
    const renewedEnd = new Date('2029-03-10T08:00:00Z');
    const renewed = await pki.issueCardHolder({ authority: 'moica', notBefore: new Date('2026-02-01T00:00:00Z'), notAfter: renewedEnd });
    const opens = new Date('2029-01-09T08:00:00Z');
    expect(moicaLifecycle(renewed.sign.certificate, { at: opens, cardIssuedAt: NOT_BEFORE }).replacementOpensAt).toEqual(opens);
    expect(stage(ms(opens, -1), renewed.sign.certificate, NOT_BEFORE)).toBe('valid');
    expect(stage(opens, renewed.sign.certificate, NOT_BEFORE)).toBe('replacement-window');
    expect(stage(renewedEnd, renewed.sign.certificate, NOT_BEFORE)).toBe('replacement-window');
    expect(stage(ms(renewedEnd, 1), renewed.sign.certificate, NOT_BEFORE)).toBe('past-maximum');
    // Taken as a renewal from its own dates: the window is the 60 days before its end.
    expect(stage(new Date('2029-01-09T07:59:59Z'), renewed.sign.certificate)).toBe('valid');
    expect(stage(new Date('2029-01-09T08:00:00Z'), renewed.sign.certificate)).toBe('replacement-window');
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

  it('without cardIssuedAt, only a certificate valid 5 years (a day short allowed) is taken as a card\'s first', async () => {
    const fiveYearsLessADay = new Date('2026-03-09T08:00:00Z');
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
    expect([life.stage, life.renewalClosesAt]).toEqual(['expired-renewable', new Date('2025-03-10T15:59:59Z')]);
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
    expect(code(() => moicaLifecycle(holder.sign.certificate, { cardIssuedAt: ms(NOT_BEFORE, 1) }))).toBe('INVALID_LIFECYCLE_DATE');
    expect(code(() => moicaLifecycle(new Uint8Array([1, 2, 3])))).toBe('NOT_A_CERTIFICATE');
  });
});
