import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateCache,
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  buildLoginMessage,
  type LoginVerifier,
} from '../../../src/cert/index.js';
import { IssuingChainCache } from '../../../src/cert/advanced.js';
import { ChainValidator } from '../../../src/cert/trust/chain/chain-validator.js';
import { TrustStore } from '../../../src/cert/trust/trust-store.js';
import type { IssuedCertificate, TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig } from '../trust/helpers/fixtures.js';
import { signLogin } from '../trust/helpers/login-signer.js';
import { certificateVariant } from './helpers/variants.js';

// A long-running backend that sees many distinct card holders: every
// per-certificate memory must stay at its cap however many users log in.

const ORIGIN = 'https://soak.example.gov.tw';
/** Distinct users: more than every default bound (1,000 decoded certificates, 1,024 built paths). */
const USERS = 1100;
/** Users asked about over OCSP (a request each), with the caches set to a smaller cap. */
const OCSP_USERS = 300;
const CAP = 40;

let server: LocalRevocationServer;
let pki: TestPki;
let users: IssuedCertificate[];
const challenges = new ChallengeIssuer();

beforeAll(async () => {
  ({ server, pki } = await startRevocationRig({ ocspResponder: true }));
  const moica = pki.issuer('moica');
  const first = await pki.issueCertificate({ issuer: moica, subject: 'C=TW, CN=使用者', keyUsage: ['digitalSignature'] });
  // Each user: the first certificate with another serial, signed again by the CA (one key pair for all).
  users = Array.from({ length: USERS }, (_, i) => ({ ...first, certificate: certificateVariant(first.certificate, i, moica.privateKey) }));
  server.publishCrl(pki.crlUrl('moica'), buildCrl({ issuer: moica, entries: [] }));
}, 60_000);

afterAll(async () => {
  await server.close();
});

interface Internals {
  readonly settings: { readonly chain: ChainValidator };
}

/** The built-path memory of a verifier's chain validator (private; read for measuring only). */
function builtPaths(verifier: LoginVerifier): number {
  const chain = (verifier as unknown as Internals).settings.chain;
  return (chain as unknown as { builtPaths: { size: number } }).builtPaths.size;
}

function ocspInFlight(checker: RevocationChecker): number {
  return (checker.ocsp as unknown as { inFlight: Map<string, unknown> }).inFlight.size;
}

async function logIn(verifier: LoginVerifier, user: IssuedCertificate, session: string): Promise<void> {
  const challenge = await challenges.issue(session);
  const token = signLogin({
    tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }),
    certificate: user.certificate,
    privateKey: user.privateKey,
    signatureType: 'PKCS1',
  });
  await verifier.verify(token, { sessionId: session });
}

function verifierWith(checker: RevocationChecker, cacheSize?: number): LoginVerifier {
  const builder = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withRevocationChecker(checker);
  return (cacheSize === undefined ? builder : builder.withCertificateCacheSize(cacheSize)).build();
}

describe(`${USERS} distinct card holders logging in`, () => {
  it('keep the OCSP answers, in-flight requests and decoded certificates at their caps', async () => {
    const checker = new RevocationChecker({ mode: 'ocsp', ocspCacheSize: CAP });
    const verifier = verifierWith(checker, CAP);
    const hitsBefore = server.hits.ocsp;
    for (const [i, user] of users.slice(0, OCSP_USERS).entries()) await logIn(verifier, user, `s${i}`);
    expect(server.hits.ocsp - hitsBefore).toBe(OCSP_USERS); // each user asked once: no answer was shared by mistake
    expect(checker.ocsp.cached).toBe(CAP);
    expect(ocspInFlight(checker)).toBe(0);
    expect(verifier.certificates.size).toBe(CAP);
  });

  it('keep the decoded certificates, built paths and issuing chains at their default bounds, and share one CRL download', async () => {
    const checker = new RevocationChecker({ mode: 'crl' });
    const verifier = verifierWith(checker);
    const hitsBefore = server.hits.crl;
    for (const [i, user] of users.entries()) await logIn(verifier, user, `c${i}`);
    expect(server.hits.crl - hitsBefore).toBe(1);
    expect(checker.crls.downloads).toBe(1);
    expect(verifier.certificates.size).toBe(1000);
    expect(builtPaths(verifier)).toBe(1024);
    // One issuing chain for everyone.
    expect((verifier as unknown as Internals).settings.chain.issuingChains?.size).toBe(1);
  });

  it('refuse cache sizes that would not bound the caches (NaN from an unset environment variable, negative, fractional)', () => {
    for (const ocspCacheSize of [Number.NaN, Number(undefined), -1, 2.5, Number.POSITIVE_INFINITY]) {
      expect(() => new RevocationChecker({ ocspCacheSize }), String(ocspCacheSize)).toThrow(RangeError);
    }
    expect(new RevocationChecker({ ocspCacheSize: 0 }).ocsp.cached).toBe(0);
    // The same for the caches a verifier's parts can be given directly.
    for (const capacity of [Number.NaN, -1, 2.5]) {
      expect(() => new CertificateCache(capacity), String(capacity)).toThrow(RangeError);
      expect(() => new IssuingChainCache(capacity), String(capacity)).toThrow(RangeError);
    }
    expect(new CertificateCache(0).size).toBe(0);
    // And the validator's own setting, which would otherwise have turned both of its caches off without a word.
    const store = new TrustStore({ anchors: [pki.root.certificate] });
    for (const issuingChainCacheSize of [Number.NaN, -1, 2.5, Number.POSITIVE_INFINITY]) {
      expect(() => new ChainValidator(store, { issuingChainCacheSize }), String(issuingChainCacheSize)).toThrow(/issuingChainCacheSize/);
    }
    expect(new ChainValidator(store, { issuingChainCacheSize: 0 }).issuingChains).toBeUndefined();
  });
});
