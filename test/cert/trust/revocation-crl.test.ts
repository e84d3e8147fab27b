import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, RevocationChecker, RevocationError, TrustedCertificate, type RevocationFetch } from '../../../src/cert/index.js';
import { CertificateRevocationList, CrlCache } from '../../../src/cert/advanced.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { revocationFailure as failure, startRevocationRig } from './helpers/fixtures.js';
import { handCrl } from './helpers/revocation-hand-built.js';
import { buildCrl, type LocalRevocationServer, type TestCrlEntry } from '../../../src/testing/revocation/index.js';

let server: LocalRevocationServer;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki, cert, issuer } = await startRevocationRig({ ocspResponder: false, otherAuthorities: ['moeaca'] }));
});

afterAll(async () => {
  await server.close();
});

function serials(count: number): TestCrlEntry[] {
  return Array.from({ length: count }, (_, i) => ({ serialHex: (0x10000000 + i).toString(16), revokedAt: new Date('2025-12-01T00:00:00Z') }));
}

describe('CRL checks against the local CRL server', () => {
  it('finds a revoked serial (hit) with date and reason', async () => {
    const url = server.publishCrl('hit.crl', buildCrl({
      issuer: pki.issuer('moica'),
      entries: [...serials(10), { serialHex: cert.serialHex, revokedAt: new Date('2026-02-03T04:05:06Z'), reason: 'superseded' }],
    }));
    const status = await new RevocationChecker({ mode: 'crl', crlUrls: [url] }).check(cert, issuer);
    expect(status).toEqual({ kind: 'revoked', source: 'crl', url, revokedAt: new Date('2026-02-03T04:05:06Z'), reason: 'superseded' });
  });

  it('reports good when the serial is absent (miss), using the certificate CDP', async () => {
    expect(cert.crlUrls).toEqual([pki.crlUrl('moica')]);
    server.publishCrl('moica.crl', buildCrl({ issuer: pki.issuer('moica'), entries: serials(10) }));
    const status = await new RevocationChecker({ mode: 'crl' }).check(cert, issuer);
    expect(status).toMatchObject({ kind: 'good', source: 'crl', url: pki.crlUrl('moica') });
  });

  it('treats a revocation dated after the validation time as not yet revoked, asked about that time with the present given', async () => {
    const revokedAt = new Date(Date.now() - 60_000);
    const url = server.publishCrl('later.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt }] }));
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    expect((await checker.check(cert, issuer)).kind).toBe('revoked');
    const before = new Date(revokedAt.getTime() - 1000);
    expect((await checker.check(cert, issuer, before, { now: new Date() })).kind).toBe('good');
    // Without `now`, the time asked about is the present: a list issued after it (within the clock skew) that
    // names the certificate is a CA clock ahead of this one, not a revocation still to come.
    expect((await checker.check(cert, issuer, before)).kind).toBe('revoked');
  });

  it('rejects a stale CRL (nextUpdate passed)', async () => {
    const url = server.publishCrl('stale.crl', buildCrl({
      issuer: pki.issuer('moica'),
      entries: [],
      thisUpdate: new Date(Date.now() - 3 * 86_400_000),
      nextUpdate: new Date(Date.now() - 86_400_000),
    }));
    expect((await failure(new RevocationChecker({ mode: 'crl', crlUrls: [url] }).check(cert, issuer))).code).toBe('CRL_STALE');
  });

  it('rejects a CRL with a bad signature, or signed by another CA', async () => {
    const bad = server.publishCrl('bad.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [], corruptSignature: true }));
    expect((await failure(new RevocationChecker({ mode: 'crl', crlUrls: [bad] }).check(cert, issuer))).code).toBe('CRL_BAD_SIGNATURE');
    const other = server.publishCrl('other.crl', buildCrl({ issuer: pki.issuer('moeaca'), entries: [] }));
    expect((await failure(new RevocationChecker({ mode: 'crl', crlUrls: [other] }).check(cert, issuer))).code).toBe('CRL_WRONG_ISSUER');
    const forged = server.publishCrl('forged.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [], signWith: pki.issuer('moeaca').privateKey }));
    expect((await failure(new RevocationChecker({ mode: 'crl', crlUrls: [forged] }).check(cert, issuer))).code).toBe('CRL_BAD_SIGNATURE');
  });

  it('caches a CRL until nextUpdate, then downloads it again', async () => {
    const url = server.publishCrl('cached.crl', buildCrl({ issuer: pki.issuer('moica'), entries: serials(5), nextUpdate: new Date(Date.now() + 3_600_000) }));
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    const before = server.hits.crl;
    await Promise.all([checker.check(cert, issuer), checker.check(cert, issuer)]);
    for (let i = 0; i < 20; i++) await checker.check(cert, issuer);
    expect(server.hits.crl - before).toBe(1);
    expect(checker.crls.downloads).toBe(1);
    server.publishCrl('cached.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt: new Date(Date.now() - 1000) }], nextUpdate: new Date(Date.now() + 7_200_000) }));
    // Past the first CRL's nextUpdate (never used after it), within the second's.
    const later = new Date(Date.now() + 1.5 * 3_600_000);
    expect((await checker.check(cert, issuer, later)).kind).toBe('revoked');
    expect(checker.crls.downloads).toBe(2);
  });

  it('falls back from a failing OCSP responder to the CRL', async () => {
    server.publishCrl('moica.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt: new Date('2026-01-01T00:00:00Z') }] }));
    // No authority was added to the responder: it answers "unauthorized".
    const status = await new RevocationChecker().check(cert, issuer);
    expect(status).toMatchObject({ kind: 'revoked', source: 'crl' });
    const ocspOnly = await failure(new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer));
    expect(ocspOnly.code).toBe('OCSP_ERROR_STATUS');
  });

  it('looks up a 100 000-entry CRL with one index probe per check', async () => {
    const entries = serials(100_000);
    entries.push({ serialHex: cert.serialHex, revokedAt: new Date('2026-01-01T00:00:00Z'), reason: 'keyCompromise' });
    const der = buildCrl({ issuer: pki.issuer('moica'), entries });
    const fetch: RevocationFetch = () => Promise.resolve({ status: 200, body: der });
    const cache = new CrlCache({ fetch, algorithms: AlgorithmPolicy.modern() });
    const crl = await cache.get('http://crl.test/big.crl', issuer, new Date());
    expect(crl.size).toBe(100_001);
    const probesBefore = crl.probes;
    for (let i = 0; i < 1000; i++) {
      const again = await cache.get('http://crl.test/big.crl', issuer, new Date());
      expect(again.lookup((0x10000000 + i * 97).toString(16))?.revokedAt).toEqual(new Date('2025-12-01T00:00:00Z'));
      expect(again.lookup(`ff${i.toString(16)}`)).toBeUndefined();
    }
    // 2000 checks cost 2000 probes: constant per check, independent of the 100k entries.
    expect(crl.probes - probesBefore).toBe(2000);
    expect(cache.downloads).toBe(1);
    expect(crl.lookup(cert.serialHex)?.reason).toBe('keyCompromise');
  });

  it('parses nothing but CRLs: malformed input is CRL_MALFORMED', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([0x30, 0x80]), pki.root.certificate]) {
      expect(() => CertificateRevocationList.parse(bytes)).toThrowError(expect.objectContaining({ code: 'CRL_MALFORMED' }) as Error);
    }
  });

  it('reports NO_REVOCATION_SOURCE for a certificate without CDP or AIA', async () => {
    const bare = TrustedCertificate.from((await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=無', crlUrl: null, ocspUrl: null })).certificate);
    expect((await failure(new RevocationChecker().check(bare, issuer))).code).toBe('NO_REVOCATION_SOURCE');
  });
});

describe('tbsCertList read in order', () => {
  // Walked by position, a signed CRL with its revokedCertificates after crlExtensions read as an empty list:
  // the holder it revokes was `good`.
  it('refuses a signed CRL with an element after crlExtensions (CRL_MALFORMED); in order, the same entries revoke', async () => {
    const crl = (entriesAfterExtensions: boolean): Uint8Array =>
      handCrl({
        issuer,
        issuerKey: pki.issuer('moica').privateKey,
        thisUpdate: new Date(Date.now() - 60_000),
        nextUpdate: new Date(Date.now() + 3_600_000),
        serials: [cert.serialHex],
        revokedAt: new Date(Date.now() - 86_400_000),
        entriesAfterExtensions,
      });
    const inOrder = server.publishCrl('in-order.crl', crl(false));
    expect((await new RevocationChecker({ mode: 'crl', crlUrls: [inOrder] }).check(cert, issuer)).kind).toBe('revoked');
    expect(() => CertificateRevocationList.parse(crl(true))).toThrow(/after crlExtensions/);
    const swapped = server.publishCrl('swapped.crl', crl(true));
    const err = await failure(new RevocationChecker({ mode: 'crl', crlUrls: [swapped] }).check(cert, issuer));
    expect(err.code).toBe('CRL_MALFORMED');
  });
});
