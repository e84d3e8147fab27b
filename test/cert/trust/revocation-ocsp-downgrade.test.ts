import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate, httpRevocationFetch, type RevocationFetch } from '../../../src/cert/index.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import { LocalRevocationServer, buildCrl } from '../../../src/testing/revocation/index.js';

// OCSP knows of a revocation the current CRL does not list yet. One connection cut on the way to the responder
// (anyone on the plain-HTTP path can send a reset; a responder restarting does it too) must cost that one check
// its OCSP answer, not send every login of the next minute to the CRL.

let server: LocalRevocationServer;
let issuer: TrustedCertificate;
let alice: TrustedCertificate;
let mallory: TrustedCertificate;

beforeAll(async () => {
  server = await LocalRevocationServer.start();
  const pki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl, authorities: ['moica'] });
  server.addAuthority(pki.issuer('moica'));
  server.publishCrl('moica.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [] }));
  issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
  alice = TrustedCertificate.from((await pki.issueCardHolder({ authority: 'moica' })).sign.certificate);
  mallory = TrustedCertificate.from((await pki.issueCardHolder({ authority: 'moica' })).sign.certificate);
  server.setStatus(mallory.serialHex, { kind: 'revoked', revokedAt: new Date(Date.now() - 60_000) });
});

afterAll(async () => {
  await server.close();
});

/** The real fetch, except that the first `cuts` OCSP requests meet a reset connection, or a timeout. */
function cutting(cuts: number, how: 'reset' | 'timeout'): RevocationFetch {
  const real = httpRevocationFetch({ timeoutMs: 2_000 });
  let left = cuts;
  return async (url, request) => {
    if (request.kind !== 'crl' && left-- > 0) {
      throw how === 'reset'
        ? Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
        : new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    }
    return real(url, request);
  };
}

describe('a cut OCSP connection', () => {
  it('is not remembered: the next login asks OCSP again and sees the revocation', async () => {
    const checker = new RevocationChecker({ fetch: cutting(1, 'reset') });
    expect(await checker.check(alice, issuer)).toMatchObject({ kind: 'good', source: 'crl' });
    expect(await checker.check(mallory, issuer)).toMatchObject({ kind: 'revoked', source: 'ocsp' });
  });

  it('a timeout is remembered for ocspRetryUnreachableMs, and 0 turns that off', async () => {
    const remembering = new RevocationChecker({ fetch: cutting(1, 'timeout') });
    expect(await remembering.check(alice, issuer)).toMatchObject({ source: 'crl' });
    // Skipped for a minute: the CRL answers, which does not list mallory yet.
    expect(await remembering.check(mallory, issuer)).toMatchObject({ kind: 'good', source: 'crl' });
    const asking = new RevocationChecker({ fetch: cutting(1, 'timeout'), ocspRetryUnreachableMs: 0 });
    expect(await asking.check(alice, issuer)).toMatchObject({ source: 'crl' });
    expect(await asking.check(mallory, issuer)).toMatchObject({ kind: 'revoked', source: 'ocsp' });
  });
});
