/**
 * Checks of settings that are numbers: sizes that bound a cache or a store, and lengths of time. A setting read
 * with `Number(process.env.X)` is `NaN` when X is unset, and `NaN` compares false with everything, so a bound of
 * `NaN` bounded nothing and a skew of `NaN` accepted any answer. One rule each, with one wording.
 */

/** The longest delay `setTimeout` keeps: a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks a setting that is a length of time in milliseconds: finite and not negative, and for a
 * deadline (`timer`) positive and short enough for a timer. `NaN` (what `Number(process.env.X)` gives for an unset
 * X) compares false with everything, so a clock skew of `NaN` let a stale OCSP answer or a CRL from the future
 * through, and a deadline of `NaN` or `Infinity` gave every request up after 1 ms.
 * @throws RangeError naming `name`.
 */
export function checkDuration(name: string, value: number | undefined, timer = false): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && Number.isFinite(value) && (timer ? value > 0 && value <= MAX_TIMER_MS : value >= 0);
  if (!ok) {
    const what = timer ? `a positive number of milliseconds up to ${MAX_TIMER_MS}` : 'a finite, non-negative number of milliseconds';
    throw new RangeError(`${name} must be ${what}, not ${String(value)}`);
  }
}

/**
 * Checks a setting that is a count (a cache's or a store's size, a number of bytes): a whole number of at least
 * `min`. Returns it.
 * @throws RangeError naming `name`.
 */
export function checkCount(name: string, value: number, min = 0): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be a whole number of at least ${min}, not ${String(value)}`);
  return value;
}
