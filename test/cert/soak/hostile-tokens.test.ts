import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CertificateUntrustedError,
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  buildLoginMessage,
  type LoginVerifier,
} from '../../../src/cert/index.js';
import { LoginVerificationError } from '../../../src/cert/trust/login/errors.js';
import type { ChainValidator } from '../../../src/cert/trust/chain/chain-validator.js';
import { createTestPki, type IssuedCertificate, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig } from '../trust/helpers/fixtures.js';
import { signLogin, type SignOptions } from '../trust/helpers/login-signer.js';
import { certificateVariant } from './helpers/variants.js';

// An unauthenticated client posting tokens that fail: nothing it sends may
// make the server fetch a CRL or ask an OCSP responder, and what a failed
// token leaves in memory must not push out what returning users need.

const ORIGIN = 'https://hostile.example.gov.tw';
/** Forged certificates posted: more than the validator's built-path bound (1,024). */
const FORGERIES = 1100;

let server: LocalRevocationServer;
let pki: TestPki;
let user: IssuedCertificate;
/** A certificate of another PKI with the same names, naming this server's CRL and OCSP URLs. */
let stranger: IssuedCertificate;
const challenges = new ChallengeIssuer();
let checker: RevocationChecker;
let verifier: LoginVerifier;

beforeAll(async () => {
  ({ server, pki } = await startRevocationRig({ ocspResponder: true }));
  const moica = pki.issuer('moica');
  user = await pki.issueCertificate({ issuer: moica, subject: 'C=TW, CN=王小明', keyUsage: ['digitalSignature'] });
  server.publishCrl(pki.crlUrl('moica'), buildCrl({ issuer: moica, entries: [] }));
  const other = await createTestPki({ authorities: ['moica'], crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl });
  stranger = await other.issueCertificate({
    issuer: other.issuer('moica'),
    subject: 'C=TW, CN=王小明',
    keyUsage: ['digitalSignature'],
    crlUrl: `${server.crlBaseUrl}/attacker.crl`,
    ocspUrl: server.ocspUrl,
  });
}, 60_000);

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  checker = new RevocationChecker(); // OCSP, then CRL: both sources in play
  verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withRevocationChecker(checker)
    .build();
});

function chainOf(v: LoginVerifier): ChainValidator {
  return (v as unknown as { settings: { chain: ChainValidator } }).settings.chain;
}

/** Paths the validator keeps for reuse (private; read for measuring only). */
function builtPaths(v: LoginVerifier): number {
  return (chainOf(v) as unknown as { builtPaths: { size: number } }).builtPaths.size;
}

async function token(signer: { certificate: Uint8Array; privateKey: IssuedCertificate['privateKey'] }, session: string, overrides: Partial<SignOptions> = {}): Promise<Record<string, string>> {
  const challenge = await challenges.issue(session);
  return signLogin({
    tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }),
    certificate: signer.certificate,
    privateKey: signer.privateKey,
    signatureType: 'PKCS1',
    ...overrides,
  });
}

/** The typed error `verify` fails with; an untyped throw or a success fails the test. */
async function refusal(t: unknown, session: string): Promise<LoginVerificationError> {
  try {
    await verifier.verify(t, { sessionId: session });
  } catch (err) {
    expect(err).toBeInstanceOf(LoginVerificationError);
    return err as LoginVerificationError;
  }
  throw new Error('expected the token to be refused');
}

function fetches(): number {
  return server.hits.ocsp + server.hits.crl;
}

describe('tokens that fail before revocation', () => {
  it('make no revocation request and cache no answer: garbage, a stranger PKI, a wrong session, carried fake CAs', async () => {
    const before = fetches();
    const good = await token(user, 's');
    // Garbage in "certb64": not base64, base64 of no DER, DER of no certificate.
    for (const certb64 of ['%%%', Buffer.from('hello').toString('base64'), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]).toString('base64')]) {
      expect((await refusal({ ...good, certb64 }, 's')).code).toBe('TOKEN_MALFORMED');
    }
    // A certificate of another PKI under the same names, pointing at attacker-chosen CRL and OCSP URLs.
    const foreign = await refusal(await token(stranger, 's'), 's');
    expect(foreign).toBeInstanceOf(CertificateUntrustedError);
    // A genuine certificate under another session's challenge: refused at the challenge, before the chain.
    expect((await refusal(await token(user, 'other'), 's')).code).toBe('CHALLENGE_SESSION_MISMATCH');
    // A CMS carrying the stranger with fake CA certificates.
    const fakes = await Promise.all([1, 2, 3].map((i) => pki.issueCertificate({ issuer: 'root', subject: `C=TW, O=假CA${i}`, isCa: true, keyUsage: ['keyCertSign'] })));
    const stuffed = await token(stranger, 's', { signatureType: 'PKCS7', extraCertificates: fakes.map((f) => f.certificate) });
    expect((await refusal(stuffed, 's')).code).toBe('CERT_UNTRUSTED');
    expect(fetches()).toBe(before);
    expect(checker.ocsp.cached).toBe(0);
    expect(checker.crls.downloads).toBe(0);
    expect(checker.ocsp.requests).toBe(0);
    expect(builtPaths(verifier)).toBe(0);
  });

  it(`keep no built path for ${FORGERIES} forged certificates naming the issuing CA, and push out no returning user's`, async () => {
    // The returning user logs in once (one OCSP request), and their paths are kept.
    await verifier.verify(await token(user, 'u'), { sessionId: 'u' });
    expect(builtPaths(verifier)).toBe(1);
    const before = fetches();
    const forgeries = Array.from({ length: FORGERIES }, (_, i) => certificateVariant(user.certificate, i));
    for (const [i, forged] of forgeries.entries()) {
      const err = await refusal(await token({ certificate: forged, privateKey: user.privateKey }, `f${i}`), `f${i}`);
      expect(err.code).toBe('CERT_UNTRUSTED');
    }
    expect(fetches()).toBe(before);
    // Before the fix every forgery took a place (up to the bound, 1,024) and the user's paths were gone.
    expect(builtPaths(verifier)).toBe(1);
    // The decoded certificates a failed token leaves stay at the cache's cap.
    expect(verifier.certificates.size).toBeLessThanOrEqual(1000);
    const again = await verifier.verify(await token(user, 'u'), { sessionId: 'u' });
    expect(again.revocation?.kind).toBe('good');
    expect(fetches()).toBe(before); // answered from the cached OCSP answer
  });

  it('a certificate that cannot log in (a KEYX certificate, another policy) is refused before revocation asks the network', async () => {
    const moica = pki.issuer('moica');
    // Chains to the anchor and signs correctly, but is refused by the key-usage and the policy step.
    const keyx = await pki.issueCertificate({ issuer: moica, subject: 'C=TW, CN=王小明', keyUsage: ['keyEncipherment', 'dataEncipherment'] });
    const otherPolicy = await pki.issueCertificate({ issuer: moica, subject: 'C=TW, CN=王小明', keyUsage: ['digitalSignature'], policies: ['2.16.886.101.0.3.2'] });
    const before = fetches();
    expect((await refusal(await token(keyx, 'k'), 'k')).code).toBe('CERT_WRONG_PURPOSE');
    expect((await refusal(await token(otherPolicy, 'p'), 'p')).code).toBe('CERT_POLICY_NOT_ALLOWED');
    // Before, revocation ran first: each cost an OCSP request and left a cached answer.
    expect(fetches()).toBe(before);
    expect(checker.ocsp.requests).toBe(0);
    expect(checker.ocsp.cached).toBe(0);
  });
});
