import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, SignedDocumentVerifierBuilder, TrustedCertificate } from '../../../src/cert/index.js';
import type { CardHolderCredentials, TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { revocationFailure, startRevocationRig } from './helpers/fixtures.js';
import { signLogin } from './helpers/login-signer.js';
import { failure } from './helpers/verification.js';

// An archived document is checked at the time it was received, long after: the revocation answers a verifier
// can get are today's. They must be current now, and a revocation counts only when it happened at or before
// the time checked. Before, the answers had to be current at the past time, so every such check failed with
// "not current" (OCSP) or "not current" (CRL) and the only way out was to switch revocation off.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let server: LocalRevocationServer;
let pki: TestPki;
let holder: CardHolderCredentials;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki } = await startRevocationRig({ ocspResponder: true }));
  holder = await pki.issueCardHolder({ authority: 'moica', notBefore: new Date(Date.now() - 30 * DAY) });
  cert = TrustedCertificate.from(holder.sign.certificate);
  issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.setStatus(cert.serialHex, { kind: 'good' });
});

const weekAgo = (): Date => new Date(Date.now() - 7 * DAY);
/** `ms` before now, in whole seconds (OCSP and CRL times carry no milliseconds). */
const ago = (ms: number): Date => new Date(Math.floor((Date.now() - ms) / 1000) * 1000);

describe('RevocationChecker.check at a past time, answers current now', () => {
  it('OCSP: good now is good then; without `now` the answer must be current at the past time, as before', async () => {
    const checker = new RevocationChecker({ mode: 'ocsp' });
    const at = weekAgo();
    await expect(checker.check(cert, issuer, at, { now: new Date() })).resolves.toMatchObject({ kind: 'good', source: 'ocsp' });
    // The same answer again, from the checker's cache, by the step's warm path and by `check`.
    await expect(checker.check(cert, issuer, at, { now: new Date() })).resolves.toMatchObject({ kind: 'good' });
    const fresh = new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 0 });
    expect((await revocationFailure(fresh.check(cert, issuer, at))).code).toBe('OCSP_STALE');
  });

  it('OCSP: revoked after the time checked is good then, and still revoked for a check now (the cache keeps the answer as given)', async () => {
    const revokedAt = ago(HOUR);
    server.setStatus(cert.serialHex, { kind: 'revoked', revokedAt, reason: 'keyCompromise' });
    const checker = new RevocationChecker({ mode: 'ocsp' });
    const then = await checker.check(cert, issuer, weekAgo(), { now: new Date() });
    expect(then).toMatchObject({ kind: 'good', source: 'ocsp', url: server.ocspUrl });
    expect(then.kind === 'good' && then.thisUpdate.getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);
    await expect(checker.check(cert, issuer)).resolves.toMatchObject({ kind: 'revoked', revokedAt, reason: 'keyCompromise' });
    // Two checks at once, one about then and one about now, share one request and each reads it for its own time.
    const [past, present] = await Promise.all([checker.check(cert, issuer, weekAgo(), { now: new Date() }), checker.check(cert, issuer)]);
    expect([past.kind, present.kind]).toEqual(['good', 'revoked']);
  });

  it('OCSP: revoked before the time checked is revoked', async () => {
    const revokedAt = ago(10 * DAY);
    server.setStatus(cert.serialHex, { kind: 'revoked', revokedAt, reason: 'superseded' });
    const status = await new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer, weekAgo(), { now: new Date() });
    expect(status).toMatchObject({ kind: 'revoked', source: 'ocsp', revokedAt, reason: 'superseded' });
  });

  it("CRL: today's list, an entry counting only when revoked at or before the time checked", async () => {
    const crlUrl = cert.crlUrls[0] ?? '';
    const publish = (revokedAt: Date): void => {
      server.publishCrl(crlUrl.slice(server.crlBaseUrl.length + 1), buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt }] }));
    };
    publish(new Date(Date.now() - HOUR));
    const later = new RevocationChecker({ mode: 'crl' });
    await expect(later.check(cert, issuer, weekAgo(), { now: new Date() })).resolves.toMatchObject({ kind: 'good', source: 'crl' });
    await expect(later.check(cert, issuer)).resolves.toMatchObject({ kind: 'revoked', source: 'crl' });
    expect((await revocationFailure(new RevocationChecker({ mode: 'crl' }).check(cert, issuer, weekAgo()))).code).toBe('CRL_STALE');
    publish(new Date(Date.now() - 10 * DAY));
    const earlier = new RevocationChecker({ mode: 'crl' });
    await expect(earlier.check(cert, issuer, weekAgo(), { now: new Date() })).resolves.toMatchObject({ kind: 'revoked', source: 'crl' });
  });
});

describe('concurrent OCSP checks of one certificate at different presents', () => {
  // They share one request, and each judges the answer at its own present. Before, the first caller's present
  // decided for all: a login that joined a check of a past time (without `now`) got its OCSP_STALE, and that
  // check, joining a login, got `good`.
  it('a login joining a past-time check is good, and the past-time check stays OCSP_STALE, in either order', async () => {
    for (const pastFirst of [true, false]) {
      const checker = new RevocationChecker({ mode: 'ocsp' });
      const past = (): Promise<unknown> => checker.check(cert, issuer, weekAgo()).catch((e: unknown) => e);
      const login = (): Promise<unknown> => checker.check(cert, issuer).catch((e: unknown) => e);
      const [pastOutcome, loginOutcome] = pastFirst ? await Promise.all([past(), login()]) : (await Promise.all([login(), past()])).reverse();
      expect(loginOutcome, `past first: ${pastFirst}`).toMatchObject({ kind: 'good', source: 'ocsp' });
      expect(pastOutcome, `past first: ${pastFirst}`).toMatchObject({ code: 'OCSP_STALE' });
      expect(checker.ocsp.requests).toBe(1);
    }
  });
});

