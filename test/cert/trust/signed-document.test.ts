import { createHash, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RevocationChecker,
  SignedDocumentVerifierBuilder,
  TrustedCertificate,
  type SignedDocumentVerifier,
} from '../../../src/cert/index.js';
import type { CardHolderCredentials, TestPki } from '../../../src/testing/pki/index.js';
import type { LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig, unfitSigners } from './helpers/fixtures.js';
import { signLogin } from './helpers/login-signer.js';
import { pkijsCms } from './helpers/pkijs-signer.js';
import { configCode, failure } from './helpers/verification.js';

let server: LocalRevocationServer;
let pki: TestPki;
let holder: CardHolderCredentials;
let verifier: SignedDocumentVerifier;

const DOCUMENT = new Uint8Array(Buffer.from('申請書：王小明，113年10月', 'utf8'));
const DOCUMENT_SHA256 = createHash('sha256').update(DOCUMENT).digest('hex');

beforeAll(async () => {
  ({ server, pki, holder } = await startRevocationRig({ ocspResponder: true, commonName: '王小明' }));
  verifier = builder().withRevocationChecker(new RevocationChecker({ mode: 'ocsp' })).build();
});

afterAll(async () => {
  await server.close();
});

/** The unfit signers (sub-CA, OCSP responder, expired), made once for the tests that only sign with them. */
let unfit: ReturnType<typeof unfitSigners> | undefined;
const unfitOnce = (): ReturnType<typeof unfitSigners> => (unfit ??= unfitSigners(pki));

function builder(): SignedDocumentVerifierBuilder {
  return new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withIntermediates(pki.issuer('moica').certificate);
}

/** The official component's shape, as twpki's test signer writes it (attached, signed attributes, card number). */
function componentCms(overrides: Partial<Parameters<typeof signLogin>[0]> = {}): Uint8Array {
  const token = signLogin({
    tbs: Buffer.from(DOCUMENT).toString('utf8'),
    certificate: holder.sign.certificate,
    privateKey: holder.sign.privateKey,
    attached: true,
    cardNumber: 'TP0312345678',
    signingTime: new Date('2026-11-01T02:03:04Z'),
    ...overrides,
  });
  return new Uint8Array(Buffer.from(token['signature'] ?? '', 'base64'));
}

describe('signed documents: accepted shapes', () => {
  it("verifies the component's attached SHA-256 CMS and returns profile, card number, signing time and digest", async () => {
    const doc = await verifier.verify({ format: 'cms', signature: componentCms() });
    expect(doc.profile.authority.id).toBe('moica');
    expect(doc.profile.subject.commonName).toBe('王小明');
    expect(doc.cardNumber).toBe('TP0312345678');
    expect(doc.signedAt?.toISOString()).toBe('2026-11-01T02:03:04.000Z');
    expect(doc.contentSha256).toBe(DOCUMENT_SHA256);
    expect(doc.digest).toBe('SHA-256');
    expect(doc.signedAttributes).toBe(true);
    expect(doc.chain).toHaveLength(3);
    expect(doc.revocation?.kind).toBe('good');
    expect(Buffer.from(doc.content).equals(Buffer.from(DOCUMENT))).toBe(true);
  });

  it('accepts the CMS as PEM text, base64 text and BER with indefinite lengths', async () => {
    const der = componentCms();
    const b64 = Buffer.from(der).toString('base64');
    const pem = `-----BEGIN PKCS7-----\n${b64.replace(/.{64}/g, '$&\n')}\n-----END PKCS7-----\n`;
    expect((await verifier.verify({ format: 'cms', signature: pem })).cardNumber).toBe('TP0312345678');
    expect((await verifier.verify({ format: 'cms', signature: b64 })).contentSha256).toBe(DOCUMENT_SHA256);
    const ber = componentCms({ indefiniteLength: true });
    expect((await verifier.verify({ format: 'cms', signature: ber })).contentSha256).toBe(DOCUMENT_SHA256);
  });

  it('verifies pkijs-made CMS: attached and detached, with and without signed attributes', async () => {
    const base = { content: DOCUMENT, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey };
    const attached = await verifier.verify({ format: 'cms', signature: await pkijsCms({ ...base, cardNumber: 'TP0300000009' }) });
    expect([attached.cardNumber, attached.signedAttributes, attached.contentSha256]).toEqual(['TP0300000009', true, DOCUMENT_SHA256]);

    const detachedSig = await pkijsCms({ ...base, attached: false });
    const detached = await verifier.verify({ format: 'cms', signature: detachedSig, content: DOCUMENT });
    expect([detached.cardNumber, detached.contentSha256]).toEqual([undefined, DOCUMENT_SHA256]);
    const missing = await failure(verifier.verify({ format: 'cms', signature: detachedSig }));
    expect([missing.step, missing.code]).toEqual(['document-format', 'CONTENT_MISSING']);

    const bare = await verifier.verify({ format: 'cms', signature: await pkijsCms({ ...base, signedAttributes: false, attached: false }), content: DOCUMENT });
    expect([bare.signedAttributes, bare.signedAt, bare.cardNumber]).toEqual([false, undefined, undefined]);
  });

  it('verifies PKCS#1 v1.5 over a document made with node:crypto, content given as text or bytes', async () => {
    const signature = sign('sha256', DOCUMENT, holder.sign.privateKey);
    const doc = await verifier.verify({ format: 'pkcs1', signature, certificate: holder.sign.certificate, content: DOCUMENT });
    expect([doc.format, doc.digest, doc.contentSha256, doc.signedAt]).toEqual(['pkcs1', 'SHA-256', DOCUMENT_SHA256, undefined]);
    const asText = await verifier.verify({
      format: 'pkcs1',
      signature: signature.toString('base64'),
      certificate: Buffer.from(holder.sign.certificate).toString('base64'),
      content: Buffer.from(DOCUMENT).toString('utf8'),
    });
    expect(asText.contentSha256).toBe(DOCUMENT_SHA256);
    const sha384 = sign('sha384', DOCUMENT, holder.sign.privateKey);
    expect((await verifier.verify({ format: 'pkcs1', signature: sha384, certificate: holder.sign.certificate, content: DOCUMENT, digest: 'SHA-384' })).digest).toBe(
      'SHA-384',
    );
    // A digest spelled another way is refused with the names that are accepted.
    const lower = await failure(
      verifier.verify({ format: 'pkcs1', signature: sha384, certificate: holder.sign.certificate, content: DOCUMENT, digest: 'sha384' as 'SHA-384' }),
    );
    expect([lower.code, lower.message]).toEqual(['DOCUMENT_MALFORMED', '"digest" sha384 is not a digest name (SHA-1, SHA-224, SHA-256, SHA-384, SHA-512)']);
  });
});

