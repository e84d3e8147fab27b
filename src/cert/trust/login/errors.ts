import { TwpkiError } from '../../../shared/twpki-error.js';
import type { ChainErrorCode, RevocationErrorCode } from '../errors.js';
import type { RevocationReason } from '../revocation/revocation-status.js';

/**
 * The steps of login verification, in the order they run. Each step has its
 * own error class, so callers and logs know which one failed.
 */
export type LoginStep =
  | 'configuration'
  | 'token-format'
  | 'algorithm'
  | 'signature'
  | 'signed-data'
  | 'challenge'
  | 'certificate-validity'
  | 'chain'
  | 'revocation'
  | 'key-usage'
  | 'policy';

/** Every login verification error code. */
export const LOGIN_ERROR_CODES = [
  'NO_TRUST_ANCHORS',
  'INVALID_CONFIGURATION',
  'TOKEN_MALFORMED',
  'ALGORITHM_NOT_ALLOWED',
  'SIGNATURE_INVALID',
  'CHALLENGE_NOT_SIGNED',
  'ORIGIN_MISMATCH',
  'CARD_NUMBER_MISMATCH',
  'CHALLENGE_UNKNOWN',
  'CHALLENGE_USED',
  'CHALLENGE_EXPIRED',
  'CHALLENGE_SESSION_MISMATCH',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'REVOCATION_UNKNOWN',
  'REVOCATION_CHECK_FAILED',
  'CERT_WRONG_PURPOSE',
  'CERT_POLICY_NOT_ALLOWED',
] as const;

/** One of {@link LOGIN_ERROR_CODES}. */
export type LoginErrorCode = (typeof LOGIN_ERROR_CODES)[number];

/** Base of all login verification errors; `step` names the failed step. */
export class LoginVerificationError<C extends LoginErrorCode = LoginErrorCode> extends TwpkiError<C> {
  /** The step that failed. */
  public readonly step: LoginStep;

  public constructor(step: LoginStep, code: C, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.step = step;
  }
}

/** The verifier was built without something it cannot do without (fail closed). */
export class LoginConfigurationError extends LoginVerificationError<'NO_TRUST_ANCHORS' | 'INVALID_CONFIGURATION'> {
  public constructor(code: 'NO_TRUST_ANCHORS' | 'INVALID_CONFIGURATION', message: string) {
    super('configuration', code, message);
  }
}

/** Step 1: the token is not a well-formed login token (JSON shape, base64, DER). */
export class TokenFormatError extends LoginVerificationError<'TOKEN_MALFORMED'> {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('token-format', 'TOKEN_MALFORMED', message, options);
  }
}

/** Step 2: a digest, signature algorithm or key is not on the allow-list. */
export class AlgorithmNotAllowedError extends LoginVerificationError<'ALGORITHM_NOT_ALLOWED'> {
  public constructor(message: string) {
    super('algorithm', 'ALGORITHM_NOT_ALLOWED', message);
  }
}

/** Step 3: the signature (or a CMS signed attribute it covers) does not verify. */
export class SignatureInvalidError extends LoginVerificationError<'SIGNATURE_INVALID'> {
  public constructor(message: string) {
    super('signature', 'SIGNATURE_INVALID', message);
  }
}

/** Step 4: the signed data does not carry this challenge and origin, or the card number disagrees. */
export class SignedDataMismatchError extends LoginVerificationError<
  'CHALLENGE_NOT_SIGNED' | 'ORIGIN_MISMATCH' | 'CARD_NUMBER_MISMATCH'
> {
  public constructor(code: 'CHALLENGE_NOT_SIGNED' | 'ORIGIN_MISMATCH' | 'CARD_NUMBER_MISMATCH', message: string) {
    super('signed-data', code, message);
  }
}

/** Step 5: the challenge is unknown, already used, expired, or issued to another session. */
export class ChallengeRejectedError extends LoginVerificationError<
  'CHALLENGE_UNKNOWN' | 'CHALLENGE_USED' | 'CHALLENGE_EXPIRED' | 'CHALLENGE_SESSION_MISMATCH'
> {
  public constructor(
    code: 'CHALLENGE_UNKNOWN' | 'CHALLENGE_USED' | 'CHALLENGE_EXPIRED' | 'CHALLENGE_SESSION_MISMATCH',
    message: string,
  ) {
    super('challenge', code, message);
  }
}

/** Step 6: the user certificate is outside its validity period. */
export class CertificateExpiredError extends LoginVerificationError<'CERT_EXPIRED' | 'CERT_NOT_YET_VALID'> {
  public constructor(code: 'CERT_EXPIRED' | 'CERT_NOT_YET_VALID', message: string) {
    super('certificate-validity', code, message);
  }
}

/** Step 7: the certificate does not chain to the trust anchors; `chainCode` says which rule failed. */
export class CertificateUntrustedError extends LoginVerificationError<'CERT_UNTRUSTED'> {
  /** The chain rule that failed. */
  public readonly chainCode: ChainErrorCode;

  public constructor(chainCode: ChainErrorCode, message: string, options?: { cause?: unknown }) {
    super('chain', 'CERT_UNTRUSTED', message, options);
    this.chainCode = chainCode;
  }
}

/** Step 8: the certificate is revoked, or its status could not be established (fail closed). */
export class CertificateRevokedError extends LoginVerificationError<
  'CERT_REVOKED' | 'REVOCATION_UNKNOWN' | 'REVOCATION_CHECK_FAILED'
> {
  /** Revocation time, for `CERT_REVOKED`. */
  public readonly revokedAt: Date | undefined;
  /** Revocation reason, for `CERT_REVOKED` when given. */
  public readonly reason: RevocationReason | undefined;
  /** The revocation source's error code, for `REVOCATION_CHECK_FAILED`. */
  public readonly revocationCode: RevocationErrorCode | undefined;

  public constructor(
    code: 'CERT_REVOKED' | 'REVOCATION_UNKNOWN' | 'REVOCATION_CHECK_FAILED',
    message: string,
    details: { revokedAt?: Date; reason?: RevocationReason; revocationCode?: RevocationErrorCode; cause?: unknown } = {},
  ) {
    super('revocation', code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.revokedAt = details.revokedAt;
    this.reason = details.reason;
    this.revocationCode = details.revocationCode;
  }
}

/** Step 9: the certificate is not a signing certificate (e.g. the card's KEYX certificate). */
export class WrongKeyUsageError extends LoginVerificationError<'CERT_WRONG_PURPOSE'> {
  public constructor(message: string) {
    super('key-usage', 'CERT_WRONG_PURPOSE', message);
  }
}

/** Step 10: the certificate carries none of the allowed policies. */
export class PolicyNotAllowedError extends LoginVerificationError<'CERT_POLICY_NOT_ALLOWED'> {
  public constructor(message: string) {
    super('policy', 'CERT_POLICY_NOT_ALLOWED', message);
  }
}
