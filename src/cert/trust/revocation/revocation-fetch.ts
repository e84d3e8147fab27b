import { RevocationError } from '../errors.js';

/** The request a revocation source makes. */
export interface RevocationRequest {
  /** `GET` for CRLs, `POST` for OCSP. */
  method: 'GET' | 'POST';
  /** Request headers. */
  headers: Record<string, string>;
  /** Body (the DER OCSP request) for `POST`. */
  body?: Uint8Array;
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
 * proxy, to add caching, or to point at a local responder in tests.
 */
export type RevocationFetch = (url: string, request: RevocationRequest) => Promise<RevocationResponse>;

/** Limits of {@link httpRevocationFetch}. */
export interface HttpRevocationFetchOptions {
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Largest body accepted; default 64 MiB (MOICA G2's complete CRL is about 20 MB). */
  maxBytes?: number;
  /**
   * Called as the body arrives (a CRL download can take a while): bytes received so
   * far and the declared length, when the server sent one. Called once with 0 first.
   */
  onProgress?: (received: number, total: number | undefined, url: string) => void;
}

/** Reads `res`'s body chunk by chunk, refusing it as soon as it passes `maxBytes`. */
async function readBody(res: Response, maxBytes: number, progress: (received: number) => void): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  progress(0);
  if (res.body !== null) {
    for await (const chunk of res.body) {
      received += chunk.length;
      if (received > maxBytes) throw new Error(`body exceeds ${maxBytes} bytes`);
      chunks.push(chunk);
      progress(received);
    }
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
 * A {@link RevocationFetch} over the global `fetch`. Only `http:` and
 * `https:` URLs are followed (CRL/OCSP URLs come from certificates, which an
 * attacker may have chosen if the chain was not validated first).
 */
export function httpRevocationFetch(options: HttpRevocationFetchOptions = {}): RevocationFetch {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  return async (url, request) => {
    const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      throw new RevocationError('FETCH_FAILED', `refusing to fetch a non-HTTP URL: ${url}`, { url });
    }
    try {
      const init: RequestInit = { method: request.method, headers: request.headers, signal: AbortSignal.timeout(timeoutMs) };
      if (request.body !== undefined) init.body = request.body;
      const res = await fetch(url, init);
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > maxBytes) throw new Error(`body of ${declared} bytes exceeds ${maxBytes}`);
      const total = declared > 0 ? declared : undefined;
      const body = await readBody(res, maxBytes, (received) => options.onProgress?.(received, total, url));
      return { status: res.status, body };
    } catch (err) {
      throw new RevocationError('FETCH_FAILED', `fetching ${url} failed: ${(err as Error).message}`, { url, cause: err });
    }
  };
}
