import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChallengeIssuer,
  LoginVerificationError,
  LoginVerifierBuilder,
  RevocationChecker,
  TrustedCertificate,
  buildLoginMessage,
  type LoginVerifier,
} from '../../../src/cert/index.js';
import type { CardHolderCredentials, TestPki } from '../../../src/testing/pki/index.js';
import type { LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig, unfitSigners } from './helpers/fixtures.js';
import { signLogin, type SignOptions } from './helpers/login-signer.js';
import { failure } from './helpers/verification.js';

const ORIGIN = 'https://login.example.gov.tw';
let server: LocalRevocationServer;
let pki: TestPki;
let holder: CardHolderCredentials;
/** Offset added to the real clock; the expired-challenge test moves it. */
let clockOffsetMs = 0;
const clock = (): Date => new Date(Date.now() + clockOffsetMs);
let challenges: ChallengeIssuer;
let verifier: LoginVerifier;

beforeAll(async () => {
  ({ server, pki, holder } = await startRevocationRig({ ocspResponder: true, commonName: '王小明' }));
  challenges = new ChallengeIssuer({ now: clock });
  verifier = builder().withRevocationChecker(new RevocationChecker({ mode: 'ocsp' })).build();
});

afterAll(async () => {
  await server.close();
});

function builder(): LoginVerifierBuilder {
  return new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges);
}

async function freshToken(overrides: Partial<SignOptions> = {}, session = 'session-1'): Promise<Record<string, string>> {
  const challenge = await challenges.issue(session);
  return signLogin({
    tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }),
    certificate: holder.sign.certificate,
    privateKey: holder.sign.privateKey,
    ...overrides,
  });
}

