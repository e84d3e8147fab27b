import { SignatureVerificationError } from '../verification/errors.js';

/**
 * The steps of signed-document verification, in the order they run; all
 * but `document-format` are shared with the login verifier.
 */
export type DocumentStep =
  | 'configuration'
  | 'document-format'
  | 'algorithm'
  | 'signature'
  | 'certificate-validity'
  | 'chain'
  | 'revocation'
  | 'key-usage'
  | 'policy';

/** Every signed-document verification error code. */
export type DocumentErrorCode =
  | 'NO_TRUST_ANCHORS'
  | 'INVALID_CONFIGURATION'
  | 'DOCUMENT_MALFORMED'
  | 'CONTENT_MISSING'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'SIGNATURE_INVALID'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_UNTRUSTED'
  | 'CERT_REVOKED'
  | 'REVOCATION_UNKNOWN'
  | 'REVOCATION_CHECK_FAILED'
  | 'CERT_WRONG_PURPOSE'
  | 'CERT_NOT_END_ENTITY'
  | 'CERT_POLICY_NOT_ALLOWED';

/**
 * Step 1: the input does not decode (`DOCUMENT_MALFORMED`: PEM/base64, CMS
 * structure, certificate), or a detached CMS came without its content
 * (`CONTENT_MISSING`).
 */
export class DocumentFormatError extends SignatureVerificationError<'DOCUMENT_MALFORMED' | 'CONTENT_MISSING'> {
  public constructor(code: 'DOCUMENT_MALFORMED' | 'CONTENT_MISSING', message: string, options?: { cause?: unknown }) {
    super('document-format', code, message, options);
  }
}