describe('signed documents: SHA-1 only by option, up to its cut-off', () => {
  const base = (): { content: Uint8Array; certificate: Uint8Array; privateKey: CardHolderCredentials['sign']['privateKey'] } => ({
    content: DOCUMENT,
    certificate: holder.sign.certificate,
    privateKey: holder.sign.privateKey,
  });

  it('refuses SHA-1 (CMS and PKCS#1) without the option', async () => {
    const legacy = await pkijsCms({ ...base(), hash: 'SHA-1', signedAttributes: false });
    const err = await failure(verifier.verify({ format: 'cms', signature: legacy }));
    expect([err.step, err.code]).toEqual(['algorithm', 'ALGORITHM_NOT_ALLOWED']);
    const pkcs1 = sign('sha1', DOCUMENT, holder.sign.privateKey);
    expect((await failure(verifier.verify({ format: 'pkcs1', signature: pkcs1, certificate: holder.sign.certificate, content: DOCUMENT, digest: 'SHA-1' }))).code).toBe(
      'ALGORITHM_NOT_ALLOWED',
    );
  });

  it('judges a legacy signature without attributes by the verification time', async () => {
    const legacy = await pkijsCms({ ...base(), hash: 'SHA-1', signedAttributes: false });
    const now = Date.now();
    const open = builder().withoutRevocationCheck().allowSha1({ until: new Date(now + 86_400_000) }).build();
    const doc = await open.verify({ format: 'cms', signature: legacy });
    expect([doc.digest, doc.signedAttributes, doc.contentSha256]).toEqual(['SHA-1', false, DOCUMENT_SHA256]);
    const closed = builder().withoutRevocationCheck().allowSha1({ until: new Date(now - 1000) }).build();
    expect((await failure(closed.verify({ format: 'cms', signature: legacy }))).code).toBe('ALGORITHM_NOT_ALLOWED');
    // The same verifier accepts it when asked about an earlier time (archived data).
    const cutoff = new Date(now - 1000);
    const atCutoff = await closed.verify({ format: 'cms', signature: legacy }, { at: cutoff });
    expect(atCutoff.verifiedAt).toEqual(cutoff);
    expect((await failure(closed.verify({ format: 'cms', signature: legacy }, { at: new Date(cutoff.getTime() + 1) }))).code).toBe('ALGORITHM_NOT_ALLOWED');
  });

  it('judges a SHA-1 signature with signingTime by its signed time, to the second around the cut-off', async () => {
    const cutoff = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    const sha1 = builder().withoutRevocationCheck().allowSha1({ until: cutoff }).build();
    const at = await pkijsCms({ ...base(), hash: 'SHA-1', signingTime: cutoff });
    expect((await sha1.verify({ format: 'cms', signature: at })).signedAt).toEqual(cutoff);
    const after = await pkijsCms({ ...base(), hash: 'SHA-1', signingTime: new Date(cutoff.getTime() + 1000) });
    const err = await failure(sha1.verify({ format: 'cms', signature: after }));
    expect([err.step, err.code]).toEqual(['algorithm', 'ALGORITHM_NOT_ALLOWED']);
    expect(err.message).toContain(cutoff.toISOString());
    const pkcs1 = sign('sha1', DOCUMENT, holder.sign.privateKey);
    expect((await sha1.verify({ format: 'pkcs1', signature: pkcs1, certificate: holder.sign.certificate, content: DOCUMENT, digest: 'SHA-1' })).digest).toBe('SHA-1');
  });

  it("a SHA-1 signingTime before its certificate existed relaxes nothing: judged at the certificate's start", async () => {
    // The cut-off lies before the test card's certificate was issued; the signature claims a time before both.
    const notBefore = TrustedCertificate.from(holder.sign.certificate).notBefore;
    const cutoff = new Date(notBefore.getTime() - 86_400_000);
    const sha1 = builder().withoutRevocationCheck().allowSha1({ until: cutoff }).build();
    const backdated = await pkijsCms({ ...base(), hash: 'SHA-1', signingTime: new Date(cutoff.getTime() - 86_400_000) });
    const err = await failure(sha1.verify({ format: 'cms', signature: backdated }));
    expect([err.step, err.code]).toEqual(['algorithm', 'ALGORITHM_NOT_ALLOWED']);
    expect(err.message).toContain(notBefore.toISOString());
    // A cut-off after the certificate's start still admits the same signature.
    const later = builder().withoutRevocationCheck().allowSha1({ until: new Date(notBefore.getTime() + 1000) }).build();
    expect((await later.verify({ format: 'cms', signature: backdated })).digest).toBe('SHA-1');
  });

  it('refuses to build SHA-1 without a cut-off, or with an invalid one', () => {
    expect(configCode(() => builder().withoutRevocationCheck().withAllowedDigests('SHA-1', 'SHA-256').build())).toBe('configuration:INVALID_CONFIGURATION');
    expect(configCode(() => builder().allowSha1({ until: new Date('nope') }))).toBe('configuration:INVALID_CONFIGURATION');
    expect(configCode(() => builder().allowSha1(undefined as never))).toBe('configuration:INVALID_CONFIGURATION');
  });
});