describe('login verification', () => {
  it('accepts a CMS login with signed attributes and returns the profile and card number', async () => {
    const token = await freshToken({ cardNumber: 'TP0312345678', nonce: new Uint8Array([1, 2, 3]), cardSN: 'TP0312345678' });
    const login = await verifier.verify(JSON.stringify(token), { sessionId: 'session-1' });
    expect(login.profile.authority.id).toBe('moica');
    expect(login.profile.subject.commonName).toBe('王小明');
    expect(login.cardNumber).toBe('TP0312345678');
    expect(login.randomNonce).toBe('010203');
    expect(login.signingTime).toBeInstanceOf(Date);
    expect(login.chain).toHaveLength(3);
    expect(login.revocation?.kind).toBe('good');
    expect(login.origin).toBe(ORIGIN);
  });

  it('accepts a PKCS#1 login and an attached-content CMS login', async () => {
    const pkcs1 = await freshToken({ signatureType: 'PKCS1' });
    expect((await verifier.verify(pkcs1, { sessionId: 'session-1' })).cardNumber).toBeUndefined();
    const attached = await freshToken({ attached: true });
    expect((await verifier.verify(attached, { sessionId: 'session-1' })).profile.purpose).toBe('signing');
    const ber = await freshToken({ indefiniteLength: true, cardNumber: 'TP0300000002' });
    expect((await verifier.verify(ber, { sessionId: 'session-1' })).cardNumber).toBe('TP0300000002');
  });

  it('rejects a replayed token', async () => {
    const token = await freshToken();
    await verifier.verify(token, { sessionId: 'session-1' });
    const err = await failure(verifier.verify(token, { sessionId: 'session-1' }));
    expect([err.step, err.code]).toEqual(['challenge', 'CHALLENGE_USED']);
  });

  it('rejects an expired challenge', async () => {
    const token = await freshToken();
    clockOffsetMs = 6 * 60_000;
    try {
      expect((await failure(verifier.verify(token, { sessionId: 'session-1' }))).code).toBe('CHALLENGE_EXPIRED');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('rejects a challenge of another session and one never issued', async () => {
    const token = await freshToken({}, 'session-A');
    expect((await failure(verifier.verify(token, { sessionId: 'session-B' }))).code).toBe('CHALLENGE_SESSION_MISMATCH');
    const unknown = signLogin({
      tbs: buildLoginMessage({ origin: ORIGIN, challenge: 'x'.repeat(43) }),
      certificate: holder.sign.certificate,
      privateKey: holder.sign.privateKey,
    });
    expect((await failure(verifier.verify(unknown, { sessionId: 'session-1' }))).code).toBe('CHALLENGE_UNKNOWN');
  });

  it('rejects a wrong origin without consuming the challenge', async () => {
    const challenge = await challenges.issue('session-1');
    const evil = signLogin({
      tbs: buildLoginMessage({ origin: 'https://login.example.gov.tw.evil.test', challenge: challenge.value }),
      certificate: holder.sign.certificate,
      privateKey: holder.sign.privateKey,
    });
    const err = await failure(verifier.verify(evil, { sessionId: 'session-1' }));
    expect([err.step, err.code]).toEqual(['signed-data', 'ORIGIN_MISMATCH']);
    const good = signLogin({
      tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }),
      certificate: holder.sign.certificate,
      privateKey: holder.sign.privateKey,
    });
    expect((await verifier.verify(good, { sessionId: 'session-1' })).origin).toBe(ORIGIN);
  });

  it('reads the login message from the signed bytes: a base64 "tbs", and a lone surrogate signed as U+FFFD', async () => {
    for (const signatureType of ['PKCS1', 'PKCS7'] as const) {
      const challenge = await challenges.issue('session-1');
      const message = buildLoginMessage({ origin: ORIGIN, challenge: challenge.value });
      const token = signLogin({ tbs: message, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, signatureType });
      const encoded = { ...token, tbs: Buffer.from(message).toString('base64'), tbsEncoding: 'base64' };
      expect((await verifier.verify(encoded, { sessionId: 'session-1' })).origin).toBe(ORIGIN);

      // The card signs the UTF-8 of "tbs", where a lone surrogate becomes U+FFFD: the signed origin is that one.
      const odd = await challenges.issue('session-1');
      // Written by hand: buildLoginMessage refuses such an origin (not one withAllowedOrigins takes).
      const lone = signLogin({
        tbs: buildLoginMessage({ origin: ORIGIN, challenge: odd.value }).replace(`origin=${ORIGIN}`, `origin=${ORIGIN}\uD800`),
        certificate: holder.sign.certificate,
        privateKey: holder.sign.privateKey,
        signatureType,
      });
      const err = await failure(verifier.verify(lone, { sessionId: 'session-1' }));
      expect([err.code, err.message.includes(`${ORIGIN}\uFFFD`)]).toEqual(['ORIGIN_MISMATCH', true]);
    }
  });

  it('rejects tampered data: changed tbs, changed messageDigest, foreign signer', async () => {
    const token = await freshToken();
    const tampered = { ...token, tbs: token['tbs']?.replace('login.', 'logon.') };
    expect((await failure(verifier.verify(tampered, { sessionId: 'session-1' }))).code).toBe('SIGNATURE_INVALID');
    const pkcs1 = await freshToken({ signatureType: 'PKCS1' });
    expect((await failure(verifier.verify({ ...pkcs1, tbs: `${pkcs1['tbs']}\n` }, { sessionId: 'session-1' }))).code).toBe(
      'SIGNATURE_INVALID',
    );
    const md = await freshToken({ messageDigest: new Uint8Array(32) });
    expect((await failure(verifier.verify(md, { sessionId: 'session-1' }))).code).toBe('SIGNATURE_INVALID');
    const other = await pki.issueCardHolder({ authority: 'moica' });
    const wrongKey = await freshToken({ privateKey: other.sign.privateKey });
    expect((await failure(verifier.verify(wrongKey, { sessionId: 'session-1' }))).code).toBe('SIGNATURE_INVALID');
  });

  it('rejects a card number that differs from the signed attribute', async () => {
    const token = await freshToken({ cardNumber: 'TP0300000001', cardSN: 'TP0399999999' });
    expect((await failure(verifier.verify(token, { sessionId: 'session-1' }))).code).toBe('CARD_NUMBER_MISMATCH');
  });

  it('rejects the KEYX certificate (wrong key usage)', async () => {
    const token = await freshToken({ certificate: holder.keyx.certificate, privateKey: holder.keyx.privateKey });
    const err = await failure(verifier.verify(token, { sessionId: 'session-1' }));
    expect([err.step, err.code]).toEqual(['key-usage', 'CERT_WRONG_PURPOSE']);
  });

  it('rejects a sub-CA certificate and an OCSP responder certificate as login signers', async () => {
    const open = builder().withoutRevocationCheck().build();
    const { subCa, responder } = await unfitSigners(pki);
    const e1 = await failure(open.verify(await freshToken({ certificate: subCa.certificate, privateKey: subCa.privateKey }), { sessionId: 'session-1' }));
    expect([e1.step, e1.code]).toEqual(['key-usage', 'CERT_NOT_END_ENTITY']);
    const e2 = await failure(open.verify(await freshToken({ certificate: responder.certificate, privateKey: responder.privateKey, signatureType: 'PKCS1' }), { sessionId: 'session-1' }));
    expect([e2.step, e2.code]).toEqual(['key-usage', 'CERT_NOT_END_ENTITY']);
  });

  it('reads the signer profile once, at the token-format step, and TrustedCertificate keeps it', async () => {
    const cert = TrustedCertificate.from(holder.sign.certificate);
    expect(cert.profile()).toBe(cert.profile());
    expect(cert.profile().serialNumber).toBe(cert.serialHex.toUpperCase());
    // An extension only the profile reads (GPKI attributes) that does not decode: refused at step 1, not after the chain.
    const odd = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, CN=怪',
      keyUsage: ['digitalSignature'],
      extraExtensions: [{ oid: '2.5.29.9', critical: false, value: new Uint8Array([0x04, 0x01, 0xff]) }],
    });
    expect(() => TrustedCertificate.from(odd.certificate)).not.toThrow();
    const err = await failure(verifier.verify(await freshToken({ certificate: odd.certificate, privateKey: odd.privateKey }), { sessionId: 'session-1' }));
    expect([err.step, err.code]).toEqual(['token-format', 'TOKEN_MALFORMED']);
  });

  it('rejects a certificate without an allowed policy', async () => {
    const cert = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=測試', keyUsage: ['digitalSignature'], policies: ['2.16.886.101.0.3.1'] });
    const token = await freshToken({ certificate: cert.certificate, privateKey: cert.privateKey });
    const err = await failure(verifier.verify(token, { sessionId: 'session-1' }));
    expect([err.step, err.code]).toEqual(['policy', 'CERT_POLICY_NOT_ALLOWED']);
  });

  it('rejects a revoked certificate, and fails closed when revocation is unknown', async () => {
    const revoked = await pki.issueCardHolder({ authority: 'moica' });
    const serialHex = TrustedCertificate.from(revoked.sign.certificate).serialHex;
    server.setStatus(serialHex, { kind: 'revoked', revokedAt: new Date(Date.now() - 60_000), reason: 'keyCompromise' });
    const token = await freshToken({ certificate: revoked.sign.certificate, privateKey: revoked.sign.privateKey });
    const err = await failure(verifier.verify(token, { sessionId: 'session-1' }));
    expect([err.step, err.code]).toEqual(['revocation', 'CERT_REVOKED']);
    expect(err).toMatchObject({ reason: 'keyCompromise' });
    server.setStatus(serialHex, { kind: 'unknown' });
    const again = await freshToken({ certificate: revoked.sign.certificate, privateKey: revoked.sign.privateKey });
    expect((await failure(verifier.verify(again, { sessionId: 'session-1' }))).code).toBe('REVOCATION_UNKNOWN');
  });

  it('rejects an expired certificate and one from an untrusted PKI', async () => {
    const { expired } = await unfitSigners(pki);
    const t1 = await freshToken({ certificate: expired.certificate, privateKey: expired.privateKey });
    expect((await failure(verifier.verify(t1, { sessionId: 'session-1' }))).code).toBe('CERT_EXPIRED');
    // A CA the verifier was not given: its certificates cannot reach the anchor.
    const unknownCa = await pki.issueCertificate({ issuer: 'root', subject: 'C=TW, O=行政院, OU=未設定之CA', isCa: true, keyUsage: ['keyCertSign', 'cRLSign'] });
    const stranger = await pki.issueCertificate({ issuer: unknownCa, subject: 'C=TW, CN=陌生人', keyUsage: ['digitalSignature'] });
    const t2 = await freshToken({ certificate: stranger.certificate, privateKey: stranger.privateKey });
    const err = await failure(verifier.verify(t2, { sessionId: 'session-1' }));
    expect([err.step, err.code]).toEqual(['chain', 'CERT_UNTRUSTED']);
    expect(err).toMatchObject({ chainCode: 'ISSUER_NOT_FOUND' });
  });

  it('refuses SHA-1 and the legacy CMS shape unless allowed', async () => {
    const sha1 = await freshToken({ signatureType: 'PKCS1', hash: 'SHA1' });
    expect((await failure(verifier.verify(sha1, { sessionId: 'session-1' }))).code).toBe('ALGORITHM_NOT_ALLOWED');
    const legacy = await freshToken({ hash: 'SHA1', noSignedAttributes: true, attached: true });
    expect((await failure(verifier.verify(legacy, { sessionId: 'session-1' }))).code).toBe('ALGORITHM_NOT_ALLOWED');
    const lenient = builder().withoutRevocationCheck().allowLegacyCms().build();
    const legacy2 = await freshToken({ hash: 'SHA1', noSignedAttributes: true, attached: true });
    const login = await lenient.verify(legacy2, { sessionId: 'session-1' });
    expect(login.revocation).toBeUndefined();
  });

  it('refuses to build without anchors, origins, challenges or a revocation decision', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (err) {
        return (err as LoginVerificationError).code;
      }
      return undefined;
    };
    expect(code(() => new LoginVerifierBuilder().withAllowedOrigins(ORIGIN).withChallenges(challenges).withoutRevocationCheck().build())).toBe(
      'NO_TRUST_ANCHORS',
    );
    expect(code(() => builder().build())).toBe('INVALID_CONFIGURATION');
    expect(code(() => new LoginVerifierBuilder().withTrustAnchors(pki.root.certificate).withChallenges(challenges).withoutRevocationCheck().build())).toBe(
      'INVALID_CONFIGURATION',
    );
    expect(code(() => builder().withAllowedOrigins('https://x.test/path'))).toBe('INVALID_CONFIGURATION');
    for (const bits of [Number.NaN, Number.NEGATIVE_INFINITY, 1024, 2047, 2048.5]) {
      expect(code(() => builder().withoutRevocationCheck().withMinimumRsaBits(bits).build())).toBe('INVALID_CONFIGURATION');
    }
    expect(code(() => builder().withoutRevocationCheck().withMinimumRsaBits(2048).build())).toBeUndefined();
  });

  it('rejects malformed tokens at the token-format step', async () => {
    for (const bad of [
      'not json',
      '[]',
      JSON.stringify({ signatureType: 'PKCS9', tbs: 'x', signature: 'AA==' }),
      JSON.stringify({ signatureType: 'PKCS1', tbs: 'x', signature: 'AA==' }),
      JSON.stringify({ signatureType: 'PKCS7', tbs: 'x', signature: '!!!' }),
      JSON.stringify({ signatureType: 'PKCS7', tbs: 'x', signature: 'MAMCAQE=' }),
      JSON.stringify({ signatureType: 'PKCS7', tbs: 'x', signature: 'AA==', ret_code: 0x76000031 }),
    ]) {
      const err = await failure(verifier.verify(bad, { sessionId: 'session-1' }));
      expect([err.step, err.code]).toEqual(['token-format', 'TOKEN_MALFORMED']);
    }
  });
});
