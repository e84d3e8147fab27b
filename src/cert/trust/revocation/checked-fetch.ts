import { RevocationError } from '../errors.js';
import { failureReason } from './failure-reason.js';
import { isSelfTimed, type RevocationFetch, type RevocationRequest, type RevocationResponse } from './revocation-fetch.js';

/**
 * How long an injected fetch may take before the check gives it up, by what
 * is asked: an OCSP answer a login waits for, or a CRL of up to tens of
 * megabytes; the library's own fetch keeps its own timeouts instead (see
 * `isSelfTimed`).
 */
const DEFAULT_FETCH_DEADLINE_MS = { ocsp: 30_000, crl: 120_000 } as const;

/**
 * Calls a {@link RevocationFetch} the way the OCSP client and the CRL cache
 * need it, whoever wrote the fetch (the application may inject its own: a
 * proxy, a service mesh):
 *
 * - whatever it throws becomes `FETCH_FAILED`. Its own errors are plain
 *   `Error`s or `TypeError`s, and the checker tries its next source only on
 *   a `RevocationError` (a login maps only those to
 *   `REVOCATION_CHECK_FAILED`): an untyped error skipped the CRL and reached
 *   the caller as an unexplained crash;
 * - an answer without a numeric status and a byte body is `FETCH_FAILED`;
 * - a fetch other than the library's own is given up after `deadlineMs`.
 *   One without a timeout (node:http has none by default) facing a server
 *   that accepts and never answers never settled; since concurrent checks
 *   share one download per URL, every later login of that URL waited on it
 *   too, for as long as the process lived. It is told so through
 *   `request.signal`, so that it can release the connection.
 */
export async function checkedFetch(
  fetch: RevocationFetch,
  url: string,
  request: RevocationRequest,
  deadlineMs: number = DEFAULT_FETCH_DEADLINE_MS[request.kind ?? 'ocsp'],
): Promise<RevocationResponse> {
  let res: RevocationResponse;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (isSelfTimed(fetch)) res = await fetch(url, request);
    else {
      const giveUp = new AbortController();
      const answer = fetch(url, { ...request, signal: giveUp.signal });
      // Promise.race listens to `answer` too: its rejection after the deadline is handled, not unhandled.
      const expired = new Promise<never>((_, reject) => {
        const late = (): void => {
          const reason = new DOMException(`no answer within ${deadlineMs} ms`, 'TimeoutError');
          // Rejected before the fetch is told: one that rejects at once on abort must not win the race with its own words.
          reject(new RevocationError('FETCH_FAILED', `fetching ${url} did not finish within ${deadlineMs} ms`, { url, cause: reason }));
          giveUp.abort(reason);
        };
        timer = setTimeout(late, deadlineMs);
      });
      res = await Promise.race([answer, expired]);
    }
  } catch (err) {
    if (err instanceof RevocationError) throw err;
    throw new RevocationError('FETCH_FAILED', `fetching ${url} failed: ${failureReason(err)}`, { url, cause: err });
  } finally {
    clearTimeout(timer);
  }
  const { status, body } = (res ?? {}) as Partial<RevocationResponse>;
  if (typeof status !== 'number' || !(body instanceof Uint8Array)) {
    throw new RevocationError('FETCH_FAILED', `fetching ${url} returned no HTTP status and byte body`, { url });
  }
  return { status, body };
}
