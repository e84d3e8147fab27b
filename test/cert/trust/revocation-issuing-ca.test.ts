import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, SignedDocumentVerifierBuilder, TrustedCertificate, type SignedDocumentVerifier } from '../../../src/cert/index.js';
import type { CardHolderCredentials, TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig } from './helpers/fixtures.js';
import { signLogin } from './helpers/login-signer.js';
import { failure } from './helpers/verification.js';

// By default only the signer is checked (decided: GPKI CAs are revoked rarely and
// publicly). `checkIssuingCas` also checks the path's CA certificates below the
// anchor against their issuer's CRL (MOICA on the GRCA ARL), cached like the rest.

let server: LocalRevocationServer;
let pki: TestPki;
let holder: CardHolderCredentials;
let ca: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki, holder } = await startRevocationRig({ ocspResponder: false }));
  ca = TrustedCertificate.from(pki.issuer('moica').certificate);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.publishCrl('moica.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [] }));
  server.publishCrl('root.crl', buildCrl({ issuer: pki.root, entries: [] }));
});

const document = (): Uint8Array => {
  const token = signLogin({ tbs: '公文', certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, attached: true });
  return new Uint8Array(Buffer.from(token['signature'] ?? '', 'base64'));
};

function verifier(checker: RevocationChecker): SignedDocumentVerifier {
  return new SignedDocumentVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withRevocationChecker(checker)
    .build();
}

const revokeCa = (): void => {
  server.publishCrl('root.crl', buildCrl({ issuer: pki.root, entries: [{ serialHex: ca.serialHex, revokedAt: new Date(Date.now() - 60_000), reason: 'cACompromise' }] }));
};

describe('revocation of the issuing CA', () => {
  it('is not checked by default: a signer under a revoked CA verifies, and the root CRL is never fetched', async () => {
    revokeCa();
    const checker = new RevocationChecker({ mode: 'crl' });
    const doc = await verifier(checker).verify({ format: 'cms', signature: document() });
    expect(doc.revocation).toMatchObject({ kind: 'good', url: pki.crlUrl('moica') });
    expect(checker.crls.downloads).toBe(1);
  });

  it('with checkIssuingCas, refuses a signer whose issuing CA is on its issuer\'s CRL', async () => {
    revokeCa();
    const err = await failure(verifier(new RevocationChecker({ mode: 'crl', checkIssuingCas: true })).verify({ format: 'cms', signature: document() }));
    expect(err.code).toBe('CERT_REVOKED');
    expect(err.message).toContain('issuing CA');
    expect(err).toMatchObject({ reason: 'cACompromise' });
  });

  it('with checkIssuingCas, an issuing CA on hold is CERT_REVOKED naming the CA (CERT_SUSPENDED is the holder\'s own 停用)', async () => {
    server.publishCrl('root.crl', buildCrl({ issuer: pki.root, entries: [{ serialHex: ca.serialHex, revokedAt: new Date(Date.now() - 60_000), reason: 'certificateHold' }] }));
    const err = await failure(verifier(new RevocationChecker({ mode: 'crl', checkIssuingCas: true })).verify({ format: 'cms', signature: document() }));
    expect(err).toMatchObject({ code: 'CERT_REVOKED', reason: 'certificateHold' });
    expect(err.message).toContain('issuing CA');
    expect(err.message).toContain('suspended');
  });

  it('with checkIssuingCas, fails closed when the issuing CA\'s status is unavailable', async () => {
    server.publishCrl('root.crl', buildCrl({ issuer: pki.root, entries: [], corruptSignature: true }));
    const err = await failure(verifier(new RevocationChecker({ mode: 'crl', checkIssuingCas: true })).verify({ format: 'cms', signature: document() }));
    expect(err).toMatchObject({ code: 'REVOCATION_CHECK_FAILED', revocationCode: 'CRL_BAD_SIGNATURE' });
  });

  it('with checkIssuingCas, verifies when both are good, and a second verification downloads nothing', async () => {
    const checker = new RevocationChecker({ mode: 'crl', checkIssuingCas: true });
    const v = verifier(checker);
    const first = await v.verify({ format: 'cms', signature: document() });
    // The signer's own answer is the one reported.
    expect(first.revocation).toMatchObject({ kind: 'good', url: pki.crlUrl('moica') });
    expect(checker.crls.downloads).toBe(2);
    const hits = server.hits.crl;
    await v.verify({ format: 'cms', signature: document() });
    expect(server.hits.crl).toBe(hits);
    expect(checker.crls.downloads).toBe(2);
  });

  it('checks each CA by its own CRLs, whatever crlUrls, ocspUrl and mode say for signers (a mirror, OCSP only)', async () => {
    revokeCa();
    // A mirror of the MOICA CRL for signers: the CA's check still goes to the root's CRL its certificate names.
    const mirrored = new RevocationChecker({ mode: 'crl', crlUrls: [pki.crlUrl('moica')], checkIssuingCas: true });
    expect((await failure(verifier(mirrored).verify({ format: 'cms', signature: document() }))).code).toBe('CERT_REVOKED');
    // OCSP only for signers (this rig has no responder: the signer's check fails, but not because of the CA);
    // the CA names no OCSP responder and is checked on the root's CRL, once, then from memory.
    server.publishCrl('root.crl', buildCrl({ issuer: pki.root, entries: [] }));
    const checker = new RevocationChecker({ mode: 'crl', checkIssuingCas: true, ocspUrl: 'http://127.0.0.1:9/unreachable' });
    const v = verifier(checker);
    await v.verify({ format: 'cms', signature: document() });
    const hits = server.hits.crl;
    await v.verify({ format: 'cms', signature: document() });
    expect(server.hits.crl).toBe(hits);
  });
});

