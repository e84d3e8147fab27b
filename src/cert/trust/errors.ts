import { TwpkiError } from '../../shared/twpki-error.js';

/** Why a certificate chain was rejected; one code per rule. */
export const CHAIN_ERROR_CODES = [
  'CHAIN_NO_TRUST_ANCHORS',
  'MALFORMED_CERTIFICATE',
  'CHAIN_CERT_EXPIRED',
  'CHAIN_CERT_NOT_YET_VALID',
  'ISSUER_NOT_FOUND',
  'BAD_SIGNATURE',
  'CHAIN_ALGORITHM_NOT_ALLOWED',
  'NOT_A_CA',
  'PATH_LENGTH_EXCEEDED',
  'ISSUER_KEY_USAGE',
  'UNKNOWN_CRITICAL_EXTENSION',
  'CHAIN_CYCLE',
  'CHAIN_TOO_LONG',
] as const;

/** One of {@link CHAIN_ERROR_CODES}. */
export type ChainErrorCode = (typeof CHAIN_ERROR_CODES)[number];

/**
 * A chain could not be built or a built chain broke a rule.
 * `subject` names the certificate the failed rule looked at (its DN as text).
 */
export class ChainValidationError extends TwpkiError<ChainErrorCode> {
  /** DN of the certificate the failing rule was applied to, when known. */
  public readonly subject: string | undefined;

  public constructor(code: ChainErrorCode, message: string, options?: { subject?: string; cause?: unknown }) {
    super(code, message, options);
    this.subject = options?.subject;
  }
}

/** Why a revocation check produced no trustworthy answer. */
export const REVOCATION_ERROR_CODES = [
  'FETCH_FAILED',
  'OCSP_MALFORMED',
  'OCSP_ERROR_STATUS',
  'OCSP_BAD_SIGNATURE',
  'OCSP_UNAUTHORIZED_RESPONDER',
  'OCSP_WRONG_CERTIFICATE',
  'OCSP_STALE',
  'OCSP_NONCE_MISMATCH',
  'OCSP_UNKNOWN_CRITICAL_EXTENSION',
  'CRL_MALFORMED',
  'CRL_WRONG_ISSUER',
  'CRL_BAD_SIGNATURE',
  'CRL_STALE',
  'CRL_UNKNOWN_CRITICAL_EXTENSION',
  'CRL_NOT_COMPLETE',
  'CRL_WRONG_SCOPE',
  'NO_REVOCATION_SOURCE',
] as const;

/** One of {@link REVOCATION_ERROR_CODES}. */
export type RevocationErrorCode = (typeof REVOCATION_ERROR_CODES)[number];

/**
 * A revocation source failed (network, malformed or untrustworthy answer).
 * A certificate that *is* revoked is not an error here: it is a
 * `RevocationStatus` of kind `revoked`.
 */
export class RevocationError extends TwpkiError<RevocationErrorCode> {
  /** URL of the source that failed, when there was one. */
  public readonly url: string | undefined;

  public constructor(code: RevocationErrorCode, message: string, options?: { url?: string; cause?: unknown }) {
    super(code, message, options);
    this.url = options?.url;
  }
}
