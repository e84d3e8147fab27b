import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RevocationChecker, RevocationError, TrustedCertificate, httpRevocationFetch, type RevocationFetch } from '../../../src/cert/index.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure } from './helpers/fixtures.js';
import { startCaServer, type CaServer, type Handler } from './helpers/ca-server.js';

// Real sockets, CA servers misbehaving the ways servers in the world do: every
// case must end in an answer or a typed RevocationError, within a bounded
// time and memory.


let ca: CaServer;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;

beforeAll(async () => {
  ca = await startCaServer();
  pki = await createTestPki({ authorities: ['moica'], crlBaseUrl: `${ca.base}/crl`, ocspUrl: `${ca.base}/ocsp` });
  const holder = await pki.issueCardHolder({ authority: 'moica' });
  cert = TrustedCertificate.from(holder.sign.certificate);
  issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
});

afterAll(() => ca.close());

beforeEach(() => ca.reset());

/** Serves a current, signed CRL of the MOICA test CA listing nobody at `/crl/moica.crl`. */
function serveGoodCrl(): void {
  const der = buildCrl({ issuer: pki.issuer('moica'), entries: [] });
  ca.routes.set('/crl/moica.crl', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': der.length }).end(der);
  });
}

/**
 * A RevocationFetch an integrator writes to go through their own HTTP stack
 * (a proxy, a service mesh): plain node:http, whose errors are plain `Error`s.
 */
const ownHttpFetch: RevocationFetch = (url, request) =>
  new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: request.method, headers: request.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body === undefined ? undefined : Buffer.from(request.body));
  });

describe('an injected fetch that fails with its own errors', () => {
  it('falls back from a responder that resets the connection to the CRL (OCSP first)', async () => {
    ca.routes.set('/ocsp', (req) => req.socket.destroy());
    serveGoodCrl();
    const status = await new RevocationChecker({ fetch: ownHttpFetch }).check(cert, issuer);
    expect(status).toMatchObject({ kind: 'good', source: 'crl' });
  });

  it('fails closed with a typed FETCH_FAILED naming the cause when it is the only source', async () => {
    ca.routes.set('/ocsp', (req) => req.socket.destroy());
    const err = await failure(new RevocationChecker({ fetch: ownHttpFetch, mode: 'ocsp' }).check(cert, issuer));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
    expect(err.url).toBe(`${ca.base}/ocsp`);
  });

  it('refuses an answer that is not an HTTP response with bytes (FETCH_FAILED), then uses the CRL', async () => {
    serveGoodCrl();
    const sloppy: RevocationFetch = async (url, request) => {
      const res = await ownHttpFetch(url, request);
      // e.g. an ArrayBuffer where the type asks for a Uint8Array, or nothing at all.
      return (request.method === 'POST' ? undefined : res) as unknown as Awaited<ReturnType<RevocationFetch>>;
    };
    const err = await failure(new RevocationChecker({ fetch: sloppy, mode: 'ocsp' }).check(cert, issuer));
    expect(err.code).toBe('FETCH_FAILED');
    expect((await new RevocationChecker({ fetch: sloppy }).check(cert, issuer)).source).toBe('crl');
  });

  it('keeps the failure of a CRL download typed when later checks answer it from memory', async () => {
    ca.routes.set('/crl/moica.crl', (req) => req.socket.destroy());
    const checker = new RevocationChecker({ fetch: ownHttpFetch, mode: 'crl' });
    expect((await failure(checker.check(cert, issuer))).code).toBe('FETCH_FAILED');
    // Remembered for the retry delay, and still a RevocationError.
    expect((await failure(checker.check(cert, issuer))).code).toBe('FETCH_FAILED');
  });
});

