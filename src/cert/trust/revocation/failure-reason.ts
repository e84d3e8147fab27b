/** How many errors of a `cause` chain {@link failureReason} reads. */
const DEPTH = 4;

/**
 * The text of `err` and of the causes under it, joined with `: `. Node's
 * fetch says only "fetch failed" and keeps what happened (a refused
 * connection, a redirect loop, a redirect to a `file:` URL) in `cause`; an
 * operator reading a failed login needs the latter. A cause without a
 * message (an `AggregateError` of every address tried) is named by its
 * `code`.
 */
export function failureReason(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < DEPTH && current !== undefined && current !== null; depth++) {
    const text = textOf(current);
    if (text !== '' && !parts.includes(text)) parts.push(text);
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return parts.length === 0 ? 'unknown error' : parts.join(': ');
}

function textOf(err: unknown): string {
  if (typeof err !== 'object') return String(err);
  const { message, code } = err as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : '';
}
