/**
 * Text a database keeps as it was given: the one rule the SQL stores and their callers share.
 */

// A UTF-16 high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `value` holds a UTF-16 surrogate with no partner: no UTF-8 form, so stored as U+FFFD or refused. */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/**
 * Why `value` cannot be stored as text unchanged, or `undefined` when it can. NUL is refused by PostgreSQL text
 * (22021), and a lone surrogate has no UTF-8 form: the driver would store U+FFFD (another value) or jsonb refuse it
 * (22P02). Callers refuse both as input errors instead of a driver error or a silent change.
 */
export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (hasLoneSurrogate(value)) return 'must be well-formed Unicode (lone surrogate)';
  return undefined;
}