describe('a revocation listed with a time later than the answer or the present', () => {
  // A CA whose clock runs ahead (answers are taken up to the 5-minute skew early), or one writing Taiwan time as
  // UTC (8 hours ahead). Read as "revoked later than the time checked", the listed certificate passed as good
  // until the local clock caught up, in an answer current now.
  const crlUrl = (): string => (cert.crlUrls[0] ?? '').slice(server.crlBaseUrl.length + 1);
  const publish = (revokedAt: Date, thisUpdate = new Date()): void => {
    server.publishCrl(crlUrl(), buildCrl({ issuer: pki.issuer('moica'), thisUpdate, entries: [{ serialHex: cert.serialHex, revokedAt }] }));
  };
  const inWholeSeconds = (ms: number): Date => new Date(Math.floor((Date.now() + ms) / 1000) * 1000);

  it('CRL: the CA two minutes ahead, the certificate revoked as it published: revoked now', async () => {
    const ahead = inWholeSeconds(2 * 60_000);
    publish(ahead, ahead);
    await expect(new RevocationChecker({ mode: 'crl' }).check(cert, issuer)).resolves.toMatchObject({ kind: 'revoked', source: 'crl', revokedAt: ahead });
  });

  it('CRL: a revocation time eight hours after the list: revoked now; a week ago it was good', async () => {
    publish(inWholeSeconds(8 * HOUR));
    const checker = new RevocationChecker({ mode: 'crl' });
    await expect(checker.check(cert, issuer)).resolves.toMatchObject({ kind: 'revoked', source: 'crl' });
    await expect(checker.check(cert, issuer, weekAgo(), { now: new Date() })).resolves.toMatchObject({ kind: 'good', source: 'crl' });
  });

  it('OCSP: a revocation time after the answer: revoked now; a week ago it was good', async () => {
    for (const later of [2 * 60_000, 8 * HOUR]) {
      server.setStatus(cert.serialHex, { kind: 'revoked', revokedAt: inWholeSeconds(later), reason: 'keyCompromise' });
      const checker = new RevocationChecker({ mode: 'ocsp' });
      await expect(checker.check(cert, issuer), String(later)).resolves.toMatchObject({ kind: 'revoked', source: 'ocsp', reason: 'keyCompromise' });
      await expect(checker.check(cert, issuer, weekAgo(), { now: new Date() })).resolves.toMatchObject({ kind: 'good', source: 'ocsp' });
    }
  });

  it('a document checked now is refused (CERT_REVOKED); received a week ago it verifies', async () => {
    server.setStatus(cert.serialHex, { kind: 'revoked', revokedAt: inWholeSeconds(8 * HOUR), reason: 'keyCompromise' });
    const token = signLogin({ tbs: '公文', certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, attached: true });
    const signature = new Uint8Array(Buffer.from(token['signature'] ?? '', 'base64'));
    const v = new SignedDocumentVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withRevocationChecker(new RevocationChecker({ mode: 'ocsp' }))
      .build();
    expect((await failure(v.verify({ format: 'cms', signature }))).code).toBe('CERT_REVOKED');
    await expect(v.verify({ format: 'cms', signature }, { at: weekAgo() })).resolves.toMatchObject({ revocation: { kind: 'good' } });
  });
});

describe('SignedDocumentVerifier.verify({ at }) with revocation on', () => {
  const CONTENT = '公文：核准，第 113 號';
  const document = (): Uint8Array => {
    const token = signLogin({ tbs: CONTENT, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, attached: true });
    return new Uint8Array(Buffer.from(token['signature'] ?? '', 'base64'));
  };
  const verifier = () =>
    new SignedDocumentVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withRevocationChecker(new RevocationChecker({ mode: 'ocsp' }))
      .build();

  it('a document received a week ago verifies then, though its certificate was revoked an hour ago; checked now it is revoked', async () => {
    const revokedAt = ago(HOUR);
    server.setStatus(cert.serialHex, { kind: 'revoked', revokedAt, reason: 'keyCompromise' });
    const v = verifier();
    const at = weekAgo();
    const then = await v.verify({ format: 'cms', signature: document() }, { at });
    expect(then.verifiedAt).toEqual(at);
    expect(then.revocation).toMatchObject({ kind: 'good', source: 'ocsp' });
    expect((await failure(v.verify({ format: 'cms', signature: document() }))).code).toBe('CERT_REVOKED');
  });

  it('a certificate good now verifies at a past time, also from the warm cache on the second document', async () => {
    const v = verifier();
    for (let i = 0; i < 2; i++) {
      const doc = await v.verify({ format: 'cms', signature: document() }, { at: weekAgo() });
      expect(doc.revocation).toMatchObject({ kind: 'good', source: 'ocsp' });
    }
  });
});
