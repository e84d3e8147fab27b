import type { LookupFunction } from 'node:net';
import { RevocationError } from '../errors.js';
import { checkCount, checkDuration } from '../../../shared/number-settings.js';
import { failureReason } from './failure-reason.js';
import { checkedLookup, exchange, systemResolver, type ExchangeResponse, type HostResolver } from './http-exchange.js';
import { MAX_REDIRECTS, hopLookup, isInward, isRedirect, nextHop } from './redirect-policy.js';

/** The request a revocation source makes. */
export interface RevocationRequest {
  /** `GET` for CRLs, `POST` for OCSP. */
  method: 'GET' | 'POST';
  /** Request headers. */
  headers: Record<string, string>;
  /** Body (the DER OCSP request) for `POST`. */
  body?: Uint8Array;
  /**
   * The largest answer this request can need: an OCSP response is a few
   * kilobytes, a CRL up to tens of megabytes. {@link httpRevocationFetch}
   * refuses a larger body (the lower of this and its own `maxBytes`);
   * unset, only the fetch's own limit applies.
   */
  maxBytes?: number;
  /**
   * What is asked for: an OCSP answer (kilobytes, a login waits for it) or a
   * CRL (up to tens of megabytes, downloaded once for many logins), so that
   * a fetch can give the two different time limits. Unset: treated as OCSP.
   */
  kind?: 'ocsp' | 'crl';
  /**
   * Set for an injected fetch: aborted (with a `TimeoutError` reason) when
   * the check gives the request up after `fetchDeadlineMs`. Pass it on to
   * the HTTP client so that the connection is released rather than left
   * open for a server that never answers.
   */
  signal?: AbortSignal;
}

/** The part of an HTTP response revocation checks need. */
export interface RevocationResponse {
  /** HTTP status. */
  status: number;
  /** Raw body. */
  body: Uint8Array;
}

/**
 * How revocation sources reach the network. Inject one to route through a
 * proxy, to add caching, or to point at a local responder in tests. An
 * injected fetch should bound its own time and honour `request.maxBytes`;
 * whatever it throws reads as `FETCH_FAILED`, and one that has not settled
 * after `fetchDeadlineMs` (`RevocationCheckerOptions`; default 30 s for
 * OCSP, 2 minutes for a CRL) is given up. It should answer an HTTP error
 * status with that status, not throw: a throw reads as no answer at all.
 */
export type RevocationFetch = (url: string, request: RevocationRequest) => Promise<RevocationResponse>;

/** Default {@link HttpRevocationFetchOptions.crlTimeoutMs}. */
const DEFAULT_CRL_TIMEOUT_MS = 120_000;

/** Limits of {@link httpRevocationFetch}. */
export interface HttpRevocationFetchOptions {
  /** Timeout of an OCSP request (and of any request not marked `kind: 'crl'`), body included; default 10 s. */
  timeoutMs?: number;
  /**
   * Timeout of a whole CRL download; default 2 minutes. The server must
   * still start answering (send its headers) within `timeoutMs`, so one
   * that never answers costs no more than an OCSP responder does. MOICA's
   * complete CRL is about 20 MB: within `timeoutMs` alone it needs 2 MB/s,
   * and over a slower link the download never finished, so no CRL was ever
   * cached and every login failed closed.
   */
  crlTimeoutMs?: number;
  /** Largest body accepted; default 64 MiB (MOICA G2's complete CRL is about 20 MB). */
  maxBytes?: number;
  /**
   * Called as the body arrives (a CRL download can take a while): bytes received so
   * far and the declared length, when the server sent one. Called once with 0 first.
   */
  onProgress?: (received: number, total: number | undefined, url: string) => void;
}

/** Reads `res`'s body chunk by chunk, refusing it as soon as it passes `maxBytes`. */
async function readBody(res: ExchangeResponse, maxBytes: number, progress: (received: number) => void): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  progress(0);
  for await (const chunk of res.body) {
    received += chunk.length;
    if (received > maxBytes) {
      res.discard();
      throw new Error(`body exceeds ${maxBytes} bytes`);
    }
    chunks.push(chunk);
    progress(received);
  }
  const body = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return body;
}

/**
 * A {@link RevocationFetch} over `node:http` and `node:https`. Only `http:` and
 * `https:` URLs are followed (CRL/OCSP URLs come from certificates, which an
 * attacker may have chosen if the chain was not validated first). Redirects
 * are followed up to five, each checked: never to another scheme, never from
 * a public host to a loopback, private or link-local address or `localhost`
 * (an answer over plain HTTP can be forged on the path, and would otherwise
 * aim the backend's GET inward, also through a host name that resolves
 * there when the connection is made), and an OCSP POST only by 307 or 308.
 * @throws RangeError when `timeoutMs` or `crlTimeoutMs` is not a positive number of milliseconds a timer
 * takes, or `maxBytes` is not a positive whole number.
 */
