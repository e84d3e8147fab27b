import { copyBytes } from '../../../shared/bytes.js';
import { describeValue } from '../../../shared/describe-value.js';
import { MAX_SESSION_ID_CHARS, sessionIdProblem } from './challenge-issuer.js';
import { LoginConfigurationError } from './errors.js';
import type { CertificateProfile } from '../../profile/index.js';
import type { CertificateCache } from '../verification/certificate-cache.js';
import type { TrustedCertificate } from '../trusted-certificate.js';
import type { ChallengeStore } from './challenge-store.js';
import type { RevocationStatus } from '../revocation/revocation-status.js';
import { checkCertificateValidity } from '../verification/steps/check-certificate-validity.js';
import { checkChain } from '../verification/steps/check-chain.js';
import { checkKeyUsage } from '../verification/steps/check-key-usage.js';
import { checkPolicy } from '../verification/steps/check-policy.js';
import { checkRevocation } from '../verification/steps/check-revocation.js';
import { checkAlgorithms } from './steps/check-algorithms.js';
import { checkChallenge, consumeChallenge } from './steps/check-challenge.js';
import { checkSignedData } from './steps/check-signed-data.js';
import { decodeToken, dropTransientBytes } from './steps/decode-token.js';
import { need, type LoginContext, type LoginSettings } from './steps/login-context.js';
import { clockTime } from '../verification/clock-time.js';
import { verifySignature } from './steps/verify-signature.js';
import { markVerifiedLogin } from './verified-login-mark.js';

/** A successful login. */
export interface VerifiedLogin {
  /** The signer certificate's typed profile (authority, names, identity hints, serial…). */
  readonly profile: CertificateProfile;
  /** The signer certificate, DER. */
  readonly certificate: Uint8Array;
  /** The validated path, signer first, anchor last, DER. */
  readonly chain: readonly Uint8Array[];
  /** Card number from the signed CMS attribute 2.16.886.1.100.2.204, when carried. */
  readonly cardNumber: string | undefined;
  /** Card number the local component reported (`cardSN`); not covered by the signature. */
  readonly reportedCardNumber: string | undefined;
  /** CMS signingTime, when carried (the client's clock; informational). */
  readonly signingTime: Date | undefined;
  /** CMS randomNonce, hex, when carried. */
  readonly randomNonce: string | undefined;
  /** The signed origin. */
  readonly origin: string;
  /** The session the challenge belonged to. */
  readonly sessionId: string;
  /** The revocation answer, or `undefined` when checking was disabled. */
  readonly revocation: RevocationStatus | undefined;
}

/** Per-call inputs of {@link LoginVerifier.verify}. */
export interface LoginVerificationRequest {
  /** The session the browser is logging in with (the one the challenge was issued to). */
  readonly sessionId: string;
}

/**
 * Verifies card-signed login tokens. Built by `LoginVerifierBuilder`, which
 * fixes trust anchors, origins, challenge store and revocation policy.
 *
 * Steps 2, 3 and 6–10 are shared with `SignedDocumentVerifier`.
 * Steps, in this order, each failing with its own error class and code:
 * 1. token format (`TokenFormatError`) — JSON shape, base64, DER;
 * 2. algorithm allow-list (`AlgorithmNotAllowedError`);
 * 3. signature (`SignatureInvalidError`) — PKCS#1 v1.5, or CMS with signed
 *    attributes (contentType, messageDigest; signingTime, randomNonce and the
 *    card number read when present);
 * 4. signed data (`SignedDataMismatchError`) — a login message with an
 *    allowed origin;
 * 5. challenge (`ChallengeRejectedError`) — issued, unused (consumed now),
 *    unexpired, same session;
 * 6. certificate validity (`CertificateExpiredError`);
 * 7. chain to the anchors (`CertificateUntrustedError`);
 * 8. key usage (`WrongKeyUsageError`) — an end-entity certificate (no CA,
 *    no OCSP responder) with digitalSignature and, when it has an
 *    extendedKeyUsage, an accepted purpose;
 * 9. allowed policy (`PolicyNotAllowedError`) — carried by the signer and
 *    asserted along the path by every CA that asserts policies;
 * 10. revocation (`CertificateRevokedError`) — last, the only step that may
 *     ask the network: a certificate that cannot log in (a card's KEYX
 *     certificate, another policy) costs no OCSP request or cached answer.
 */
export class LoginVerifier {
  /** @internal use `LoginVerifierBuilder`. */
  public constructor(private readonly settings: LoginSettings) {}