describe('signed documents: rejections, one typed error per step', () => {
  it('rejects tampered content: attached, detached and PKCS#1', async () => {
    const der = componentCms();
    const at = Buffer.from(der).indexOf(Buffer.from('王小明', 'utf8'));
    const tampered = new Uint8Array(der);
    tampered[at + 2] = (tampered[at + 2] ?? 0) ^ 1;
    expect((await failure(verifier.verify({ format: 'cms', signature: tampered }))).code).toBe('SIGNATURE_INVALID');
    const other = new Uint8Array(Buffer.from('申請書：王小華，113年10月', 'utf8'));
    expect((await failure(verifier.verify({ format: 'cms', signature: der, content: other }))).code).toBe('SIGNATURE_INVALID');
    const detached = await pkijsCms({ content: DOCUMENT, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, attached: false });
    const err = await failure(verifier.verify({ format: 'cms', signature: detached, content: other }));
    expect([err.step, err.code]).toEqual(['signature', 'SIGNATURE_INVALID']);
    const bare = await pkijsCms({ content: DOCUMENT, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, attached: false, signedAttributes: false });
    expect((await failure(verifier.verify({ format: 'cms', signature: bare, content: other }))).code).toBe('SIGNATURE_INVALID');
    const pkcs1 = sign('sha256', DOCUMENT, holder.sign.privateKey);
    expect((await failure(verifier.verify({ format: 'pkcs1', signature: pkcs1, certificate: holder.sign.certificate, content: other }))).code).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('rejects the KEYX certificate, a sub-CA and an OCSP responder as signers', async () => {
    const keyx = await pkijsCms({ content: DOCUMENT, certificate: holder.keyx.certificate, privateKey: holder.keyx.privateKey });
    const e1 = await failure(verifier.verify({ format: 'cms', signature: keyx }));
    expect([e1.step, e1.code]).toEqual(['key-usage', 'CERT_WRONG_PURPOSE']);
    const { subCa, responder } = await unfitOnce();
    const e2 = await failure(builder().withoutRevocationCheck().build().verify({ format: 'cms', signature: await pkijsCms({ content: DOCUMENT, ...subCa }) }));
    expect([e2.step, e2.code]).toEqual(['key-usage', 'CERT_NOT_END_ENTITY']);
    const e3 = await failure(builder().withoutRevocationCheck().build().verify({ format: 'pkcs1', signature: sign('sha256', DOCUMENT, responder.privateKey), certificate: responder.certificate, content: DOCUMENT }));
    expect([e3.step, e3.code]).toEqual(['key-usage', 'CERT_NOT_END_ENTITY']);
  });

  it('rejects a revoked signer and an untrusted one', async () => {
    const revoked = await pki.issueCardHolder({ authority: 'moica' });
    server.setStatus(TrustedCertificate.from(revoked.sign.certificate).serialHex, { kind: 'revoked', revokedAt: new Date(Date.now() - 60_000), reason: 'keyCompromise' });
    const e1 = await failure(verifier.verify({ format: 'cms', signature: await pkijsCms({ content: DOCUMENT, certificate: revoked.sign.certificate, privateKey: revoked.sign.privateKey }) }));
    expect([e1.step, e1.code]).toEqual(['revocation', 'CERT_REVOKED']);
    const unknownCa = await pki.issueCertificate({ issuer: 'root', subject: 'C=TW, O=行政院, OU=未設定之CA', isCa: true, keyUsage: ['keyCertSign', 'cRLSign'] });
    const stranger = await pki.issueCertificate({ issuer: unknownCa, subject: 'C=TW, CN=陌生人', keyUsage: ['digitalSignature'] });
    const e2 = await failure(verifier.verify({ format: 'pkcs1', signature: sign('sha256', DOCUMENT, stranger.privateKey), certificate: stranger.certificate, content: DOCUMENT }));
    expect([e2.step, e2.code]).toEqual(['chain', 'CERT_UNTRUSTED']);
  });

  it('rejects an expired signer certificate and one without an allowed policy', async () => {
    const { expired } = await unfitOnce();
    const open = builder().withoutRevocationCheck().build();
    const e1 = await failure(open.verify({ format: 'pkcs1', signature: sign('sha256', DOCUMENT, expired.privateKey), certificate: expired.certificate, content: DOCUMENT }));
    expect([e1.step, e1.code]).toEqual(['certificate-validity', 'CERT_EXPIRED']);
    const level1 = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=測試', keyUsage: ['digitalSignature'], policies: ['2.16.886.101.0.3.1'] });
    const e2 = await failure(open.verify({ format: 'pkcs1', signature: sign('sha256', DOCUMENT, level1.privateKey), certificate: level1.certificate, content: DOCUMENT }));
    expect([e2.step, e2.code]).toEqual(['policy', 'CERT_POLICY_NOT_ALLOWED']);
  });

  it('rejects malformed input at the document-format step', async () => {
    for (const bad of [
      { format: 'cms', signature: 'not base64 !' },
      { format: 'cms', signature: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]) },
      { format: 'cms', signature: 42 },
      { format: 'xml', signature: 'AA==' },
      { format: 'pkcs1', signature: 'AA==', content: DOCUMENT },
      { format: 'pkcs1', signature: '!!', certificate: holder.sign.certificate, content: DOCUMENT },
      { format: 'pkcs1', signature: 'AA==', certificate: new Uint8Array([1, 2, 3]), content: DOCUMENT },
      { format: 'pkcs1', signature: 'AA==', certificate: holder.sign.certificate, content: DOCUMENT, digest: 'MD5' },
      { format: 'cms', signature: new Uint8Array((1 << 20) + 1) },
      null,
    ]) {
      const err = await failure(verifier.verify(bad as never));
      expect(err.step).toBe('document-format');
      expect(['DOCUMENT_MALFORMED', 'CONTENT_MISSING']).toContain(err.code);
    }
  });

  it('refuses to build without anchors or a revocation decision, or with a bad RSA floor', () => {
    expect(configCode(() => new SignedDocumentVerifierBuilder().withoutRevocationCheck().build())).toBe('configuration:NO_TRUST_ANCHORS');
    expect(configCode(() => builder().build())).toBe('configuration:INVALID_CONFIGURATION');
    for (const bits of [Number.NaN, Number.POSITIVE_INFINITY, 2047, 2048.5, -4096, 0]) {
      expect(configCode(() => builder().withoutRevocationCheck().withMinimumRsaBits(bits).build())).toBe('configuration:INVALID_CONFIGURATION');
    }
    expect(configCode(() => builder().withoutRevocationCheck().withMinimumRsaBits(3072).build())).toBeUndefined();
  });

  it('applies the RSA floor: a 2048-bit signer fails a 3072-bit minimum', async () => {
    const strict = builder().withoutRevocationCheck().withMinimumRsaBits(3072).build();
    const err = await failure(strict.verify({ format: 'cms', signature: componentCms() }));
    expect([err.step, err.code]).toEqual(['algorithm', 'ALGORITHM_NOT_ALLOWED']);
  });
});