describe('an injected fetch without a timeout of its own', () => {
  /** `p`'s outcome, or 'still waiting' after `ms` (so a hang fails the test instead of timing it out). */
  const within = <T>(p: Promise<T>, ms: number): Promise<T | 'still waiting'> =>
    Promise.race([p, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms))]);

  it('is given up at the deadline against a CA server that accepts and never answers, and the next check asks again', async () => {
    // node:http has no timeout by default: this fetch waits as long as the server keeps the socket open.
    ca.routes.set('/crl/moica.crl', (req) => req.resume());
    ca.routes.set('/ocsp', (req) => req.resume());
    const checker = new RevocationChecker({ fetch: ownHttpFetch, fetchDeadlineMs: 400 });
    const outcome = await within(failure(checker.check(cert, issuer)), 5_000);
    expect(outcome).toMatchObject({ code: 'FETCH_FAILED', message: expect.stringMatching(/400 ms/) });
    // The download shared by concurrent checks was given up too: once the CA answers again, OCSP is
    // remembered as down for a minute, and the CRL is fetched anew once its retry delay has passed.
    serveGoodCrl();
    checker.crls.clear();
    expect(await within(checker.check(cert, issuer), 5_000)).toMatchObject({ kind: 'good', source: 'crl' });
  });

  it('tells the injected fetch through request.signal when it gives up, so the connection is closed', async () => {
    const closed: string[] = [];
    const hang: Handler = (req) => {
      req.resume();
      req.socket.on('close', () => closed.push(req.url ?? ''));
    };
    ca.routes.set('/crl/moica.crl', hang);
    ca.routes.set('/ocsp', hang);
    const signals: AbortSignal[] = [];
    // A fetch that hands the signal to its HTTP client, as the type's documentation asks.
    const listening: RevocationFetch = (url, request) =>
      new Promise((resolve, reject) => {
        if (request.signal !== undefined) signals.push(request.signal);
        const req = httpRequest(url, { method: request.method, headers: request.headers, signal: request.signal }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)) }));
        });
        req.on('error', reject);
        req.end(request.body === undefined ? undefined : Buffer.from(request.body));
      });
    const outcome = await within(failure(new RevocationChecker({ fetch: listening, fetchDeadlineMs: 300 }).check(cert, issuer)), 5_000);
    expect(outcome).toMatchObject({ code: 'FETCH_FAILED' });
    // OCSP, then the CRL: each request was told, with the deadline's TimeoutError, and its socket closed.
    expect(signals).toHaveLength(2);
    for (const signal of signals) expect(signal).toMatchObject({ aborted: true, reason: { name: 'TimeoutError' } });
    await vi.waitFor(() => expect(closed.sort()).toEqual(['/crl/moica.crl', '/ocsp']));
    // A request answered in time is not aborted afterwards.
    serveGoodCrl();
    signals.length = 0;
    const checker = new RevocationChecker({ mode: 'crl', fetch: listening, fetchDeadlineMs: 300 });
    expect(await checker.check(cert, issuer)).toMatchObject({ kind: 'good', source: 'crl' });
    await new Promise((r) => setTimeout(r, 400));
    expect(signals.map((x) => x.aborted)).toEqual([false]);
  });

  it('the library\'s own fetch stops when the request\'s signal is aborted (a wrapping fetch passes it on)', async () => {
    ca.routes.set('/crl/moica.crl', (req) => req.resume());
    const fetch = httpRevocationFetch({ timeoutMs: 10_000 });
    const stop = new AbortController();
    const answer = fetch(`${ca.base}/crl/moica.crl`, { method: 'GET', headers: {}, kind: 'crl', signal: stop.signal });
    setTimeout(() => stop.abort(new DOMException('given up', 'TimeoutError')), 100);
    const outcome = await within(answer.then(() => 'answered', (e: unknown) => e), 5_000);
    expect(outcome).toBeInstanceOf(RevocationError);
    expect(outcome).toMatchObject({ code: 'FETCH_FAILED' });
  });

  it('by default gives an OCSP request 30 s and a CRL download 2 minutes', async () => {
    const never: RevocationFetch = () => new Promise(() => undefined);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      for (const [mode, deadline] of [['ocsp', 30_000], ['crl', 120_000]] as const) {
        let outcome: unknown;
        void failure(new RevocationChecker({ mode, fetch: never }).check(cert, issuer)).then((e) => (outcome = e));
        await vi.advanceTimersByTimeAsync(deadline - 1);
        expect(outcome, mode).toBeUndefined();
        await vi.advanceTimersByTimeAsync(2);
        expect(outcome, mode).toMatchObject({ code: 'FETCH_FAILED', message: expect.stringContaining(`${deadline} ms`) });
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves the library\'s own fetch to its own timeout (a longer one is not cut short)', async () => {
    const der = buildCrl({ issuer: pki.issuer('moica'), entries: [] });
    ca.routes.set('/crl/moica.crl', (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-length': der.length }).end(der), 600);
    });
    const checker = new RevocationChecker({ mode: 'crl', fetch: httpRevocationFetch({ timeoutMs: 5_000 }), fetchDeadlineMs: 200 });
    expect(await checker.check(cert, issuer)).toMatchObject({ kind: 'good', source: 'crl' });
  });
});

describe('the size of an OCSP answer', () => {
  it('stops reading a responder that streams megabytes long before the CRL limit', async () => {
    const total = 48 * 1024 * 1024;
    let written = 0;
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    ca.routes.set('/ocsp', (req, res) => {
      req.resume();
      // No Content-Length: the body is chunked and its size unknown until read.
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      const chunk = Buffer.alloc(64 * 1024, 0x30);
      const pump = (): void => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => closed());
      pump();
    });
    const err = await failure(new RevocationChecker({ mode: 'ocsp', fetch: httpRevocationFetch() }).check(cert, issuer));
    await done;
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/exceeds/);
    // An OCSP response is a few kilobytes; loopback socket buffers let a few megabytes more through.
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a declared Content-Length over the OCSP limit without reading the body', async () => {
    ca.routes.set('/ocsp', (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': 10 * 1024 * 1024 });
      res.write(Buffer.alloc(1024));
    });
    const err = await failure(new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/exceeds/);
  });

  it('still reads a CRL larger than the OCSP limit', async () => {
    const entries = Array.from({ length: 60_000 }, (_, i) => ({ serialHex: (0x100000 + i).toString(16), revokedAt: new Date('2026-01-01T00:00:00Z') }));
    const der = buildCrl({ issuer: pki.issuer('moica'), entries });
    expect(der.length).toBeGreaterThan(1024 * 1024);
    ca.routes.set('/crl/moica.crl', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(der);
    });
    expect(await new RevocationChecker({ mode: 'crl' }).check(cert, issuer)).toMatchObject({ kind: 'good', source: 'crl' });
  });
});