  /** Signer certificates this verifier keeps decoded (exposed for metrics and tests). */
  public get certificates(): CertificateCache {
    return this.settings.certificates;
  }

  /** The origins a login message may name (`withAllowedOrigins`), for checking a configuration. */
  public get origins(): readonly string[] {
    return [...this.settings.origins];
  }

  /** The store challenges are consumed from (`withChallenges`), for checking a configuration. */
  public get challengeStore(): ChallengeStore {
    return this.settings.challenges;
  }

  /**
   * Runs every step on `token` (an object or its JSON text).
   * @throws LoginVerificationError subclass of the first failed step;
   * `LoginConfigurationError` `INVALID_CONFIGURATION`, before any step, when `request` is not
   * `{ sessionId }` with the session id as `ChallengeIssuer.issue` takes it (a server fault, not the user's).
   */
  public async verify(token: unknown, request: LoginVerificationRequest): Promise<VerifiedLogin> {
    const ctx = newContext(this.settings, sessionIdOf(request));
    decodeToken(ctx, token);
    checkAlgorithms(ctx);
    verifySignature(ctx);
    checkSignedData(ctx);
    // Before the first await: the next login reuses the signature's buffer.
    dropTransientBytes(ctx);
    checkChallenge(ctx, await consumeChallenge(ctx));
    checkCertificateValidity(ctx);
    checkChain(ctx);
    checkKeyUsage(ctx);
    checkPolicy(ctx);
    // Last: the only step that may ask the network. Answered without a promise when revocation is warm (see the step).
    const revocation = checkRevocation(ctx);
    if (revocation !== undefined) await revocation;

    // A copy: the decoded certificate may be reused by later logins. The
    // chain starts with the same copy; the CA certificates above it are the
    // configured ones.
    const certificate = copyBytes(need(ctx, 'certificate').der);
    const chain = need(ctx, 'chain').path.map(derOf);
    chain[0] = certificate;
    return markVerifiedLogin({
      profile: need(ctx, 'profile'),
      certificate,
      chain,
      cardNumber: ctx.cardNumber,
      reportedCardNumber: ctx.token?.token.cardSN,
      signingTime: ctx.signingTime,
      randomNonce: ctx.randomNonce,
      origin: need(ctx, 'origin'),
      sessionId: request.sessionId,
      revocation: ctx.revocationStatus,
    });
  }
}

/**
 * The request's session id, checked: a missing request or a session id that no challenge can have been issued
 * to would otherwise crash, or fail as the user's `CHALLENGE_SESSION_MISMATCH`.
 */
function sessionIdOf(request: LoginVerificationRequest): string {
  if (typeof request !== 'object' || request === null) {
    throw new LoginConfigurationError(
      'INVALID_CONFIGURATION',
      `verify needs { sessionId } (the session the challenge was issued to) as its second argument, got ${describeValue(request)}`,
    );
  }
  const sessionId: unknown = request.sessionId;
  if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_CHARS) {
    throw new LoginConfigurationError(
      'INVALID_CONFIGURATION',
      `verify: request.sessionId must be a string of 1 to ${MAX_SESSION_ID_CHARS} characters, as ChallengeIssuer.issue takes it, got ${describeValue(sessionId)}`,
    );
  }
  // The rest of the issuer's rule (no NUL, no lone surrogate): no challenge was ever issued to such an id.
  const problem = sessionIdProblem(sessionId);
  if (problem !== undefined) {
    throw new LoginConfigurationError('INVALID_CONFIGURATION', `verify: request.sessionId cannot have been given a challenge: ${problem}`);
  }
  return sessionId;
}

/** A certificate's DER (one function for every login, not a closure per login). */
const derOf = (c: TrustedCertificate): Uint8Array => c.der;

/**
 * A context with every field the steps may set already present: the object
 * keeps one shape from the first step to the last, instead of growing (and
 * changing hidden class) a dozen times per login.
 */
function newContext(settings: LoginSettings, sessionId: string): LoginContext {
  const at = clockTime(settings.now());
  return {
    settings,
    sessionId,
    at,
    present: at,
    certificate: undefined,
    intermediates: undefined,
    scheme: undefined,
    digest: undefined,
    chain: undefined,
    revocationStatus: undefined,
    token: undefined,
    cms: undefined,
    profile: undefined,
    content: undefined,
    origin: undefined,
    challenge: undefined,
    challengeRecord: undefined,
    cardNumber: undefined,
    signingTime: undefined,
    randomNonce: undefined,
  };
}
