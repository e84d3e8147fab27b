/**
 * Where two strings differ: the shortest middle part left after removing
 * their common prefix and suffix. Offsets count Unicode code points, so a
 * Chinese character or an emoji is one position.
 */
export interface DifferingSpan {
  /** Code-point offset of the first differing character (same on both sides). */
  readonly start: number;
  /** The applicant's differing text (may be empty: something is missing). */
  readonly applicant: string;
  /** The EMS record's differing text (may be empty: something is extra). */
  readonly record: string;
}

/** Finds the {@link DifferingSpan} of two unequal strings. */
export function findDifferingSpan(applicant: string, record: string): DifferingSpan {
  const a = Array.from(applicant);
  const b = Array.from(record);
  let prefix = 0;
  const limit = Math.min(a.length, b.length);
  while (prefix < limit && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  return {
    start: prefix,
    applicant: a.slice(prefix, a.length - suffix).join(''),
    record: b.slice(prefix, b.length - suffix).join(''),
  };
}
