import { TwpkiError } from '../twpki-error.js';

/** The codes of {@link DerError}, one per kind of defect. */
export const DER_ERROR_CODES = [
  /** The tag-length-value framing is broken: truncation, a bad length, trailing bytes. */
  'DER_FORMAT',
  /** An element is well framed but not what the structure requires (wrong tag, missing field). */
  'DER_SHAPE',
  /** A primitive's content octets are not a valid value (OBJECT IDENTIFIER, time, INTEGER…). */
  'DER_PRIMITIVE',
] as const;

/** A code of {@link DerError}. */
export type DerErrorCode = (typeof DER_ERROR_CODES)[number];

/**
 * Thrown by the one DER reader (`src/shared/der`) on anything that is not
 * the DER it was asked to read; `message` names the element. Each layer
 * wraps it into its own typed error (`CertificateParseError`,
 * `RevocationError`, the card layer's `MALFORMED_RESPONSE`), so it never
 * reaches an application on its own.
 */
export class DerError extends TwpkiError<DerErrorCode> {
  public constructor(code: DerErrorCode, message: string) {
    super(code, message);
  }
}
