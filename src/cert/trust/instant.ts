/**
 * Times given to the trust layer. An Invalid Date compares false with every
 * bound (`NaN < notBefore`, `NaN > notAfter`, `revokedAt <= NaN`), so a
 * validity or revocation check at one would pass: every public entry that
 * takes a time or a clock checks it here first and fails closed.
 */

/** True for a `Date` holding a time (not an Invalid Date, not a string or number). */
export function isInstant(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/**
 * `value`, when {@link isInstant}.
 * @throws RangeError naming `name`.
 */
export function requireInstant(value: unknown, name: string): Date {
  if (!isInstant(value)) throw new RangeError(`${name} must be a valid Date, not ${describeTime(value)}`);
  return value;
}

/** A short, safe description of a bad time for the message. */
export function describeTime(value: unknown): string {
  if (value instanceof Date) return 'an Invalid Date';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return value === null ? 'null' : typeof value;
}
