/**
 * The card-lifecycle lab: a test PKI whose certificates point at a local
 * revocation server, a login verifier on a settable clock, and card logins
 * signed as the local component signs them. Public API only (twpki/cert,
 * twpki/enroll, twpki/testing), as a government backend would use it.
 */
import {
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  TrustedCertificate,
  buildLoginMessage,
  type LoginVerifier,
  type RevocationCheckerOptions,
  type VerifiedLogin,
} from 'twpki/cert';
import { buildCrl, createTestPki, LocalRevocationServer, signLoginToken, type CardHolderCredentials, type CardHolderOptions, type TestCrlEntry, type TestPki } from 'twpki/testing';

export const ORIGIN = 'https://service.example.gov.tw';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A settable clock shared by the verifier and the challenge issuer. */
export class LabClock {
  public constructor(public t: number) {}
  public now = (): Date => new Date(this.t);
  public advance(ms: number): void {
    this.t += ms;
  }
}

export interface Lab {
  readonly pki: TestPki;
  readonly server: LocalRevocationServer;
  readonly clock: LabClock;
  /** A verifier with its own revocation checker (so its caches are its own). */
  verifier(options?: RevocationCheckerOptions): { verifier: LoginVerifier; checker: RevocationChecker };
  issue(options?: Partial<CardHolderOptions>): Promise<CardHolderCredentials>;
  /** Signs a login with `card` (卡號 `cardNumber` signed; `null`: none, as without withCardSN) for a fresh session and verifies it. */
  login(verifier: LoginVerifier, card: CardHolderCredentials, cardNumber?: string | null): Promise<VerifiedLogin>;
  /** Publishes the MOICA CRL (`moica.crl`, the URL the certificates name). */
  publishCrl(entries: readonly TestCrlEntry[], thisUpdate: Date, nextUpdate: Date, crlNumber: number): void;
  serialOf(card: CardHolderCredentials): string;
  close(): Promise<void>;
}

export async function startLab(start = Date.now()): Promise<Lab> {
  const server = await LocalRevocationServer.start();
  const clock = new LabClock(start);
  const pki = await createTestPki({ now: new Date(start), ocspUrl: server.ocspUrl, crlBaseUrl: server.crlBaseUrl, authorities: ['moica'] });
  server.addAuthority(pki.issuer('moica'));
  const challenges = new ChallengeIssuer({ now: clock.now });
  let session = 0;
  return {
    pki,
    server,
    clock,
    verifier(options = {}) {
      const checker = new RevocationChecker(options);
      const verifier = new LoginVerifierBuilder()
        .withTrustAnchors(pki.root.certificate)
        .withIntermediates(pki.issuer('moica').certificate)
        .withAllowedOrigins(ORIGIN)
        .withChallenges(challenges)
        .withRevocationChecker(checker)
        .withClock(clock.now)
        .build();
      return { verifier, checker };
    },
    issue: (o = {}) => pki.issueCardHolder({ authority: 'moica', commonName: '王小明', idHint: '6789', ...o }),
    async login(verifier, card, cardNumber = 'TP03000000000001') {
      const sessionId = `s${++session}`;
      const challenge = await challenges.issue(sessionId);
      const token = await signLoginToken(card, {
        tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }),
        ...(cardNumber === null ? {} : { cardNumber }),
        signingTime: clock.now(),
      });
      return verifier.verify(token, { sessionId });
    },
    publishCrl(entries, thisUpdate, nextUpdate, crlNumber) {
      server.publishCrl('moica.crl', buildCrl({ issuer: pki.issuer('moica'), entries, thisUpdate, nextUpdate, crlNumber }));
    },
    serialOf: (card) => TrustedCertificate.from(card.sign.certificate).serialHex,
    close: () => server.close(),
  };
}

/** The error `p` rejected with (fails when it resolved). */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string; reason?: string; revocationCode?: string }> {
  return p.then(
    () => {
      throw new Error('expected a refusal, got success');
    },
    (err: unknown) => err as Error & { code?: string },
  );
}
