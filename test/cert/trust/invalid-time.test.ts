/**
 * An Invalid Date compares false with every bound, so a validity or
 * revocation check at one passed: `verify(doc, { at: new Date(NaN) })` of a
 * revoked or expired certificate succeeded, and so did a login under a clock
 * giving one. Every entry that takes a time now refuses what is not one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChainValidator,
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  SignedDocumentVerifierBuilder,
  TrustStore,
  TrustedCertificate,
  VerifierConfigurationError,
  AlgorithmPolicy,
  httpRevocationFetch,
  buildLoginMessage,
} from '../../../src/cert/index.js';
import { OcspClient } from '../../../src/cert/advanced.js';
import type { CardHolderCredentials, TestPki } from '../../../src/testing/pki/index.js';
import type { LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig } from './helpers/fixtures.js';
import { signLogin } from './helpers/login-signer.js';
import { failure } from './helpers/verification.js';

const DAY = 86_400_000;
const ORIGIN = 'https://gps.example.gov.tw';
const NOT_TIMES: unknown[] = [new Date(Number.NaN), '2026-01-01', Date.now(), null];

let server: LocalRevocationServer;
let pki: TestPki;
let revoked: CardHolderCredentials;
let expired: CardHolderCredentials;

beforeAll(async () => {
  ({ server, pki } = await startRevocationRig({ ocspResponder: true }));
  revoked = await pki.issueCardHolder({ authority: 'moica', notBefore: new Date(Date.now() - 30 * DAY) });
  server.setStatus(TrustedCertificate.from(revoked.sign.certificate).serialHex, { kind: 'revoked', revokedAt: new Date(Date.now() - DAY), reason: 'keyCompromise' });
  expired = await pki.issueCardHolder({ authority: 'moica', notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
});

afterAll(async () => {
  await server.close();
});

const documentOf = (card: CardHolderCredentials): Uint8Array =>
  new Uint8Array(Buffer.from(signLogin({ tbs: '公文', certificate: card.sign.certificate, privateKey: card.sign.privateKey, attached: true })['signature'] ?? '', 'base64'));

describe('signed documents', () => {
  const builder = () =>
    new SignedDocumentVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withRevocationChecker(new RevocationChecker({ mode: 'ocsp' }));

  it('verify({ at }) with anything but a valid Date is INVALID_CONFIGURATION, for a revoked and an expired certificate alike', async () => {
    const v = builder().build();
    for (const card of [revoked, expired]) {
      for (const at of NOT_TIMES) {
        const err = await failure(v.verify({ format: 'cms', signature: documentOf(card) }, { at: at as Date }));
        expect(err).toBeInstanceOf(VerifierConfigurationError);
        expect([err.code, err.message]).toEqual(['INVALID_CONFIGURATION', expect.stringMatching(/^at must be a valid Date/)]);
      }
      // The same documents at a valid time still fail as they should.
      expect((await failure(v.verify({ format: 'cms', signature: documentOf(card) }))).code).toMatch(/^CERT_(REVOKED|EXPIRED)$/);
    }
  });

  it('a clock that gives no valid Date stops every verification', async () => {
    for (const bad of NOT_TIMES) {
      const v = builder().withClock(() => bad as Date).build();
      const err = await failure(v.verify({ format: 'cms', signature: documentOf(expired) }));
      expect([err.code, err.message]).toEqual(['INVALID_CONFIGURATION', expect.stringContaining('the clock (withClock) gave')]);
    }
  });
});

describe('logins', () => {
  it('a clock that gives no valid Date logs nobody in, an expired certificate included', async () => {
    for (const bad of NOT_TIMES) {
      const challenges = new ChallengeIssuer();
      const v = new LoginVerifierBuilder()
        .withTrustAnchors(pki.root.certificate)
        .withIntermediates(pki.issuer('moica').certificate)
        .withAllowedOrigins(ORIGIN)
        .withChallenges(challenges)
        .withoutRevocationCheck()
        .withClock(() => bad as Date)
        .build();
      const challenge = await challenges.issue('s1');
      const token = signLogin({ tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }), certificate: expired.sign.certificate, privateKey: expired.sign.privateKey });
      expect((await failure(v.verify(token, { sessionId: 's1' }))).code).toBe('INVALID_CONFIGURATION');
    }
  });
});

describe('the parts', () => {
  it('ChainValidator, RevocationChecker and OcspClient refuse a time that is not one (RangeError naming it)', async () => {
    const leaf = TrustedCertificate.from(expired.sign.certificate);
    const issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
    const validator = new ChainValidator(new TrustStore({ anchors: [pki.root.certificate], intermediates: [pki.issuer('moica').certificate] }));
    expect(validator.validate(leaf, { at: new Date(Date.now() - 2 * DAY) }).path).toHaveLength(3);
    const revokedCert = TrustedCertificate.from(revoked.sign.certificate);
    for (const bad of NOT_TIMES) {
      expect(() => validator.validate(leaf, { at: bad as Date })).toThrow(/^at must be a valid Date/);
      await expect(new RevocationChecker({ mode: 'ocsp' }).check(revokedCert, issuer, bad as Date)).rejects.toThrow(RangeError);
      await expect(new RevocationChecker({ mode: 'ocsp' }).check(revokedCert, issuer, new Date(), { now: bad as Date })).rejects.toThrow(/^now must be a valid Date/);
      await expect(new OcspClient({ fetch: httpRevocationFetch(), algorithms: AlgorithmPolicy.modern() }).check(revokedCert, issuer, bad as Date)).rejects.toThrow(/^at must be a valid Date/);
    }
  });
});
