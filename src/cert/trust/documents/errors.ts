import { SignatureVerificationError, type SignerErrorCode, type VerificationStep } from '../verification/errors.js';

/**
 * The steps of signed-document verification, in the order they run:
 * `document-format`, then the steps shared with the login verifier
 * (`algorithm`, `signature`, certificate validity, chain, revocation, key
 * usage, policy).
 */
export type DocumentStep = Exclude<VerificationStep, 'token-format' | 'signed-data' | 'challenge'>;

/** The codes of the signed-document verifier's own step (`document-format`). */
export const DOCUMENT_FORMAT_ERROR_CODES = ['DOCUMENT_MALFORMED', 'CONTENT_MISSING', 'SEVERAL_SIGNERS'] as const;

/** Every signed-document verification error code: the shared ones and the document format step's own. */
export type DocumentErrorCode = SignerErrorCode | DocumentFormatErrorCode;

/** One of {@link DOCUMENT_FORMAT_ERROR_CODES}. */
export type DocumentFormatErrorCode = (typeof DOCUMENT_FORMAT_ERROR_CODES)[number];

/**
 * Step 1: the input does not decode (`DOCUMENT_MALFORMED`: PEM/base64, CMS
 * structure, certificate), a detached CMS came without its content
 * (`CONTENT_MISSING`), or a CMS whose SignerInfos name more than one
 * certificate came without the `certificate` of the signer to verify
 * (`SEVERAL_SIGNERS`).
 */
export class DocumentFormatError extends SignatureVerificationError<DocumentFormatErrorCode> {
  public constructor(code: DocumentFormatErrorCode, message: string, options?: { cause?: unknown }) {
    super('document-format', code, message, options);
  }
}
