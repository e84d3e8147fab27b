import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onSlotChange, type CardSlots } from './card-slots.js';
import { LastError, RetCode } from './codes.js';
import { makeSignature, signFailure } from './make-signature.js';
import { addDomain, type ConfirmDomain } from './add-domain.js';
import { addDomainPage, popupFormPage } from './pages.js';
import { AGENT_SERVER_VERSION, pkcs11InfoAndCards, pkcs11InfoAnswer, type Pkcs11Info } from './pkcs11-info.js';
import { jsonAsBmp } from './p11-image.js';
import { SignRequestError, parseSignRequest } from './sign-request.js';
import { ShownCards } from './shown-cards.js';
import { TrustedOrigins } from './trusted-origins.js';
import { certificateHash, WarmCardCache } from './warm-card-cache.js';
import { describeValue } from '../shared/describe-value.js';
import { checkOptionNames } from '../shared/option-names.js';

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
   * Decides a page's `/addDomain` request: `domain` as the page wrote it, and `request` with the entry the list would
   * hold and the page that asked. Asked only for an entry the list can hold, and only when the browser says the
   * request opened a window (a popup, as real pages do). Requests are not queued: a host with one place to ask
   * (a terminal) refuses or queues a second one itself. A throw refuses ("the confirmation failed"). Default:
   * refuse, so that only the operator (configuration) adds trusted domains.
   */
  confirmDomain?: ConfirmDomain;
  /** Allow SHA-1 signatures (legacy pages). Default false. */
  allowSha1?: boolean;
  /**
   * Keep the card layer's last-try guard: with one PIN try left, refuse the
   * PIN without sending it. Default false: a PIN typed into a page is the
   * user's own deliberate attempt (the page has warned "one try left"), and
   * the official component lets it through; refusing it would leave the user
   * unable to log in with the right PIN.
   */
  guardLastTry?: boolean;
  /**
   * Keep card data (card number, version, certificates) per reader while the
   * card stays in, so repeated `/pkcs11info` calls send no APDU. Default true.
   */
  warmCache?: boolean;
  /**
   * Refuse a `/sign` when the card in the reader is not the one the last `/pkcs11info` answer to the same origin
   * showed there (another card put in since: the PIN the user typed is the shown card's, and the card in the
   * reader would count it as a wrong try). Answered `0x76000006` 未插入IC卡 before any PIN is sent. Pages that
   * never called `/pkcs11info` are not checked. Default true.
   */
  refuseSwappedCard?: boolean;
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
// An oversized body is read and discarded up to here so the 413 reaches the page; beyond it the connection is cut.
const MAX_DISCARD = 256 << 20;
const AGENT_ORIGIN_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/**
 * How long a client has to send a whole request, headers and body. Pages on this machine send a few hundred bytes
 * at once; Node's defaults (60 s for the headers, 5 minutes for the rest) let a request that never finishes hold a
 * socket, and the handler waiting on its body, for minutes. Only receiving counts: a card operation that takes
 * longer once the request is in is not cut.
 */
const AGENT_REQUEST_TIMEOUT_MS = 10_000;
// How often Node looks for requests past that time (its default is 30 s, which would triple it).
const TIMEOUT_CHECK_MS = 1_000;

/** The card paths whose refusal of an untrusted page carries CORS headers for it (see the OPTIONS answer). */
const REFUSED_READABLY = new Set(['/pkcs11info', '/p11Image.bmp', '/sign']);

/**
 * The request target as a URL on this agent. Only a path is read from it: `//pkcs11info` (a page that joined
 * `http://localhost:61161/` and `/pkcs11info`) is the path `/pkcs11info`, not a URL naming the host `pkcs11info`.
 * @throws HttpFailure 400 for a target that is no path.
 */
function requestUrl(target: string | undefined, self: string): URL {
  const path = (target ?? '/').replace(/^\/{2,}/, '/');
  if (!path.startsWith('/')) throw new HttpFailure(400, RetCode.BAD_PARAMETER, 'the request target must be a path');
  try {
    return new URL(`${self}${path}`);
  } catch {
    throw new HttpFailure(400, RetCode.BAD_PARAMETER, 'the request target is not a valid path');
  }
}

