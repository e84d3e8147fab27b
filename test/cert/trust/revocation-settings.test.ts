import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationChecker, httpRevocationFetch, type RevocationFetch, type TrustedCertificate } from '../../../src/cert/index.js';
import { checkedFetch } from '../../../src/cert/trust/revocation/checked-fetch.js';
import { CrlCache } from '../../../src/cert/trust/revocation/crl-cache.js';
import { OcspClient } from '../../../src/cert/trust/revocation/ocsp-client.js';
import type { LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure, startRevocationRig } from './helpers/fixtures.js';

// A time setting read with Number(process.env.X) is NaN when X is unset. NaN compares false with everything, so
// `clockSkewMs: NaN` took an OCSP answer two hours past its nextUpdate as current, and a deadline of NaN or
// Infinity gave every injected fetch up after 1 ms (found by the twelfth session's review).

let server: LocalRevocationServer;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;
beforeAll(async () => {
  ({ server, cert, issuer } = await startRevocationRig({ ocspResponder: true }));
});
afterAll(async () => server.close());

const BAD = [Number.NaN, Number(undefined), -1, Number.POSITIVE_INFINITY];
const noFetch: RevocationFetch = () => Promise.reject(new Error('not called'));

describe('revocation time settings', () => {
  it('are refused when they are not a usable number of milliseconds, naming the setting', () => {
    const settings = ['clockSkewMs', 'fetchDeadlineMs', 'ocspCacheMaxAgeMs', 'ocspRetryUnreachableMs', 'crlRefreshAheadMs', 'crlRefreshRetryMs'] as const;
    for (const name of settings) {
      for (const value of BAD) {
        expect(() => new RevocationChecker({ fetch: noFetch, [name]: value }), `${name} ${value}`).toThrow(new RegExp(`^${name} must be`));
      }
    }
    // A deadline must also be positive and fit a timer.
    for (const value of [0, 2 ** 31]) expect(() => new RevocationChecker({ fetch: noFetch, fetchDeadlineMs: value })).toThrow(RangeError);
    // The sources check their own names, for a caller that builds them directly.
    expect(() => new OcspClient({ fetch: noFetch, algorithms: undefined as never, cacheMaxAgeMs: Number.NaN })).toThrow(/^cacheMaxAgeMs must be/);
    expect(() => new CrlCache({ fetch: noFetch, algorithms: undefined as never, refreshRetryMs: -1 })).toThrow(/^refreshRetryMs must be/);
    // Zero is a usable skew, cache age or retry interval.
    expect(() => new RevocationChecker({ fetch: noFetch, clockSkewMs: 0, ocspCacheMaxAgeMs: 0, ocspRetryUnreachableMs: 0, crlRefreshAheadMs: 0 })).not.toThrow();
  });

  it("are refused by the library's own fetch too (timeouts, and a body limit that bounded nothing)", () => {
    for (const value of [...BAD, 0]) {
      expect(() => httpRevocationFetch({ timeoutMs: value }), `timeoutMs ${value}`).toThrow(/^timeoutMs must be/);
      expect(() => httpRevocationFetch({ crlTimeoutMs: value }), `crlTimeoutMs ${value}`).toThrow(/^crlTimeoutMs must be/);
      expect(() => httpRevocationFetch({ maxBytes: value }), `maxBytes ${value}`).toThrow(/^maxBytes must be/);
    }
    expect(() => httpRevocationFetch({ maxBytes: 1.5 })).toThrow(/^maxBytes must be/);
    // A fraction of a millisecond is rounded up, not refused (AbortSignal.timeout takes whole ones).
    expect(() => httpRevocationFetch({ timeoutMs: 1500.5, crlTimeoutMs: 0.5 })).not.toThrow();
  });

  it('a stale OCSP answer stays stale: the skew that let it through can no longer be set', async () => {
    server.setStatus(cert.serialHex, { kind: 'good' });
    server.ocsp.thisUpdate = new Date(Date.now() - 3 * 3_600_000);
    server.ocsp.nextUpdate = new Date(Date.now() - 2 * 3_600_000);
    expect((await failure(new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer))).code).toBe('OCSP_STALE');
    expect(() => new RevocationChecker({ mode: 'ocsp', clockSkewMs: Number(process.env['TWPKI_UNSET_SKEW']) })).toThrow(RangeError);
  });
});

describe('OCSP nonce settings that contradict each other', () => {
  // Before, the pair was taken: no nonce was sent, and the requirement was silently not enforced.
  it('requireOcspNonce: true with ocspNonce: false is a RangeError naming both, at construction', () => {
    expect(() => new RevocationChecker({ fetch: noFetch, ocspNonce: false, requireOcspNonce: true })).toThrow(
      expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/requireOcspNonce.*ocspNonce: false/) }),
    );
    expect(() => new OcspClient({ fetch: noFetch, algorithms: undefined as never, nonce: false, requireNonce: true })).toThrow(/requireNonce.*nonce: false/);
    // Either alone, or both on, is fine.
    for (const pair of [{ ocspNonce: false }, { requireOcspNonce: true }, { ocspNonce: true, requireOcspNonce: true }, { ocspNonce: false, requireOcspNonce: false }]) {
      expect(() => new RevocationChecker({ fetch: noFetch, ...pair })).not.toThrow();
    }
  });
});

describe('an injected fetch given up at its deadline', () => {
  it('is reported as the deadline even when it rejects at once on the abort', async () => {
    const honouring: RevocationFetch = (_url, request) =>
      new Promise((_, reject) => request.signal?.addEventListener('abort', () => reject(request.signal?.reason)));
    const err = await checkedFetch(honouring, 'http://ocsp.example/', { method: 'POST', headers: {}, kind: 'ocsp' }, 50).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FETCH_FAILED', message: expect.stringMatching(/did not finish within 50 ms/) });
  });
});
