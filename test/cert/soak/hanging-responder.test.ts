import { beforeAll, describe, expect, it } from 'vitest';
import { RevocationChecker, RevocationError, TrustedCertificate, type RevocationFetch } from '../../../src/cert/index.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { certificateVariant } from './helpers/variants.js';

// A responder that accepts requests and never answers, behind a fetch of the
// application's own without a timeout: the checker's memory of pending
// requests must drain at its deadline, and later checks must not pile up.

const USERS = 300;
const DEADLINE_MS = 100;

let pki: TestPki;
let issuer: TrustedCertificate;
let certs: TrustedCertificate[];

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'], ocspUrl: 'http://ocsp.example.invalid/ocsp', crlBaseUrl: 'http://crl.example.invalid/crl' });
  issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
  const first = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=使用者', keyUsage: ['digitalSignature'] });
  // Revocation checks read serials and URLs, not the signature: variants need none.
  certs = Array.from({ length: USERS }, (_, i) => TrustedCertificate.from(certificateVariant(first.certificate, i)));
}, 60_000);

/** A fetch that never settles, counting calls. */
function hanging(): { fetch: RevocationFetch; calls: () => number } {
  let n = 0;
  return {
    fetch: () => {
      n++;
      return new Promise(() => {});
    },
    calls: () => n,
  };
}

function pending(checker: RevocationChecker): { ocsp: number; crl: number } {
  return {
    ocsp: (checker.ocsp as unknown as { inFlight: Map<string, unknown> }).inFlight.size,
    crl: (checker.crls as unknown as { inFlight: Map<string, unknown> }).inFlight.size,
  };
}

async function failures(checks: Promise<unknown>[]): Promise<string[]> {
  const settled = await Promise.allSettled(checks);
  return settled.map((s) => {
    if (s.status === 'fulfilled') return 'answered';
    expect(s.reason).toBeInstanceOf(RevocationError);
    return (s.reason as RevocationError).code;
  });
}

describe('a revocation responder that never answers', () => {
  it('OCSP: concurrent checks of distinct users end at the deadline with nothing pending, and later ones skip the responder', async () => {
    const { fetch, calls } = hanging();
    const checker = new RevocationChecker({ mode: 'ocsp', fetch, fetchDeadlineMs: DEADLINE_MS });
    const checks = certs.map((c) => checker.check(c, issuer));
    expect(pending(checker).ocsp).toBe(USERS); // one per user while they wait: bounded by who is waiting
    expect(new Set(await failures(checks))).toEqual(new Set(['FETCH_FAILED']));
    expect(pending(checker).ocsp).toBe(0);
    expect(calls()).toBe(USERS);
    // The time-out is remembered for the URL: the next users fail at once, without a request or a wait.
    expect(new Set(await failures(certs.map((c) => checker.check(c, issuer))))).toEqual(new Set(['FETCH_FAILED']));
    expect(calls()).toBe(USERS);
    expect(pending(checker).ocsp).toBe(0);
  });

  it('CRL: every user waits on one shared download, which is given up at the deadline and remembered', async () => {
    const { fetch, calls } = hanging();
    const checker = new RevocationChecker({ mode: 'crl', fetch, fetchDeadlineMs: DEADLINE_MS });
    const checks = certs.map((c) => checker.check(c, issuer));
    expect(new Set(await failures(checks))).toEqual(new Set(['FETCH_FAILED']));
    expect(calls()).toBe(1);
    expect(pending(checker).crl).toBe(0);
    expect(new Set(await failures(certs.map((c) => checker.check(c, issuer))))).toEqual(new Set(['FETCH_FAILED']));
    expect(calls()).toBe(1); // within refreshRetryMs: failed closed from memory
  });

  it('CRL: crlRefreshRetryMs: 0 remembers no failed download (the next check downloads again)', async () => {
    const { fetch, calls } = hanging();
    const checker = new RevocationChecker({ mode: 'crl', fetch, fetchDeadlineMs: DEADLINE_MS, crlRefreshRetryMs: 0 });
    expect(await failures([checker.check(certs[0] as TrustedCertificate, issuer)])).toEqual(['FETCH_FAILED']);
    expect(await failures([checker.check(certs[0] as TrustedCertificate, issuer)])).toEqual(['FETCH_FAILED']);
    expect(calls()).toBe(2);
  });
});
