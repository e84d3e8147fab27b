/**
 * Real verified card logins for the renewal tests: a test PKI with a local
 * OCSP responder, logins signed as the local component signs them (卡號 in the
 * signed attributes), verified by the certificate layer's login verifier and
 * mapped by `cardHolderFromLogin`. Nothing here is hand-built: a holder is
 * "verified" only because the verifier accepted its login.
 */
import { ChallengeIssuer, LoginVerifierBuilder, RevocationChecker, TrustedCertificate, buildLoginMessage, type LoginVerifier } from '../../src/cert/index.js';
import { cardHolderFromLogin } from '../../src/enroll/adapters/cert.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { createTestPki, type CardHolderCredentials, type CardHolderOptions, type TestPki } from '../../src/testing/pki/index.js';
import { LocalRevocationServer } from '../../src/testing/revocation/index.js';
import { signLogin } from '../cert/trust/helpers/login-signer.js';

const ORIGIN = 'https://gepi.example.gov.tw';

/** Two PKIs (the second one is "another authority": another trust anchor) and a verifier trusting both. */
export interface LoginLab {
  readonly pki: TestPki;
  readonly otherPki: TestPki;
  readonly server: LocalRevocationServer;
  /** Issues a MOICA card under `pki` (or `otherPki`). */
  issue(options: Partial<CardHolderOptions> & { other?: boolean }): Promise<CardHolderCredentials>;
  /** Marks a certificate revoked at the OCSP responder. */
  revoke(card: CardHolderCredentials): void;
  /** Signs and verifies a login with `card` carrying `cardNumber`; the holder the flows get, or the verifier's error. */
  login(card: CardHolderCredentials, cardNumber: string): Promise<VerifiedCardHolder>;
  close(): Promise<void>;
}

/** Starts a {@link LoginLab}. */
export async function startLoginLab(): Promise<LoginLab> {
  const server = await LocalRevocationServer.start();
  const pki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl, authorities: ['moica'] });
  const otherPki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl, authorities: ['moica'] });
  server.addAuthority(pki.issuer('moica'));
  server.addAuthority(otherPki.issuer('moica'));
  const challenges = new ChallengeIssuer();
  const verifier: LoginVerifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate, otherPki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate, otherPki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withRevocationChecker(new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 0 }))
    .build();
  return {
    pki,
    otherPki,
    server,
    issue: ({ other, ...o }) => (other === true ? otherPki : pki).issueCardHolder({ authority: 'moica', commonName: '王小明', idHint: '6789', ...o }),
    revoke(card) {
      server.setStatus(TrustedCertificate.from(card.sign.certificate).serialHex, { kind: 'revoked', revokedAt: new Date(Date.now() - 60_000), reason: 'keyCompromise' });
    },
    login: cardLogins(ORIGIN, challenges, verifier),
    close: () => server.close(),
  };
}

/**
 * A login as a page makes it: a fresh challenge for a new session, the token
 * signed as the local component signs it (卡號 in the signed attributes), the
 * real verifier, then `cardHolderFromLogin` — the holder the flows get, or the
 * verifier's error.
 */
export function cardLogins(
  origin: string,
  challenges: ChallengeIssuer,
  verifier: LoginVerifier,
): (card: CardHolderCredentials, cardNumber: string) => Promise<VerifiedCardHolder> {
  let session = 0;
  return async (card, cardNumber) => {
    const sessionId = `s${++session}`;
    const challenge = await challenges.issue(sessionId);
    const token = signLogin({
      tbs: buildLoginMessage({ origin, challenge: challenge.value }),
      certificate: card.sign.certificate,
      privateKey: card.sign.privateKey,
      cardNumber,
    });
    return cardHolderFromLogin(await verifier.verify(token, { sessionId }));
  };
}
