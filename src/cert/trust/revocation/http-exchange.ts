import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Transform, addAbortSignal, pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';

/**
 * One HTTP request and its answer, over `node:http`/`node:https` rather than
 * the global `fetch`, for one reason: the address a connection goes to can
 * be checked when the connection is made. The global `fetch` resolves a host
 * name itself, so a name checked before the request could be resolved again
 * to another address when it connects (DNS rebinding); here the `lookup` a
 * request is given is the one its connection uses.
 */

/** What a request sends. */
export interface ExchangeRequest {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Ends the request, and the body's reading, when it aborts. */
  readonly signal: AbortSignal;
  /** Resolves the host name for the connection; unset, the system resolver (`dns.lookup`). */
  readonly lookup?: LookupFunction;
  /** A connection of its own rather than a kept-alive one (which may have been made with another resolver). */
  readonly fresh?: boolean;
}

/** An answer whose headers have arrived; the body is read (or dropped) by the caller. */
export interface ExchangeResponse {
  readonly status: number;
  /** A response header, the first value when repeated; `undefined` when absent. */
  header(name: string): string | undefined;
  /** The body as it arrives; errors with the request's abort reason under it when the signal aborts. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Drops the body unread and frees the connection. */
  discard(): void;
}

/** Sends `request` to `url` and resolves when the answer's headers arrive. */
export function exchange(url: URL, request: ExchangeRequest): Promise<ExchangeResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<ExchangeResponse>((resolve, reject) => {
    // What the global fetch sent: compressed answers (a CRL is large, and some servers compress it, or send a
    // .crl.gz, anyway), and a User-Agent (some firewalls and CDNs refuse a request without one).
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'twpki', ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(request.body.length);
    const req = send(url, {
      method: request.method,
      headers,
      signal: request.signal,
      ...(request.lookup === undefined ? {} : { lookup: request.lookup }),
      ...(request.fresh === true ? { agent: false } : {}),
    });
    req.once('error', reject);
    req.once('response', (res: IncomingMessage) => {
      // The request's signal ends the request; the body, once it flows, needs it too.
      addAbortSignal(request.signal, res);
      resolve({
        status: res.statusCode ?? 0,
        header: (name) => {
          const value = res.headers[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        },
        body: decoded(res),
        discard: () => {
          res.destroy();
        },
      });
    });
    req.end(request.body === undefined ? undefined : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.length));
  });
}

/**
 * The body as sent before its `Content-Encoding` (gzip, deflate, br, in the
 * order listed); an encoding it does not know leaves the bytes as they came,
 * as the global `fetch` did. A size limit counts the decoded bytes, so a
 * small compressed body cannot grow past it unseen. An error of the answer
 * (its signal aborting, a cut connection) ends the decoded stream with it.
 */
function decoded(res: IncomingMessage): Readable {
  const encoding = res.headers['content-encoding'];
  if (encoding === undefined) return res;
  const decoders: Transform[] = [];
  for (const coding of encoding.toLowerCase().split(',').map((c) => c.trim()).reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(createGunzip());
    else if (coding === 'deflate') decoders.push(inflateEitherWay());
    else if (coding === 'br') decoders.push(createBrotliDecompress());
    else if (coding !== 'identity' && coding !== '') return res;
  }
  const last = decoders[decoders.length - 1];
  if (last === undefined) return res;
  pipeline([res, ...decoders], () => undefined);
  return last;
}

/**
 * HTTP's `deflate`: zlib-wrapped data as RFC 9110 says, or raw deflate data as some servers (older IIS) send it,
 * told apart by the first two bytes as browsers and the global `fetch` do (a zlib header is `x8 yy` with the two
 * a multiple of 31).
 */
function inflateEitherWay(): Transform {
  let inner: Transform | undefined;
  let pending = Buffer.alloc(0);
  const start = (outer: Transform): Transform => {
    const wrapped = pending.length >= 2 && (pending[0]! & 0x0f) === 8 && ((pending[0]! << 8) | pending[1]!) % 31 === 0;
    const decoder = wrapped ? createInflate() : createInflateRaw();
    decoder.on('data', (chunk: Buffer) => outer.push(chunk));
    decoder.on('error', (err) => outer.destroy(err));
    decoder.write(pending);
    return decoder;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (inner !== undefined) return inner.write(chunk, () => done());
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 2) return done();
      inner = start(this);
      done();
    },
    flush(done) {
      inner ??= start(this);
      inner.once('end', () => done());
      inner.end();
    },
    // A body dropped (too large, a redirect) or cut off ends the decoder under it too.
    destroy(err, done) {
      inner?.destroy();
      done(err);
    },
  });
}

/**
 * A resolver for `net.connect` that answers like `dns.lookup` but fails when
 * the name resolves to an address `refused` names (given all of the name's
 * addresses, it returns the one to refuse). `resolve` is the resolver it
 * asks (the system's by default; tests give their own).
 */
export function checkedLookup(refused: (addresses: readonly string[]) => string | undefined, resolve: HostResolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options.hints).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        const inward = refused(addresses.map((a) => a.address));
        if (inward !== undefined) {
          callback(Object.assign(new Error(`${hostname} resolves inward to ${inward}, refused`), { code: 'EINWARD' }), '', 0);
        } else if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (options.all === true) {
          (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, [...wanted]);
        } else {
          const first = wanted[0] as LookupAddress;
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

/** Every address of a host name; `hints` as `dns.lookup` takes them (`net` asks with `ADDRCONFIG`). */
export type HostResolver = (hostname: string, hints?: number) => Promise<readonly LookupAddress[]>;

/** The system's resolver (`dns.lookup`, so `/etc/hosts` too), as a connection would ask it. */
export const systemResolver: HostResolver = (hostname, hints) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true, ...(hints === undefined ? {} : { hints }) }, (err, addresses) => (err === null ? resolve(addresses) : reject(err)));
  });
