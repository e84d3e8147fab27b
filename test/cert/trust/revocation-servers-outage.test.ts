import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, RevocationChecker, TrustedCertificate, httpRevocationFetch } from '../../../src/cert/index.js';
import { OcspClient } from '../../../src/cert/advanced.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure } from './helpers/fixtures.js';
import { startCaServer, type CaServer, type Handler } from './helpers/ca-server.js';

// A CA server that is down, slow or dripping, while logins keep coming: each
// login must end within a bounded time, fail closed when nothing answered,
// and not pay for the same outage again and again.


let ca: CaServer;
let pki: TestPki;
let issuer: TrustedCertificate;
/** Three card holders' SIGN certificates (different serials: no shared OCSP request). */
let certs: TrustedCertificate[];

beforeAll(async () => {
  ca = await startCaServer();
  pki = await createTestPki({ authorities: ['moica'], crlBaseUrl: `${ca.base}/crl`, ocspUrl: `${ca.base}/ocsp` });
  issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
  certs = await Promise.all(
    [0, 1, 2].map(async () => TrustedCertificate.from((await pki.issueCardHolder({ authority: 'moica' })).sign.certificate)),
  );
});

afterAll(() => ca.close());

beforeEach(() => ca.reset());

const cert = (i: number): TrustedCertificate => certs[i] as TrustedCertificate;

function serveGoodCrl(): void {
  const der = buildCrl({ issuer: pki.issuer('moica'), entries: [] });
  ca.routes.set('/crl/moica.crl', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': der.length }).end(der);
  });
}

/** Accepts the request and never answers (a responder behind a dead backend). */
const blackHole: Handler = (req) => {
  req.resume();
};

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await p;
  return { value, ms: Date.now() - start };
}

describe('an OCSP responder that accepts and never answers', () => {
  it('costs the timeout once, not once per login, while the CRL answers', async () => {
    ca.routes.set('/ocsp', blackHole);
    serveGoodCrl();
    const checker = new RevocationChecker({ fetch: httpRevocationFetch({ timeoutMs: 600 }) });
    // The first login waits for the timeout, then the CRL answers.
    expect(await checker.check(cert(0), issuer)).toMatchObject({ kind: 'good', source: 'crl' });
    // Other card holders, within the retry delay: straight to the (warm) CRL.
    for (const i of [1, 2]) {
      const next = await timed(checker.check(cert(i), issuer));
      expect(next.value).toMatchObject({ kind: 'good', source: 'crl' });
      expect(next.ms).toBeLessThan(400);
    }
    expect(ca.hits.get('/ocsp')).toBe(1);
  });

  it('fails closed at once, with the remembered cause, when OCSP is the only source', async () => {
    ca.routes.set('/ocsp', blackHole);
    const checker = new RevocationChecker({ mode: 'ocsp', fetch: httpRevocationFetch({ timeoutMs: 300 }) });
    expect((await failure(checker.check(cert(0), issuer))).code).toBe('FETCH_FAILED');
    const again = await timed(failure(checker.check(cert(1), issuer)));
    expect(again.value.code).toBe('FETCH_FAILED');
    expect(again.value.message).toMatch(/timeout/);
    expect(again.ms).toBeLessThan(200);
    expect(ca.hits.get('/ocsp')).toBe(1);
  });

  it('asks again once the retry delay has passed', async () => {
    ca.routes.set('/ocsp', blackHole);
    let now = Date.now();
    const client = new OcspClient({
      fetch: httpRevocationFetch({ timeoutMs: 300 }),
      algorithms: AlgorithmPolicy.withSha1(),
      retryUnreachableMs: 60_000,
    });
    expect((await failure(client.check(cert(0), issuer, new Date(now)))).code).toBe('FETCH_FAILED');
    expect((await failure(client.check(cert(0), issuer, new Date(now + 59_000)))).code).toBe('FETCH_FAILED');
    expect(ca.hits.get('/ocsp')).toBe(1);
    now += 61_000;
    // Still down: asked once more (the wait restarts).
    expect((await failure(client.check(cert(0), issuer, new Date(now)))).code).toBe('FETCH_FAILED');
    expect(ca.hits.get('/ocsp')).toBe(2);
  });

  it('does not remember an answer the responder gave (an error status is not an outage)', async () => {
    ca.routes.set('/ocsp', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from('30030a0103', 'hex'));
    });
    const checker = new RevocationChecker({ mode: 'ocsp' });
    expect((await failure(checker.check(cert(0), issuer))).code).toBe('OCSP_ERROR_STATUS');
    expect((await failure(checker.check(cert(1), issuer))).code).toBe('OCSP_ERROR_STATUS');
    expect(ca.hits.get('/ocsp')).toBe(2);
  });
});

describe('a CRL server that is slow or dripping (held before this change)', () => {
  it('bounds a body dripped one byte at a time by the whole-download timeout (crlTimeoutMs)', async () => {
    ca.routes.set('/crl/moica.crl', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pkix-crl' });
      const drip = setInterval(() => res.write(Buffer.of(0x30)), 50);
      res.on('close', () => clearInterval(drip));
    });
    const checker = new RevocationChecker({ mode: 'crl', fetch: httpRevocationFetch({ timeoutMs: 300, crlTimeoutMs: 700 }) });
    const { value, ms } = await timed(failure(checker.check(cert(0), issuer)));
    expect(value.code).toBe('FETCH_FAILED');
    expect(ms).toBeLessThan(2_000);
  });

  it('shares one slow download between concurrent logins, and fails them all closed together', async () => {
    const waiting: ServerResponse[] = [];
    ca.routes.set('/crl/moica.crl', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pkix-crl' });
      res.write(Buffer.of(0x30, 0x84));
      waiting.push(res);
    });
    const checker = new RevocationChecker({ mode: 'crl', fetch: httpRevocationFetch({ timeoutMs: 200, crlTimeoutMs: 500 }) });
    const logins = Array.from({ length: 20 }, (_, i) => timed(failure(checker.check(cert(i % 3), issuer))));
    const outcomes = await Promise.all(logins);
    expect(outcomes.every((o) => o.value.code === 'FETCH_FAILED' && o.ms < 1_500)).toBe(true);
    expect(ca.hits.get('/crl/moica.crl')).toBe(1);
    // The next login within the retry delay fails at once, without downloading.
    const after = await timed(failure(checker.check(cert(0), issuer)));
    expect(after.ms).toBeLessThan(100);
    expect(ca.hits.get('/crl/moica.crl')).toBe(1);
    for (const res of waiting) res.destroy();
  });

  it('skips an LDAP distribution point and answers from the HTTP one', async () => {
    serveGoodCrl();
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: ['ldap://ldap.moica.nat.gov.tw/cn=MOICA?certificateRevocationList', `${ca.base}/crl/moica.crl`] });
    expect(await checker.check(cert(0), issuer)).toMatchObject({ kind: 'good', url: `${ca.base}/crl/moica.crl` });
  });

  it('fails closed, typed, when the only distribution point is LDAP', async () => {
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: ['ldap://ldap.moica.nat.gov.tw/cn=MOICA?certificateRevocationList'] });
    const err = await failure(checker.check(cert(0), issuer));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/non-HTTP/);
  });
});
