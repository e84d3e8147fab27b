import { TwpkiError } from '../shared/twpki-error.js';

/** Stable codes of EMS-layer failures (bad input, bad configuration, unreadable source). */
export const EMS_ERROR_CODES = [
  'INVALID_FIELD_DEFINITION',
  'MALFORMED_RECORD',
  'MISSING_FIELD',
  'NOT_A_STRING',
  'VALUE_TOO_LONG',
  'UNKNOWN_FIELD',
  'UNKNOWN_POLICY',
  'INVALID_CONTROL_NUMBER',
  'SOURCE_UNREADABLE',
] as const;

/** One of {@link EMS_ERROR_CODES}. */
export type EmsErrorCode = (typeof EMS_ERROR_CODES)[number];

/**
 * Raised for input the EMS layer cannot compare or load. A comparison that
 * merely fails is not an error: it is a result with `pass: false`.
 */
export class EmsError extends TwpkiError<EmsErrorCode> {
  /** Field key the problem is about, when it is about one field. */
  public readonly field: string | undefined;

  public constructor(
    code: EmsErrorCode,
    message: string,
    options: { cause?: unknown; field?: string } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.field = options.field;
  }
}
