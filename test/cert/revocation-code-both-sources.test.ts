import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateRevokedError,
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  RevocationError,
  buildLoginMessage,
  type RevocationMode,
} from '../../src/cert/index.js';
import { LocalRevocationServer, buildCrl, createTestPki, signLoginToken, type CardHolderCredentials, type TestPki } from '../../src/testing/index.js';

// OCSP down (HTTP 503) and the only CRL stale: `revocationCode` is the first source's reason, the second's
// follows in the message and in `cause` (RevocationChecker: "when every source fails, the first source's error
// is thrown"). The backend-login guide said CRL_STALE for this case; it now says what the code does.

const ORIGIN = 'https://gps.example.gov.tw';
const HOUR = 3_600_000;
let server: LocalRevocationServer;
let pki: TestPki;
let card: CardHolderCredentials;

beforeAll(async () => {
  server = await LocalRevocationServer.start();
  pki = await createTestPki({ ocspUrl: server.ocspUrl, crlBaseUrl: server.crlBaseUrl, authorities: ['moica'] });
  server.addAuthority(pki.issuer('moica'));
  card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
  server.ocsp.httpStatus = 503;
  const now = Date.now();
  server.publishCrl(pki.crlUrl('moica'), buildCrl({ issuer: pki.issuer('moica'), entries: [], thisUpdate: new Date(now - 2 * HOUR), nextUpdate: new Date(now - HOUR) }));
}, 60_000);

afterAll(() => server.close());

async function failedLogin(mode: RevocationMode): Promise<CertificateRevokedError> {
  const challenges = new ChallengeIssuer();
  const verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withRevocationChecker(new RevocationChecker({ mode, ocspCacheSize: 0 }))
    .build();
  const challenge = await challenges.issue('s');
  const token = await signLoginToken(card, { tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }) });
  const error = await verifier.verify(token, { sessionId: 's' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CertificateRevokedError);
  return error as CertificateRevokedError;
}

/** The codes of the errors each source gave, in the order asked. */
function sourceCodes(error: CertificateRevokedError): string[] {
  const first = error.cause as RevocationError;
  expect(first).toBeInstanceOf(RevocationError);
  return (first.cause as RevocationError[]).map((e) => e.code);
}

describe('revocationCode when OCSP is down and the CRL is stale', () => {
  it('ocsp-then-crl (the default): the OCSP failure, FETCH_FAILED; the stale CRL follows in the message and cause', async () => {
    const err = await failedLogin('ocsp-then-crl');
    expect(err).toMatchObject({ code: 'REVOCATION_CHECK_FAILED', revocationCode: 'FETCH_FAILED' });
    expect(sourceCodes(err)).toEqual(['FETCH_FAILED', 'CRL_STALE']);
    expect(err.message).toMatch(/503.*; then .*(stale|nextUpdate)/i);
  });

  it('crl-then-ocsp: the CRL is asked first, so CRL_STALE', async () => {
    const err = await failedLogin('crl-then-ocsp');
    expect(err).toMatchObject({ code: 'REVOCATION_CHECK_FAILED', revocationCode: 'CRL_STALE' });
    expect(sourceCodes(err)).toEqual(['CRL_STALE', 'FETCH_FAILED']);
  });

  it('the backend-login guide says the same', () => {
    const guide = readFileSync(new URL('../../docs/guides/backend-login.md', import.meta.url), 'utf8');
    const bullet = /- \*\*Unreachable sources fail closed\*\*[\s\S]*?(?=\n- \*\*)/.exec(guide)?.[0].replace(/\s+/g, ' ') ?? '';
    expect(bullet).toContain('the first source asked');
    expect(bullet).toContain('`FETCH_FAILED` with the default `ocsp-then-crl`');
    expect(bullet).toContain('`CRL_STALE` when the CRL is asked first');
  });
});
