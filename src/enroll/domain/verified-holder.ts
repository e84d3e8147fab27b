/**
 * Which card holders came out of a successful login verification. The
 * certificate layer's `LoginVerifier` only returns a result for a valid,
 * unexpired, unrevoked certificate whose signature checked; `cardHolderFromLogin`
 * marks what it builds from such a result here. A hand-built object is never
 * marked, so a path that re-binds a card on its own authority (renewal) can
 * refuse anything that did not come from a verification.
 */
const VERIFIED = new WeakSet<object>();

/** Marks `holder` as built from a verified login; internal to the enrollment layer (and its tests). */
export function markVerified<T extends object>(holder: T): T {
  VERIFIED.add(holder);
  return holder;
}

/** True if `value` is an object {@link markVerified} marked. */
export function isVerifiedHolder(value: unknown): boolean {
  return typeof value === 'object' && value !== null && VERIFIED.has(value);
}