export function httpRevocationFetch(options: HttpRevocationFetchOptions = {}): RevocationFetch {
  return revocationFetchResolvingWith(options, systemResolver);
}

/**
 * {@link httpRevocationFetch}, resolving host names with `resolve` (internal:
 * tests give a resolver that answers as they need, on the same path the
 * system's resolver takes; the start is resolved with it, not checked).
 */
export function revocationFetchResolvingWith(options: HttpRevocationFetchOptions, resolve: HostResolver): RevocationFetch {
  const startLookup = checkedLookup(() => undefined, resolve);
  // NaN from an unset environment variable made every fetch fail at once (timers), or left bodies unbounded (size).
  checkDuration('timeoutMs', options.timeoutMs, true);
  checkDuration('crlTimeoutMs', options.crlTimeoutMs, true);
  if (options.maxBytes !== undefined) checkCount('maxBytes', options.maxBytes, 1);
  // Whole milliseconds: AbortSignal.timeout takes no fraction.
  const timeoutMs = Math.ceil(options.timeoutMs ?? 10_000);
  const crlTimeoutMs = Math.ceil(options.crlTimeoutMs ?? DEFAULT_CRL_TIMEOUT_MS);
  const fetchMax = options.maxBytes ?? 64 * 1024 * 1024;
  const revocationFetch: RevocationFetch = async (url, request) => {
    const maxBytes = Math.min(fetchMax, request.maxBytes ?? Infinity);
    const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      throw new RevocationError('FETCH_FAILED', `refusing to fetch a non-HTTP URL: ${url}`, { url });
    }
    // The answer must start within timeoutMs; a CRL's body then has until crlTimeoutMs.
    const noHeaders = new AbortController();
    const headersTimer = setTimeout(() => noHeaders.abort(new DOMException(`timeout: no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    try {
      const whole = AbortSignal.timeout(request.kind === 'crl' ? Math.max(crlTimeoutMs, timeoutMs) : timeoutMs);
      // Redirects are followed here, not by fetch, so that each is checked (see nextHop).
      // A caller's signal too: an application's fetch that wraps this one passes on the checker's.
      const signals = request.signal === undefined ? [whole, noHeaders.signal] : [whole, noHeaders.signal, request.signal];
      const signal = AbortSignal.any(signals);
      const start = new URL(url);
      const send = (at: URL, lookup: LookupFunction, fresh: boolean): Promise<ExchangeResponse> =>
        exchange(at, { method: request.method, headers: request.headers, signal, lookup, fresh, ...(request.body === undefined ? {} : { body: request.body }) });
      // The certificate's own URL resolves as the system does, unchecked, over a kept-alive connection.
      let at = start;
      let res = await send(at, startLookup, false);
      // Inward by its text (a test responder, a mirror given as an address): then its redirects may lead inward too.
      // A name that resolves inward (a mirror in /etc/hosts) does not count: see docs/decisions.md.
      const startInward = isInward(start);
      // A redirect's target resolves through the inward check, on a connection of its own (see hopLookup).
      const hopResolver = hopLookup(startInward, resolve);
      for (let hops = 0; isRedirect(res.status); hops++) {
        res.discard();
        if (hops === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
        at = nextHop(start, at, res.status, res.header('location') ?? null, request.method, startInward);
        // 303 (and 301/302 after a GET) fetch the new place with a GET, which a CRL download already is.
        res = await send(at, hopResolver, true);
      }
      clearTimeout(headersTimer);
      const declared = Number(res.header('content-length') ?? '0');
      if (declared > maxBytes) {
        res.discard();
        throw new Error(`body of ${declared} bytes exceeds ${maxBytes}`);
      }
      const total = declared > 0 ? declared : undefined;
      const body = await readBody(res, maxBytes, (received) => options.onProgress?.(received, total, url));
      return { status: res.status, body };
    } catch (err) {
      throw new RevocationError('FETCH_FAILED', `fetching ${url} failed: ${failureReason(err)}`, { url, cause: err });
    } finally {
      clearTimeout(headersTimer);
    }
  };
  SELF_TIMED.add(revocationFetch);
  return revocationFetch;
}

/** The fetches made by {@link httpRevocationFetch}: each ends within its own `timeoutMs`, whatever it is. */
const SELF_TIMED = new WeakSet<RevocationFetch>();

/** Whether `fetch` is one of {@link httpRevocationFetch}'s, which a deadline of the caller need not bound. */
export function isSelfTimed(fetch: RevocationFetch): boolean {
  return SELF_TIMED.has(fetch);
}
