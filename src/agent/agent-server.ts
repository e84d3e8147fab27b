import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CardSlots } from './card-slots.js';
import { RetCode } from './codes.js';
import { makeSignature } from './make-signature.js';
import { addDomainPage, popupFormPage } from './pages.js';
import { AGENT_SERVER_VERSION, pkcs11Info } from './pkcs11-info.js';
import { jsonAsBmp } from './p11-image.js';
import { SignRequestError, parseSignRequest } from './sign-request.js';
import { TrustedOrigins } from './trusted-origins.js';

/** The port of the official local component; pages call exactly this. */
export const AGENT_DEFAULT_PORT = 61161;

/** Options of {@link startAgent}. */
export interface AgentOptions {
  /** Where cards come from. */
  slots: CardSlots;
  /** Trusted origins or host names (e.g. `https://gpkiapi.nat.gov.tw`). */
  trusted?: Iterable<string>;
  /** Port on 127.0.0.1 (default 61161; 0 picks a free one). */
  port?: number;
  /**
   * Decides a page's `/addDomain` request. Default: refuse, so that only the
   * operator (configuration) adds trusted domains.
   */
  confirmDomain?: (domain: string) => Promise<boolean>;
  /** Allow SHA-1 signatures (legacy pages). Default false. */
  allowSha1?: boolean;
  /** Clock (tests). */
  now?: () => Date;
}

/** A running agent. */
export interface AgentServer {
  /** `http://localhost:<port>`, the origin pages expect. */
  readonly url: string;
  /** The port actually bound on 127.0.0.1 (the chosen one when `port: 0` was asked). */
  readonly port: number;
  /** The live trusted-origin list; entries added here (or via `/addDomain`) apply at once. */
  readonly trusted: TrustedOrigins;
  /** Stops listening and drops open connections; the card slots are left open. */
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const AGENT_ORIGIN_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

class HttpFailure extends Error {
  public constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpFailure(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve(body.toString('utf8'));
      // The body may hold a PIN.
      body.fill(0);
      for (const c of chunks) c.fill(0);
    });
    req.on('error', reject);
  });
}

/**
 * Starts a local agent answering the official component's HTTP API on
 * 127.0.0.1 only: `/pkcs11info[?withcert=true]`, `/sign`, `/popupForm`,
 * `/ChtPopupForm`, `/addDomain`, `/p11Image.bmp` and `/`.
 *
 * Security: requests must name the agent itself in `Host` (defeats DNS
 * rebinding); browser requests from origins outside the trusted list get
 * `ret_code 0x76000031`; CORS headers are sent only to trusted origins; the
 * PIN is taken per request and zeroed after use.
 */
export async function startAgent(options: AgentOptions): Promise<AgentServer> {
  const trusted = new TrustedOrigins(options.trusted ?? []);
  const now = options.now ?? (() => new Date());
  let port = options.port ?? AGENT_DEFAULT_PORT;
  const selfOrigin = (): string => `http://localhost:${port}`;

  /** The page on whose behalf the request is made, or undefined for non-browser clients. */
  function callerOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (origin === undefined || origin === 'null') return origin === 'null' ? 'null' : undefined;
    if (origin === selfOrigin()) {
      // Our own popup relays the opener's origin (event.origin, vouched for by the browser).
      const relayed = req.headers['x-twpki-caller-origin'];
      return typeof relayed === 'string' ? relayed : origin;
    }
    return origin;
  }

  function allowed(caller: string | undefined): boolean {
    return caller === undefined || caller === selfOrigin() || trusted.isTrusted(caller);
  }

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer, corsOrigin?: string): void {
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'no-store');
    if (corsOrigin) {
      res.setHeader('Access-Control-Allow-Origin', corsOrigin);
      res.setHeader('Vary', 'Origin');
    }
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase();
    const hostName = host.replace(/:\d+$/, '');
    if (!AGENT_ORIGIN_HOSTS.has(hostName)) throw new HttpFailure(421, 'this agent only answers requests addressed to localhost');
    const url = new URL(req.url ?? '/', selfOrigin());
    const path = url.pathname;
    const caller = callerOrigin(req);
    const cors = req.headers.origin && allowed(caller) ? req.headers.origin : undefined;

    if (req.method === 'OPTIONS') {
      if (cors) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
        res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      }
      send(res, 204, 'text/plain', '', cors);
      return;
    }
    if (path === '/' && req.method === 'GET') {
      send(res, 200, 'text/plain; charset=utf-8', `twpki local agent version:${AGENT_SERVER_VERSION}\n`, cors);
      return;
    }
    if (path === '/popupForm' || path === '/ChtPopupForm') {
      send(res, 200, 'text/html; charset=utf-8', popupFormPage());
      return;
    }
    if (path === '/addDomain') {
      const domain = url.searchParams.get('domain') ?? '';
      let ok = false;
      let message = 'domain refused';
      try {
        if (domain && (await (options.confirmDomain ?? (() => Promise.resolve(false)))(domain))) {
          message = `trusted: ${trusted.add(domain)}`;
          ok = true;
        }
      } catch {
        message = 'not a valid domain';
      }
      send(res, 200, 'text/html; charset=utf-8', addDomainPage(ok ? 0 : RetCode.UNTRUSTED_DOMAIN, message));
      return;
    }
    const isInfo = path === '/pkcs11info' || path === '/p11Image.bmp';
    if (!isInfo && path !== '/sign') throw new HttpFailure(404, 'not found');
    if (!allowed(caller)) {
      const func = path === '/sign' ? 'sign' : 'pkcs11info';
      if (path === '/sign') await readBody(req);
      send(res, 200, 'application/json', JSON.stringify({ func, ret_code: RetCode.UNTRUSTED_DOMAIN, last_error: 0, message: 'site not trusted' }), req.headers.origin);
      return;
    }
    if (isInfo) {
      if (req.method !== 'GET' && req.method !== 'POST') throw new HttpFailure(405, 'method not allowed');
      if (req.method === 'POST') await readBody(req);
      const info = await pkcs11Info(options.slots, url.searchParams.get('withcert') === 'true');
      if (path === '/p11Image.bmp') send(res, 200, 'image/bmp', jsonAsBmp(JSON.stringify(info)), cors);
      else send(res, 200, 'application/json', JSON.stringify(info), cors);
      return;
    }
    if (req.method !== 'POST') throw new HttpFailure(405, 'use POST');
    const body = await readBody(req);
    let request;
    try {
      request = parseSignRequest(body, req.headers['content-type'] ?? '');
    } catch (error) {
      const message = error instanceof SignRequestError ? error.message : 'bad request';
      send(res, 200, 'application/json', JSON.stringify({ func: 'sign', ret_code: RetCode.EXECUTION_ERROR, last_error: 0, message }), cors);
      return;
    }
    const answer = await makeSignature(options.slots, request, { now, version: AGENT_SERVER_VERSION, allowSha1: options.allowSha1 === true });
    send(res, 200, 'application/json', JSON.stringify(answer), cors);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpFailure ? error.status : 500;
      const message = error instanceof HttpFailure ? error.message : 'internal error';
      if (!res.headersSent) send(res, status, 'text/plain; charset=utf-8', `${message}\n`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: selfOrigin(),
    port,
    trusted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
