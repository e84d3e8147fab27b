import { SIGNER_ERROR_CODES, SignatureVerificationError, VerifierConfigurationError, type VerificationStep } from '../verification/errors.js';

/**
 * The steps of login verification, in the order they run: `token-format`,
 * `algorithm`, `signature`, `signed-data`, `challenge`, then the shared
 * certificate steps. Each step has its own error class, so callers and logs
 * know which one failed.
 */
export type LoginStep = Exclude<VerificationStep, 'document-format'>;

/** Every login verification error code: the shared ones and the login steps' own. */
export const LOGIN_ERROR_CODES = [
  ...SIGNER_ERROR_CODES,
  'TOKEN_MALFORMED',
  'CHALLENGE_NOT_SIGNED',
  'ORIGIN_MISMATCH',
  'CARD_NUMBER_MISMATCH',
  'CHALLENGE_UNKNOWN',
  'CHALLENGE_USED',
  'CHALLENGE_EXPIRED',
  'CHALLENGE_SESSION_MISMATCH',
] as const;

/** One of {@link LOGIN_ERROR_CODES}. */
export type LoginErrorCode = (typeof LOGIN_ERROR_CODES)[number];

/**
 * Base of all login verification errors: the same class as
 * {@link SignatureVerificationError}, which the signed-document verifier's
 * errors share, so `instanceof LoginVerificationError` keeps catching every
 * step's error.
 */
export const LoginVerificationError = SignatureVerificationError;
/** The type of {@link LoginVerificationError} (a {@link SignatureVerificationError}). */
export type LoginVerificationError<C extends string = LoginErrorCode> = SignatureVerificationError<C>;

/** The login verifier's configuration error: the shared {@link VerifierConfigurationError}. */
export const LoginConfigurationError = VerifierConfigurationError;
/** The type of {@link LoginConfigurationError}. */
export type LoginConfigurationError = VerifierConfigurationError;

/** Step 1: the token is not a well-formed login token (JSON shape, base64, DER). */
export class TokenFormatError extends SignatureVerificationError<'TOKEN_MALFORMED'> {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('token-format', 'TOKEN_MALFORMED', message, options);
  }
}

/** Step 4: the signed data does not carry this challenge and origin, or the card number disagrees. */
export class SignedDataMismatchError extends SignatureVerificationError<
  'CHALLENGE_NOT_SIGNED' | 'ORIGIN_MISMATCH' | 'CARD_NUMBER_MISMATCH'
> {
  public constructor(code: 'CHALLENGE_NOT_SIGNED' | 'ORIGIN_MISMATCH' | 'CARD_NUMBER_MISMATCH', message: string) {
    super('signed-data', code, message);
  }
}

/** Step 5: the challenge is unknown, already used, expired, or issued to another session. */
export class ChallengeRejectedError extends SignatureVerificationError<
  'CHALLENGE_UNKNOWN' | 'CHALLENGE_USED' | 'CHALLENGE_EXPIRED' | 'CHALLENGE_SESSION_MISMATCH'
> {
  public constructor(
    code: 'CHALLENGE_UNKNOWN' | 'CHALLENGE_USED' | 'CHALLENGE_EXPIRED' | 'CHALLENGE_SESSION_MISMATCH',
    message: string,
  ) {
    super('challenge', code, message);
  }
}