describe('why a download failed', () => {
  it('names the redirect loop, not only "fetch failed"', async () => {
    ca.routes.set('/crl/moica.crl', (_req, res) => res.writeHead(302, { location: '/crl/moica.crl' }).end());
    const err = await failure(new RevocationChecker({ mode: 'crl' }).check(cert, issuer));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/redirect/i);
  });

  it('names a redirect to a file: URL as refused', async () => {
    ca.routes.set('/crl/moica.crl', (_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end());
    const err = await failure(new RevocationChecker({ mode: 'crl' }).check(cert, issuer));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/scheme|redirect/i);
  });

  it('names a refused connection', async () => {
    // A port nothing listens on: bind, read the port, close.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await failure(httpRevocationFetch()(`http://127.0.0.1:${port}/crl`, { method: 'GET', headers: {} }));
    expect(err).toBeInstanceOf(RevocationError);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

describe('what CA web servers commonly do (held before this change)', () => {
  it('follows a permanent redirect to the CRL moved elsewhere, and reads a gzip-encoded CRL', async () => {
    const der = buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt: new Date(Date.now() - 60_000) }] });
    ca.routes.set('/crl/moica.crl', (_req, res) => res.writeHead(301, { location: '/repository/CRL2/complete.crl' }).end());
    ca.routes.set('/repository/CRL2/complete.crl', (_req, res) => {
      const gz = gzipSync(der);
      // No Content-Type at all, as some repositories serve .crl files.
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gz.length }).end(gz);
    });
    expect(await new RevocationChecker({ mode: 'crl' }).check(cert, issuer)).toMatchObject({ kind: 'revoked', source: 'crl' });
  });

  it('reads a deflate-encoded CRL whether the server wraps it in zlib (RFC 9110) or sends raw deflate (older IIS)', async () => {
    const der = buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt: new Date(Date.now() - 60_000) }] });
    for (const body of [deflateSync(der), deflateRawSync(der)]) {
      ca.routes.set('/crl/moica.crl', (_req, res) => res.writeHead(200, { 'content-encoding': 'deflate', 'content-length': body.length }).end(body));
      const answer = await httpRevocationFetch()(`${ca.base}/crl/moica.crl`, { method: 'GET', headers: {}, kind: 'crl' });
      expect(answer.status).toBe(200);
      expect(Buffer.from(answer.body).equals(Buffer.from(der))).toBe(true);
    }
  });

  it('sends a User-Agent (some firewalls and CDNs refuse a request without one)', async () => {
    const der = buildCrl({ issuer: pki.issuer('moica'), entries: [] });
    ca.routes.set('/crl/moica.crl', (req, res) => {
      if (req.headers['user-agent'] === undefined) res.writeHead(403).end('no user agent');
      else res.writeHead(200, { 'content-length': der.length }).end(der);
    });
    const answer = await httpRevocationFetch()(`${ca.base}/crl/moica.crl`, { method: 'GET', headers: {}, kind: 'crl' });
    expect(answer.status).toBe(200);
  });

  it('maps an HTML maintenance page (200), an empty 200, a 204 and a 503 with Retry-After to typed errors', async () => {
    const cases: [Handler, string][] = [
      [(_q, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>系統維護中</html>'), 'OCSP_MALFORMED'],
      [(_q, res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(), 'OCSP_MALFORMED'],
      [(_q, res) => res.writeHead(204).end(), 'FETCH_FAILED'],
      [(_q, res) => res.writeHead(503, { 'retry-after': '120' }).end('busy'), 'FETCH_FAILED'],
    ];
    for (const [handler, code] of cases) {
      ca.routes.set('/ocsp', (req, res) => {
        req.resume();
        handler(req, res);
      });
      expect((await failure(new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer))).code).toBe(code);
    }
  });

  it('refuses a CRL body cut short by a Content-Length that lies', async () => {
    const der = buildCrl({ issuer: pki.issuer('moica'), entries: [] });
    ca.routes.set('/crl/moica.crl', (_req, res) => {
      res.writeHead(200, { 'content-length': der.length + 100 });
      res.write(der);
      setTimeout(() => res.destroy(), 20);
    });
    const err = await failure(new RevocationChecker({ mode: 'crl' }).check(cert, issuer));
    expect(err.code).toBe('FETCH_FAILED');
  });
});
