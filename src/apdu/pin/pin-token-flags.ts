/**
 * The PKCS#11 user-PIN token flags (`CKF_USER_PIN_COUNT_LOW`,
 * `CKF_USER_PIN_FINAL_TRY`, `CKF_USER_PIN_LOCKED`) derived from a last known
 * retry count, for callers that present the card the way the official
 * PKCS#11 module does. All false when the count is unknown.
 */
export interface PinTokenFlags {
  /** At least one wrong try since the last success (`CKF_USER_PIN_COUNT_LOW`). */
  readonly countLow: boolean;
  /** One try left (`CKF_USER_PIN_FINAL_TRY`). */
  readonly finalTry: boolean;
  /** No tries left (`CKF_USER_PIN_LOCKED`). */
  readonly locked: boolean;
}

/** Maps a last known retry count to {@link PinTokenFlags}. */
export function pinTokenFlags(retriesLeft: number | undefined, tryLimit = 3): PinTokenFlags {
  if (retriesLeft === undefined) return { countLow: false, finalTry: false, locked: false };
  return { countLow: retriesLeft > 0 && retriesLeft < tryLimit, finalTry: retriesLeft === 1, locked: retriesLeft === 0 };
}
