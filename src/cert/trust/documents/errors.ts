import { SignatureVerificationError, type SignerErrorCode, type VerificationStep } from '../verification/errors.js';

/**
 * The steps of signed-document verification, in the order they run:
 * `document-format`, then the steps shared with the login verifier
 * (`algorithm`, `signature`, certificate validity, chain, revocation, key
 * usage, policy).
 */
export type DocumentStep = Exclude<VerificationStep, 'token-format' | 'signed-data' | 'challenge'>;

/** Every signed-document verification error code: the shared ones and the format step's. */
export type DocumentErrorCode = SignerErrorCode | 'DOCUMENT_MALFORMED' | 'CONTENT_MISSING';

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
