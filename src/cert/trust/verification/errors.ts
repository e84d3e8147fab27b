import { TwpkiError } from '../../../shared/twpki-error.js';
import type { ChainErrorCode, RevocationErrorCode } from '../errors.js';
import type { RevocationReason } from '../revocation/revocation-status.js';

/**
 * The steps a signature verifier runs, in their order. The login verifier
 * uses the login steps (`token-format` … `revocation`), the signed-document verifier
 * `document-format`, `algorithm`, `signature`, then the shared certificate
 * steps; each step has its own error class, so callers and logs know which
 * one failed.
 */
export type VerificationStep =
  | 'configuration'
  | 'token-format'
  | 'document-format'
  | 'algorithm'
  | 'signature'
  | 'signed-data'
  | 'challenge'
  | 'certificate-validity'
  | 'chain'
  | 'key-usage'
  | 'policy'
  | 'revocation';

/** The codes of the steps both verifiers share (configuration, algorithm, signature, certificate steps). */
export const SIGNER_ERROR_CODES = [
  'NO_TRUST_ANCHORS',
  'INVALID_CONFIGURATION',
  'ALGORITHM_NOT_ALLOWED',
  'SIGNATURE_INVALID',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SUSPENDED',
  'REVOCATION_UNKNOWN',
  'REVOCATION_CHECK_FAILED',
  'CERT_WRONG_PURPOSE',
  'CERT_NOT_END_ENTITY',
  'CERT_POLICY_NOT_ALLOWED',
] as const;

/** One of {@link SIGNER_ERROR_CODES}. */
export type SignerErrorCode = (typeof SIGNER_ERROR_CODES)[number];

/**
 * Base of every error a signature verifier (login or signed document)
 * throws; `step` names the failed step, `code` the reason.
 */
export class SignatureVerificationError<C extends string = string> extends TwpkiError<C> {
  /** The step that failed. */
  public readonly step: VerificationStep;

  public constructor(step: VerificationStep, code: C, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.step = step;
  }
}

/** The verifier was configured without something it cannot do without, or with a bad value (fail closed). */
export class VerifierConfigurationError extends SignatureVerificationError<'NO_TRUST_ANCHORS' | 'INVALID_CONFIGURATION'> {
  public constructor(code: 'NO_TRUST_ANCHORS' | 'INVALID_CONFIGURATION', message: string) {
    super('configuration', code, message);
  }
}

/** A digest, signature algorithm or key is not on the allow-list (SHA-1 after its cut-off included). */
export class AlgorithmNotAllowedError extends SignatureVerificationError<'ALGORITHM_NOT_ALLOWED'> {
  public constructor(message: string) {
    super('algorithm', 'ALGORITHM_NOT_ALLOWED', message);
  }
}

/** The signature (or a CMS signed attribute it covers, or the content it names) does not verify. */
export class SignatureInvalidError extends SignatureVerificationError<'SIGNATURE_INVALID'> {
  public constructor(message: string) {
    super('signature', 'SIGNATURE_INVALID', message);
  }
}

/** The signer certificate is outside its validity period. */
export class CertificateExpiredError extends SignatureVerificationError<'CERT_EXPIRED' | 'CERT_NOT_YET_VALID'> {
  public constructor(code: 'CERT_EXPIRED' | 'CERT_NOT_YET_VALID', message: string) {
    super('certificate-validity', code, message);
  }
}

/** The signer certificate does not chain to the trust anchors; `chainCode` says which rule failed. */
export class CertificateUntrustedError extends SignatureVerificationError<'CERT_UNTRUSTED'> {
  /** The chain rule that failed. */
  public readonly chainCode: ChainErrorCode;

  public constructor(chainCode: ChainErrorCode, message: string, options?: { cause?: unknown }) {
    super('chain', 'CERT_UNTRUSTED', message, options);
    this.chainCode = chainCode;
  }
}

/**
 * The signer certificate is revoked (`CERT_REVOKED`, 廢止) or suspended
 * (`CERT_SUSPENDED`: on hold, 停用, which its holder can resume, 復用), or its
 * status could not be established (fail closed).
 */
export class CertificateRevokedError extends SignatureVerificationError<
  'CERT_REVOKED' | 'CERT_SUSPENDED' | 'REVOCATION_UNKNOWN' | 'REVOCATION_CHECK_FAILED'
> {
  /** Revocation (or suspension) time, for `CERT_REVOKED` and `CERT_SUSPENDED`. */
  public readonly revokedAt: Date | undefined;
  /** Revocation reason, for `CERT_REVOKED` when given; `certificateHold` for `CERT_SUSPENDED`. */
  public readonly reason: RevocationReason | undefined;
  /** The revocation source's error code, for `REVOCATION_CHECK_FAILED`. */
  public readonly revocationCode: RevocationErrorCode | undefined;

  public constructor(
    code: 'CERT_REVOKED' | 'CERT_SUSPENDED' | 'REVOCATION_UNKNOWN' | 'REVOCATION_CHECK_FAILED',
    message: string,
    details: { revokedAt?: Date; reason?: RevocationReason; revocationCode?: RevocationErrorCode; cause?: unknown } = {},
  ) {
    super('revocation', code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.revokedAt = details.revokedAt;
    this.reason = details.reason;
    this.revocationCode = details.revocationCode;
  }
}

/**
 * The signer certificate may not sign: `CERT_WRONG_PURPOSE` without
 * digitalSignature (e.g. a card's KEYX certificate) or with an
 * extendedKeyUsage that lists none of the accepted purposes (a TLS server
 * certificate), `CERT_NOT_END_ENTITY` for a CA certificate or an OCSP
 * responder certificate.
 */
export class WrongKeyUsageError extends SignatureVerificationError<'CERT_WRONG_PURPOSE' | 'CERT_NOT_END_ENTITY'> {
  public constructor(message: string, code: 'CERT_WRONG_PURPOSE' | 'CERT_NOT_END_ENTITY' = 'CERT_WRONG_PURPOSE') {
    super('key-usage', code, message);
  }
}

/** The signer certificate carries none of the allowed policies. */
export class PolicyNotAllowedError extends SignatureVerificationError<'CERT_POLICY_NOT_ALLOWED'> {
  public constructor(message: string) {
    super('policy', 'CERT_POLICY_NOT_ALLOWED', message);
  }
}
