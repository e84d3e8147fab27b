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
  for (const current of causeChain(err, DEPTH)) {
    const text = textOf(current);
    if (text !== '' && !parts.includes(text)) parts.push(text);
  }
  return parts.length === 0 ? 'unknown error' : parts.join(': ');
}

/** `err` and the causes under it, at most `depth` of them, until one is missing. */
function* causeChain(err: unknown, depth: number): Generator<unknown> {
  let current: unknown = err;
  for (let at = 0; at < depth && current !== undefined && current !== null; at++) {
    yield current;
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
}

function textOf(err: unknown): string {
  if (typeof err !== 'object') return String(err);
  const { message, code } = err as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : '';
}

/** Codes with which Node's network stack and undici report running out of time. */
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Whether `err`, or a cause under it, says a request ran out of time (a
 * `TimeoutError`, as `AbortSignal.timeout` and the revocation deadlines raise,
 * or a timeout code of the network stack), as against one refused or cut off
 * at once.
 */
export function timedOut(err: unknown): boolean {
  for (const current of causeChain(err, DEPTH + 1)) {
    if (typeof current !== 'object' || current === null) return false;
    const { name, code } = current as { name?: unknown; code?: unknown };
    if (name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code))) return true;
  }
  return false;
}
