/**
 * Expiry: a MOICA certificate ends at 15:59:59Z (23:59:59 Taiwan time); a
 * login is accepted through that second and refused from the next one with
 * CertificateExpiredError CERT_EXPIRED; before notBefore CERT_NOT_YET_VALID.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateExpiredError } from 'twpki/cert';
import type { CardHolderCredentials } from 'twpki/testing';
import { HOUR, failure, startLab, type Lab } from './lab.js';

let lab: Lab;
let card: CardHolderCredentials;
const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
// Issued 100 days before T0 (inside the test CA's validity); ends five years later at 15:59:59Z.
const NOT_BEFORE = Date.UTC(2025, 10, 22, 2, 0, 0);
const NOT_AFTER = Date.UTC(2030, 10, 22, 15, 59, 59);

beforeAll(async () => {
  lab = await startLab(T0);
  card = await lab.issue({ notBefore: new Date(NOT_BEFORE) });
});
afterAll(async () => {
  await lab.close();
});

/** A login at `t`, the OCSP answer current then. */
function loginAt(t: number): Promise<unknown> {
  lab.clock.t = t;
  lab.server.ocsp.thisUpdate = new Date(t);
  lab.server.ocsp.nextUpdate = new Date(t + HOUR);
  const { verifier } = lab.verifier({ mode: 'ocsp', ocspCacheSize: 0 });
  return lab.login(verifier, card);
}

describe('expiry at the exact second', () => {
  it('the test PKI issues MOICA certificates ending at 15:59:59Z', async () => {
    const login = (await loginAt(T0)) as { profile: { validity: { notAfter: Date } } };
    expect(login.profile.validity.notAfter.toISOString()).toBe(new Date(NOT_AFTER).toISOString());
  });

  it('accepts a login at 15:59:59Z, the notAfter itself (inclusive, RFC 5280 4.1.2.5)', async () => {
    await expect(loginAt(NOT_AFTER)).resolves.toBeDefined();
  });

  it.each([
    ['16:00:00.000Z', NOT_AFTER + 1000],
    // Like Go's and Java's checks (not OpenSSL's, which truncates to the second): the instant after notAfter.
    ['15:59:59.001Z', NOT_AFTER + 1],
    ['a day later', NOT_AFTER + 24 * HOUR],
  ])('refuses a login at %s with CERT_EXPIRED', async (_name, t) => {
    const err = await failure(loginAt(t));
    expect(err).toBeInstanceOf(CertificateExpiredError);
    expect(err.code).toBe('CERT_EXPIRED');
  });

  it('refuses a login before notBefore with CERT_NOT_YET_VALID, and accepts one at notBefore', async () => {
    const err = await failure(loginAt(NOT_BEFORE - 1000));
    expect(err).toBeInstanceOf(CertificateExpiredError);
    expect(err.code).toBe('CERT_NOT_YET_VALID');
    await expect(loginAt(NOT_BEFORE)).resolves.toBeDefined();
  });
});
