/**
 * Return codes of the official local component (HiPKILocalSignServer) that
 * government pages test for. Names are twpki's; the values are the ones
 * pages compare against.
 */
export const RetCode = {
  /** Success. */
  OK: 0,
  /** The calling site is not a trusted domain. */
  UNTRUSTED_DOMAIN: 0x76000031,
  /** Execution error or timeout (also twpki's answer to PIN failures; see docs/decisions.md). */
  EXECUTION_ERROR: 0x7600000d,
  /** Unsupported `func`. */
  UNSUPPORTED_FUNCTION: 0x7600000e,
  /** The signing certificate has expired. */
  CARD_EXPIRED: 0x76500002,
} as const;

/** Values of {@link RetCode}. */
export type RetCodeValue = (typeof RetCode)[keyof typeof RetCode];

/** `last_error` values (PKCS#11 CKR_PIN_* and the tries-left forms pages decode). */
export const LastError = {
  /** No error. */
  NONE: 0,
  /** Wrong PIN (CKR_PIN_INCORRECT), tries left unknown or more than two. */
  PIN_INCORRECT: 0xa0,
  /** PIN of the wrong length (CKR_PIN_LEN_RANGE); HiCOS PINs are 6 to 8 characters. */
  PIN_LEN_RANGE: 0xa2,
  /** The PIN is locked (CKR_PIN_LOCKED); the card needs unblocking. */
  PIN_LOCKED: 0xa4,
  /** Wrong PIN with one try left, sent as a signed 32-bit number (-2147483647). */
  PIN_INCORRECT_1_LEFT: 0x80000001 | 0,
  /** Wrong PIN with two tries left (-2147483646). */
  PIN_INCORRECT_2_LEFT: 0x80000002 | 0,
  /** No card, or no usable certificate on it. */
  TOKEN_NOT_PRESENT: 0xe0,
  /** Any other failure. */
  GENERAL_ERROR: 0x05,
} as const;

/** `last_error` for a wrong PIN with `retriesLeft` tries left. */
export function wrongPinLastError(retriesLeft: number | undefined): number {
  if (retriesLeft === 1) return LastError.PIN_INCORRECT_1_LEFT;
  if (retriesLeft === 2) return LastError.PIN_INCORRECT_2_LEFT;
  return LastError.PIN_INCORRECT;
}