/** A request refused at the HTTP level, answered with `status` and a JSON `ret_code`/`message` body. */
class HttpFailure extends Error {
  public constructor(
    public readonly status: number,
    public readonly retCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a request body of at most {@link MAX_BODY} bytes. A longer body is
 * read to its end and discarded before the 413 answer: closing a socket the
 * client is still writing to resets the connection, and the page would see a
 * network failure instead of the answer.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (tooLarge) {
        if (size > MAX_DISCARD) req.destroy();
        return;
      }
      if (size > MAX_BODY) {
        tooLarge = true;
        for (const kept of chunks) kept.fill(0);
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) {
        reject(new HttpFailure(413, RetCode.BAD_PARAMETER, `request body too large (limit ${MAX_BODY} bytes)`));
        return;
      }
      const body = Buffer.concat(chunks);
      resolve(body.toString('utf8'));
      // The body may hold a PIN.
      body.fill(0);
      for (const c of chunks) c.fill(0);
    });
    // A body that never ends holds what arrived of it, maybe a PIN: zeroed as a complete one is.
    const forget = (): void => {
      for (const c of chunks) c.fill(0);
      chunks.length = 0;
    };
    req.on('error', (error) => {
      forget();
      reject(error);
    });
    // Cut off past MAX_DISCARD (or by the client): settle, so the handler does not wait forever.
    req.on('close', () => {
      if (req.complete) return;
      forget();
      reject(new HttpFailure(413, RetCode.BAD_PARAMETER, 'request body too large or cut off'));
    });
  });
}

/** The names of {@link AgentOptions}; a Record so that an option added there and not here fails to compile. */
const AGENT_OPTIONS: Record<keyof AgentOptions, true> = {
  slots: true,
  trusted: true,
  port: true,
  confirmDomain: true,
  allowSha1: true,
  guardLastTry: true,
  warmCache: true,
  refuseSwappedCard: true,
  now: true,
};

/**
 * Refuses options the agent cannot start with, naming them. Without it a missing `slots` was a TypeError from
 * inside, slots of the wrong kind an agent answering every page "internal error", and a `port` of `'61161'`
 * (read from the environment) a listen on something other than 127.0.0.1:61161.
 * @throws RangeError naming the option
 */
function checkAgentOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RangeError(`startAgent: options must be an object with slots (await PcscCardSlots.open(), new EmulatorCardSlots(reader)), not ${describeValue(options)}`);
  }
  // A misspelt name was dropped for its default: `warmcache: false` an agent that keeps card data all the same.
  checkOptionNames('startAgent', options, AGENT_OPTIONS);
  const { slots, port, confirmDomain, now } = options as Record<string, unknown>;
  const s = slots as Partial<Record<'list' | 'withCard' | 'close', unknown>> | null | undefined;
  if (typeof s?.list !== 'function' || typeof s.withCard !== 'function' || typeof s.close !== 'function') {
    throw new RangeError(`startAgent: slots must be CardSlots (await PcscCardSlots.open(), new EmulatorCardSlots(reader)), not ${describeValue(slots)}`);
  }
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new RangeError(`startAgent: port must be a whole number from 0 to 65535 (0 picks a free one), not ${describeValue(port)}`);
  }
  if (confirmDomain !== undefined && typeof confirmDomain !== 'function') throw new RangeError(`startAgent: confirmDomain must be a function, not ${describeValue(confirmDomain)}`);
  if (now !== undefined && typeof now !== 'function') throw new RangeError(`startAgent: now must be a function returning the current Date, not ${describeValue(now)}`);
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
 * @throws RangeError for options it cannot start with (no `slots`, a `port` that is not one); TypeError for a
 *   `trusted` that is not a list of origins or host names (see {@link TrustedOrigins})
 */
