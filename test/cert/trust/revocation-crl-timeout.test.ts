import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate, httpRevocationFetch } from '../../../src/cert/index.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure } from './helpers/fixtures.js';
import { startCaServer, type CaServer, type Handler } from './helpers/ca-server.js';

// A CRL is megabytes where an OCSP answer is kilobytes: over a slow link the
// CRL needs longer than an OCSP request may take, while a server that never
// answers must still cost no more than the OCSP timeout.


let ca: CaServer;
let pki: TestPki;
let issuer: TrustedCertificate;
let cert: TrustedCertificate;

beforeAll(async () => {
  ca = await startCaServer();
  pki = await createTestPki({ authorities: ['moica'], crlBaseUrl: `${ca.base}/crl`, ocspUrl: `${ca.base}/ocsp` });
  issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
  cert = TrustedCertificate.from((await pki.issueCardHolder({ authority: 'moica' })).sign.certificate);
});

afterAll(() => ca.close());

beforeEach(() => ca.reset());

/** Answers at once, then sends the CRL in ten pieces over about `ms`, as a slow link delivers it. */
function slowCrl(ms: number): Handler {
  const der = buildCrl({ issuer: pki.issuer('moica'), entries: [] });
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': der.length });
    const piece = Math.ceil(der.length / 10);
    let sent = 0;
    const timer = setInterval(() => {
      res.write(der.subarray(sent, sent + piece));
      sent += piece;
      if (sent >= der.length) {
        clearInterval(timer);
        res.end();
      }
    }, ms / 10);
    res.on('close', () => clearInterval(timer));
  };
}

const silent: Handler = (req) => {
  req.resume();
};

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const start = Date.now();
  await run().catch(() => undefined);
  return Date.now() - start;
}

describe('how long a CRL download may take', () => {
  it('a CRL that arrives slower than the OCSP timeout still arrives (crlTimeoutMs, default 2 minutes)', async () => {
    // The headers come at once, the body over 2.5 s: the 1 s OCSP timeout leaves room for a loaded machine's
    // first answer (400 ms did not, once, beside a full suite) and is still well below the body's time.
    ca.routes.set('/crl/moica.crl', slowCrl(2500));
    const checker = new RevocationChecker({ mode: 'crl', fetch: httpRevocationFetch({ timeoutMs: 1000 }) });
    expect(await checker.check(cert, issuer)).toMatchObject({ kind: 'good', source: 'crl' });
  });

  it('is bounded by crlTimeoutMs', async () => {
    ca.routes.set('/crl/moica.crl', slowCrl(1500));
    const checker = new RevocationChecker({ mode: 'crl', fetch: httpRevocationFetch({ timeoutMs: 300, crlTimeoutMs: 600 }) });
    const error = await failure(checker.check(cert, issuer));
    expect(error.code).toBe('FETCH_FAILED');
  });

  it('a CRL server that never answers costs the OCSP timeout, not the CRL one', async () => {
    ca.routes.set('/crl/moica.crl', silent);
    const checker = new RevocationChecker({ mode: 'crl', fetch: httpRevocationFetch({ timeoutMs: 400 }) });
    let code: string | undefined;
    const ms = await elapsed(async () => {
      code = (await failure(checker.check(cert, issuer))).code;
    });
    expect(code).toBe('FETCH_FAILED');
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(5_000);
  });

  it('an OCSP request keeps the OCSP timeout, body included', async () => {
    // Headers at once, then a body that never ends: the CRL's longer limit is not the OCSP answer's.
    ca.routes.set('/ocsp', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      res.write(Uint8Array.of(0x30));
    });
    const checker = new RevocationChecker({ mode: 'ocsp', fetch: httpRevocationFetch({ timeoutMs: 400 }) });
    let code: string | undefined;
    const ms = await elapsed(async () => {
      code = (await failure(checker.check(cert, issuer))).code;
    });
    expect(code).toBe('FETCH_FAILED');
    expect(ms).toBeLessThan(5_000);
  });
});
