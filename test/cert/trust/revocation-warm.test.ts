import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate } from '../../../src/cert/index.js';
import { warmRevocationStatus } from '../../../src/cert/trust/revocation/revocation-checker.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig } from './helpers/fixtures.js';

// The login hot path asks `warmRevocationStatus` first and awaits `check`
// only when it answers `undefined`: it must give exactly what `check` gives,
// and nothing where `check` would download, ask OCSP or fail.

let server: LocalRevocationServer;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki, cert, issuer } = await startRevocationRig({ ocspResponder: true }));
});

afterAll(async () => {
  await server.close();
});

const HOUR = 3_600_000;

function publish(name: string, thisUpdate: Date, revoked: boolean): string {
  return server.publishCrl(
    name,
    buildCrl({
      issuer: pki.issuer('moica'),
      entries: revoked ? [{ serialHex: cert.serialHex, revokedAt: new Date(thisUpdate.getTime() - 60_000) }] : [],
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + HOUR),
    }),
  );
}

describe('revocation answered from memory', () => {
  it('is undefined until a CRL is cached, then equals check for good and revoked certificates', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const revoked of [false, true]) {
      const url = publish(`warm-${String(revoked)}.crl`, t0, revoked);
      const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
      expect(warmRevocationStatus(checker, cert, issuer, t0)).toBeUndefined();
      const checked = await checker.check(cert, issuer, t0);
      expect(checked.kind).toBe(revoked ? 'revoked' : 'good');
      const warm = warmRevocationStatus(checker, cert, issuer, t0);
      expect(warm).toEqual(checked);
      expect(checker.crls.downloads).toBe(1);
    }
  });

  it('is undefined past the CRL nextUpdate and before its thisUpdate beyond the skew', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = publish('warm-window.crl', t0, false);
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    await checker.check(cert, issuer, t0);
    expect(warmRevocationStatus(checker, cert, issuer, new Date(t0.getTime() + HOUR))?.kind).toBe('good');
    expect(warmRevocationStatus(checker, cert, issuer, new Date(t0.getTime() + HOUR + 1))).toBeUndefined();
    expect(warmRevocationStatus(checker, cert, issuer, new Date(t0.getTime() - 5 * 60_000 - 1))).toBeUndefined();
    // Another issuer's cache entry is not this one's.
    expect(warmRevocationStatus(checker, cert, cert, t0)).toBeUndefined();
  });

  it('answers for OCSP-first modes only from a cached OCSP good, never from the second source', async () => {
    const now = new Date();
    server.setStatus(cert.serialHex, { kind: 'good' });
    server.ocsp.nextUpdate = new Date(now.getTime() + HOUR);
    try {
      const url = publish('warm-second.crl', new Date(Math.floor(now.getTime() / 1000) * 1000 - 1000), false);
      const both = new RevocationChecker({ mode: 'ocsp-then-crl', crlUrls: [url] });
      // A warm CRL (the second source) does not answer while OCSP (the first) is cold.
      await both.crls.get(url, issuer, now);
      expect(warmRevocationStatus(both, cert, issuer, now)).toBeUndefined();
      const checked = await both.check(cert, issuer, now);
      expect(checked).toMatchObject({ kind: 'good', source: 'ocsp' });
      expect(warmRevocationStatus(both, cert, issuer, now)).toEqual(checked);
      expect(warmRevocationStatus(both, cert, issuer, new Date(now.getTime() + HOUR + 1))).toBeUndefined();
      // No cache, no warm answer.
      const uncached = new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 0 });
      await uncached.check(cert, issuer, now);
      expect(warmRevocationStatus(uncached, cert, issuer, now)).toBeUndefined();
    } finally {
      server.ocsp.nextUpdate = undefined;
    }
  });
});
