import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, RevocationError, TrustedCertificate, AlgorithmPolicy, httpRevocationFetch, type RevocationFetch } from '../../../src/cert/index.js';
import { OcspClient, buildOcspRequest } from '../../../src/cert/advanced.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { revocationFailure as failure, startRevocationRig } from './helpers/fixtures.js';
import type { LocalRevocationServer } from '../../../src/testing/revocation/index.js';

let server: LocalRevocationServer;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki, cert, issuer } = await startRevocationRig({ ocspResponder: true, otherAuthorities: ['moeaca'] }));
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  Object.assign(server.ocsp, {
    echoNonce: true,
    corruptSignature: false,
    defaultStatus: { kind: 'good' },
    responderId: 'key',
    thisUpdate: undefined,
    nextUpdate: undefined,
    signWith: undefined,
    errorStatus: undefined,
    httpStatus: undefined,
  });
  server.setStatus(cert.serialHex, { kind: 'good' });
});

const ocspOnly = (): RevocationChecker => new RevocationChecker({ mode: 'ocsp' });

describe('OCSP against the local responder on 127.0.0.1', () => {
  it('reads the responder URL from the certificate AIA and reports good', async () => {
    expect(cert.ocspUrls).toEqual([server.ocspUrl]);
    const before = server.hits.ocsp;
    const status = await ocspOnly().check(cert, issuer);
    expect(status).toMatchObject({ kind: 'good', source: 'ocsp', url: server.ocspUrl });
    expect(server.hits.ocsp).toBe(before + 1);
  });

  it('reports revoked with time and reason', async () => {
    server.setStatus(cert.serialHex, { kind: 'revoked', revokedAt: new Date('2026-01-02T03:04:05Z'), reason: 'keyCompromise' });
    const status = await ocspOnly().check(cert, issuer);
    expect(status).toEqual({
      kind: 'revoked',
      source: 'ocsp',
      url: server.ocspUrl,
      revokedAt: new Date('2026-01-02T03:04:05Z'),
      reason: 'keyCompromise',
    });
  });

  it('reports unknown', async () => {
    server.setStatus(cert.serialHex, { kind: 'unknown' });
    expect((await ocspOnly().check(cert, issuer)).kind).toBe('unknown');
  });

  it('rejects a response with a bad signature', async () => {
    server.ocsp.corruptSignature = true;
    expect((await failure(ocspOnly().check(cert, issuer))).code).toBe('OCSP_BAD_SIGNATURE');
  });

  it('rejects a stale response (nextUpdate passed) and one from the future', async () => {
    server.ocsp.thisUpdate = new Date(Date.now() - 3 * 3_600_000);
    server.ocsp.nextUpdate = new Date(Date.now() - 2 * 3_600_000);
    expect((await failure(ocspOnly().check(cert, issuer))).code).toBe('OCSP_STALE');
    server.ocsp.thisUpdate = new Date(Date.now() + 3_600_000);
    server.ocsp.nextUpdate = new Date(Date.now() + 2 * 3_600_000);
    expect((await failure(ocspOnly().check(cert, issuer))).code).toBe('OCSP_STALE');
  });

  it('tolerates clock skew within the configured window', async () => {
    server.ocsp.thisUpdate = new Date(Date.now() + 60_000);
    expect((await ocspOnly().check(cert, issuer)).kind).toBe('good');
    const strict = new RevocationChecker({ mode: 'ocsp', clockSkewMs: 0 });
    expect((await failure(strict.check(cert, issuer))).code).toBe('OCSP_STALE');
  });

  it('rejects a response without nextUpdate older than the maximum age', async () => {
    server.ocsp.thisUpdate = new Date(Date.now() - 60 * 60_000);
    server.ocsp.nextUpdate = null;
    expect((await failure(ocspOnly().check(cert, issuer))).code).toBe('OCSP_STALE');
  });

  it('accepts SHA-1 signed responses by default and refuses them under a modern-only policy', async () => {
    server.ocsp.hash = 'SHA-1';
    try {
      expect((await ocspOnly().check(cert, issuer)).kind).toBe('good');
      const modern = new RevocationChecker({ mode: 'ocsp', algorithms: AlgorithmPolicy.modern() });
      expect((await failure(modern.check(cert, issuer))).code).toBe('OCSP_BAD_SIGNATURE');
    } finally {
      server.ocsp.hash = 'SHA-256';
    }
  });

  it('rejects a signer that is not the CA nor its delegate', async () => {
    server.ocsp.signWith = pki.issuer('moeaca');
    expect((await failure(ocspOnly().check(cert, issuer))).code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
  });

  it('accepts a delegated responder with id-kp-OCSPSigning issued by the CA, by name or key', async () => {
    const responder = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, O=行政院, CN=MOICA OCSP',
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      ocspNoCheck: true,
    });
    server.ocsp.signWith = responder;
    expect((await ocspOnly().check(cert, issuer)).kind).toBe('good');
    server.ocsp.responderId = 'name';
    expect((await ocspOnly().check(cert, issuer)).kind).toBe('good');
  });

  it('rejects a delegated responder without id-kp-OCSPSigning', async () => {
    const responder = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=not a responder', keyUsage: ['digitalSignature'] });
    server.ocsp.signWith = responder;
    const err = await failure(ocspOnly().check(cert, issuer));
    expect(err.code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
    expect(err.message).toMatch(/OCSPSigning/);
  });

  it('checks the nonce: missing is tolerated unless required', async () => {
    server.ocsp.echoNonce = false;
    expect((await ocspOnly().check(cert, issuer)).kind).toBe('good');
    const strict = new RevocationChecker({ mode: 'ocsp', requireOcspNonce: true });
    expect((await failure(strict.check(cert, issuer))).code).toBe('OCSP_NONCE_MISMATCH');
  });

  it('reports a responder error status and an HTTP failure', async () => {
    server.ocsp.errorStatus = 3;
    const err = await failure(ocspOnly().check(cert, issuer));
    expect(err.code).toBe('OCSP_ERROR_STATUS');
    expect(err.message).toMatch(/tryLater/);
    server.ocsp.errorStatus = undefined;
    server.ocsp.httpStatus = 503;
    expect((await failure(ocspOnly().check(cert, issuer))).code).toBe('FETCH_FAILED');
  });

  it('rejects an answer about another certificate', async () => {
    const other = TrustedCertificate.from((await pki.issueCardHolder({ authority: 'moica' })).sign.certificate);
    const swap: RevocationFetch = async (url, req) => {
      // Ask about `other` whatever the client asked: the answer then names the wrong serial.
      return httpRevocationFetch()(url, { ...req, body: buildOcspRequest(other, issuer).der });
    };
    const client = new OcspClient({ fetch: swap, algorithms: AlgorithmPolicy.modern(), nonce: false });
    expect((await failure(client.check(cert, issuer, new Date()))).code).toBe('OCSP_WRONG_CERTIFICATE');
  });

  it('keeps at most cacheSize good answers, and one asked for again over one seen once', async () => {
    const holders = await Promise.all([0, 1].map(() => pki.issueCardHolder({ authority: 'moica' })));
    const [a, b] = holders.map((h) => TrustedCertificate.from(h.sign.certificate)) as [TrustedCertificate, TrustedCertificate];
    const client = new OcspClient({ fetch: httpRevocationFetch(), algorithms: AlgorithmPolicy.modern(), nonce: false, cacheSize: 2 });
    const at = new Date();
    const asks = (): number => client.requests;
    await client.check(cert, issuer, at);
    await client.check(a, issuer, at);
    expect(client.cached).toBe(2);
    await client.check(cert, issuer, at); // answered from the cache, and now marked as used
    expect(asks()).toBe(2);
    await client.check(b, issuer, at); // makes room: `a`, not asked for again, goes
    expect(client.cached).toBe(2);
    expect(asks()).toBe(3);
    await client.check(cert, issuer, at);
    expect(asks()).toBe(3);
    await client.check(a, issuer, at);
    expect(asks()).toBe(4);
    expect(client.cached).toBe(2);
  });

  it('keeps a good answer at most cacheMaxAgeMs (default 1 hour), however far its nextUpdate', async () => {
    // A responder that pre-signs for ten years: kept until then, a revocation in the meantime went unseen.
    server.ocsp.nextUpdate = new Date(Date.now() + 10 * 365 * 86_400_000);
    for (const cap of [undefined, 10 * 60_000]) {
      const client = new OcspClient({
        fetch: httpRevocationFetch(),
        algorithms: AlgorithmPolicy.modern(),
        nonce: false,
        ...(cap === undefined ? {} : { cacheMaxAgeMs: cap }),
      });
      const keptMs = cap ?? 3_600_000;
      server.setStatus(cert.serialHex, { kind: 'good' });
      const start = new Date();
      const at = (ms: number): Date => new Date(start.getTime() + ms);
      expect(await client.check(cert, issuer, start)).toMatchObject({ kind: 'good' });
      server.setStatus(cert.serialHex, { kind: 'revoked', revokedAt: new Date(), reason: 'keyCompromise' });
      // Within the cap: the cached answer, without asking.
      expect(await client.check(cert, issuer, at(keptMs - 1000))).toMatchObject({ kind: 'good' });
      expect(client.requests).toBe(1);
      // Past it: asked again, and the revocation is seen.
      expect(await client.check(cert, issuer, at(keptMs + 1000))).toMatchObject({ kind: 'revoked' });
      expect(client.requests).toBe(2);
    }
  });

  it('uses an injected fetch and reports its failure as FETCH_FAILED', async () => {
    const calls: string[] = [];
    const down: RevocationFetch = (url) => {
      calls.push(url);
      return Promise.reject(new RevocationError('FETCH_FAILED', 'connection refused', { url }));
    };
    const err = await failure(new RevocationChecker({ mode: 'ocsp', fetch: down }).check(cert, issuer));
    expect(err.code).toBe('FETCH_FAILED');
    expect(calls).toEqual([server.ocspUrl]);
  });

  it('rejects malformed responses with OCSP_MALFORMED', async () => {
    const garbage: RevocationFetch = () => Promise.resolve({ status: 200, body: new Uint8Array([0x30, 0x03, 0x0a, 0x01]) });
    expect((await failure(new RevocationChecker({ mode: 'ocsp', fetch: garbage }).check(cert, issuer))).code).toBe('OCSP_MALFORMED');
  });

  it('refuses non-HTTP URLs in the default fetch', async () => {
    const err = await failure(httpRevocationFetch()('file:///etc/passwd', { method: 'GET', headers: {} }));
    expect(err.code).toBe('FETCH_FAILED');
  });
});
