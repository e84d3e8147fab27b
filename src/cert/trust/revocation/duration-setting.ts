/** The longest delay `setTimeout` keeps: a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks a revocation setting that is a length of time in milliseconds: finite and not negative, and for a
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