export async function startAgent(options: AgentOptions): Promise<AgentServer> {
  checkAgentOptions(options);
  const trusted = new TrustedOrigins(options.trusted ?? []);
  const now = options.now ?? (() => new Date());
  const cache = options.warmCache === false ? undefined : new WarmCardCache();
  // What was kept about a card is forgotten as soon as the slots learn it left (or may have changed), not at the
  // next /pkcs11info: no APDU, and nothing a page sees changes (the presence token would refuse the entry anyway).
  const stopPruning = cache ? onSlotChange(options.slots, (reader) => (reader === undefined ? cache.clear() : cache.drop(reader))) : undefined;
  // Not pruned by reader events, unlike the cache: it is what each page was shown, which stays on its screen.
  const shownCards = options.refuseSwappedCard === false ? undefined : new ShownCards();
  let port = options.port ?? AGENT_DEFAULT_PORT;
  const selfOrigin = (): string => `http://localhost:${port}`;
  /** Whether `origin` is this agent's own pages: localhost, 127.0.0.1 or [::1] on its port (one server). */
  const isSelf = (origin: string): boolean => {
    if (origin === selfOrigin()) return true;
    try {
      const u = new URL(origin);
      return u.protocol === 'http:' && AGENT_ORIGIN_HOSTS.has(u.hostname) && u.port === String(port);
    } catch {
      return false;
    }
  };

  /** The page on whose behalf the request is made, or undefined for non-browser clients. */
  function callerOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (origin === undefined) {
      // No Origin is a program on this machine (curl, a test harness), which could use PC/SC itself. A browser
      // that leaves Origin out (a plain cross-site GET such as <img>) still says where it comes from in
      // Sec-Fetch-Site: anything but the user's own navigation is refused as an opaque origin.
      const site = req.headers['sec-fetch-site'];
      return site === undefined || site === 'none' ? undefined : 'null';
    }
    if (origin === 'null') return 'null';
    if (isSelf(origin)) {
      // Our own popup relays the opener's origin (event.origin, vouched for by the browser), whichever of the
      // agent's names the page opened it under.
      const relayed = req.headers['x-twpki-caller-origin'];
      return typeof relayed === 'string' ? relayed : origin;
    }
    return origin;
  }

  /** Whose `/pkcs11info` answers a request's `/sign` is checked against: its origin, or local programs as one. */
  function callerKey(caller: string | undefined): string {
    // No origin is spelt with a space: this cannot be taken for one.
    return caller ?? 'local program';
  }

  function allowed(caller: string | undefined): boolean {
    return caller === undefined || isSelf(caller) || trusted.isTrusted(caller);
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

  /**
   * A `/pkcs11info` answer, refusals included, in the form the path asks for. `/p11Image.bmp` is always an image:
   * a page reading it through a canvas (or only waiting for the image to load, to see whether the component is
   * there) gets `onerror` for any other body, and could not tell a refusal (0x76000031) from an absent component.
   */
  function sendInfo(res: ServerResponse, path: string, info: Pkcs11Info, corsOrigin: string | undefined): void {
    if (path === '/p11Image.bmp') send(res, 200, 'image/bmp', jsonAsBmp(JSON.stringify(info)), corsOrigin);
    else send(res, 200, 'application/json', JSON.stringify(info), corsOrigin);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase();
    const hostName = host.replace(/:\d+$/, '');
    if (!AGENT_ORIGIN_HOSTS.has(hostName)) throw new HttpFailure(421, RetCode.FORBIDDEN_DOMAIN, 'this agent only answers requests addressed to localhost');
    const url = requestUrl(req.url, selfOrigin());
    const path = url.pathname;
    const caller = callerOrigin(req);
    const cors = req.headers.origin && allowed(caller) ? req.headers.origin : undefined;

    if (req.method === 'OPTIONS') {
      // An untrusted page's request to a card path is answered with a refusal (0x76000031) it may read, as a simple
      // request's is: its preflight lets the request through to that refusal. Nothing else is opened to it.
      const asking = cors ?? (req.headers.origin && REFUSED_READABLY.has(path) ? req.headers.origin : undefined);
      if (asking) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
        res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      }
      // Chrome's Private Network Access preflight, for the browsers that send it: granted to trusted pages only.
      if (cors && req.headers['access-control-request-private-network'] === 'true') {
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      }
      send(res, 204, 'text/plain', '', asking);
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
      const { retCode, message } = await addDomain(req, url, trusted, options.confirmDomain);
      send(res, 200, 'text/html; charset=utf-8', addDomainPage(retCode, message));
      return;
    }
    const isInfo = path === '/pkcs11info' || path === '/p11Image.bmp';
    if (!isInfo && path !== '/sign') throw new HttpFailure(404, RetCode.UNSUPPORTED_FUNCTION, `unsupported method ${path}`);
    if (!allowed(caller)) {
      if (path === '/sign') await readBody(req);
      if (path === '/sign') {
        send(res, 200, 'application/json', JSON.stringify(signFailure(RetCode.UNTRUSTED_DOMAIN, LastError.NONE, 'site not trusted', AGENT_SERVER_VERSION)), req.headers.origin);
      } else {
        sendInfo(res, path, pkcs11InfoAnswer(RetCode.UNTRUSTED_DOMAIN, LastError.NONE, 'site not trusted', []), req.headers.origin);
      }
      return;
    }
    if (isInfo) {
      if (req.method !== 'GET' && req.method !== 'POST') throw new HttpFailure(405, RetCode.UNSUPPORTED_FUNCTION, 'use GET or POST');
      if (req.method === 'POST') await readBody(req);
      const { answer: info, cards } = await pkcs11InfoAndCards(options.slots, url.searchParams.get('withcert') === 'true', cache);
      shownCards?.shown(callerKey(caller), new Map([...cards].map(([reader, card]) => [reader, { cardNumber: card.cardNumber, certificateHash: certificateHash(card) }])));
      sendInfo(res, path, info, cors);
      return;
    }
    if (req.method !== 'POST') throw new HttpFailure(405, RetCode.UNSUPPORTED_FUNCTION, 'use POST');
    // What the caller had been shown when the request arrived: a /pkcs11info answered later (a polling page,
    // another tab of the site reading the new card) was not on the screen the PIN was typed at.
    const shownAtArrival = shownCards?.snapshot(callerKey(caller));
    const body = await readBody(req);
    let request;
    try {
      request = parseSignRequest(body, req.headers['content-type'] ?? '');
    } catch (error) {
      const [retCode, message] = error instanceof SignRequestError ? [error.retCode, error.message] : [RetCode.BAD_JSON, 'bad request'];
      send(res, 200, 'application/json', JSON.stringify(signFailure(retCode, LastError.NONE, message, AGENT_SERVER_VERSION)), cors);
      return;
    }
    const answer = await makeSignature(options.slots, request, {
      now,
      version: AGENT_SERVER_VERSION,
      allowSha1: options.allowSha1 === true,
      guardLastTry: options.guardLastTry === true,
      cache,
      shown:
        shownCards && shownAtArrival
          ? { cards: shownAtArrival, refused: (reader, card) => shownCards.refused(callerKey(caller), reader, card) }
          : undefined,
    });
    send(res, 200, 'application/json', JSON.stringify(answer), cors);
  }

  const server: Server = createServer(
    { requestTimeout: AGENT_REQUEST_TIMEOUT_MS, headersTimeout: AGENT_REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        const failure = error instanceof HttpFailure ? error : new HttpFailure(500, RetCode.EXECUTION_ERROR, 'internal error');
        if (res.headersSent) {
          res.end();
          return;
        }
        if (failure.status === 413) res.setHeader('Connection', 'close');
        const origin = req.headers.origin;
        const cors = origin && (isSelf(origin) || trusted.isTrusted(origin)) ? origin : undefined;
        send(res, failure.status, 'application/json', JSON.stringify({ ret_code: failure.retCode, last_error: LastError.NONE, message: failure.message }), cors);
      });
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    // Not started (port taken): the slots, which outlive the agent, must not keep its cache.
    stopPruning?.();
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  return {
    url: selfOrigin(),
    port,
    trusted,
    close: () =>
      new Promise<void>((resolve) => {
        stopPruning?.();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
