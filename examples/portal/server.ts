/**
 * The twpki reference portal: the seed systems' web pages on one Fastify app,
 * one folder per system (gps/, gepi/), built on twpki's public API only.
 *
 *   npx tsx examples/portal/server.ts      # demo: test PKI, virtual cards, local agent, mail sink
 *
 * Data lives in the embedded store (PGlite, in memory unless PORTAL_DATA_DIR
 * is set); DATABASE_URL switches to a PostgreSQL server.
 */
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { STATUS_CODES, createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import fastifyMultipart from '@fastify/multipart';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type ConnectionError, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { ChallengeIssuer, LoginVerifierBuilder, type CertificateInput } from 'twpki/cert';
import { SqlChallengeStore } from 'twpki/challenge-store';
import { ENROLL_RETRY_AFTER_SECONDS, EnrollError, InvalidInputError, enrollErrorStatus, enrollRetryAfter, systemClock, type Clock, type EnrollStore, type Mailer } from 'twpki/enroll';
import { PgStore } from 'twpki/enroll/pg';
import { PgliteStore } from 'twpki/enroll/pglite';
import { SmtpMailer } from 'twpki/enroll/smtp';
import { cardLogin } from 'twpki/fastify';
import { defaultMessages } from 'twpki/messages';
import { TwpkiError } from 'twpki';
import { bundleBrowserModule } from './core/browser-module.js';
import { VerifiedCards } from './core/card-view.js';
import { PortalConfigError, fromOptionOrEnv, parsePublicOrigin, type Source, previousSecretsOf, secretOf, wholeNumberOf } from './core/config.js';
import { DatabaseHealth } from './core/health.js';
import { LoginAttempts, type LoginLimit } from './core/login-attempts.js';
import type { CapturedMail } from './core/mail-sink.js';
import { PageError, escapeHtml, type PortalContext, type PortalSystem } from './core/portal.js';
import { checkReviewerPasswordHash, hashReviewerPassword, registerReviewerLogin, requireReviewer } from './core/reviewer.js';
import { rateLimits, type RateLimit } from './core/rate-limit.js';
import { SqlSessionStore } from './core/session-store.js';

export { PortalConfigError } from './core/config.js';

declare module 'fastify' {
  interface Session {
    /** Set when a card step used the session's id (so the session is kept for the challenge it is bound to). */
    cardStep?: boolean;
  }
}

/** Options of {@link startPortal}. */
export interface PortalOptions {
  /** The systems to serve (e.g. `[gpsSystem(…), gepiSystem(…)]`). */
  readonly systems: readonly PortalSystem[];
  /** Port to listen on (default `PORT`, else 8009; 0 picks a free one). */
  readonly port?: number;
  /** Address to listen on (default `PORTAL_HOST`, else 127.0.0.1; `0.0.0.0` behind a load balancer on another host). */
  readonly host?: string;
  /**
   * The origin browsers see (default `PORTAL_PUBLIC_ORIGIN`, else `http://127.0.0.1:<port>`), e.g.
   * `https://portal.example.gov.tw` behind a TLS-terminating proxy: cards sign it, every POST must come from
   * it, and when it is https the session cookie is `Secure`. Setting it marks a deployment: the session secret
   * and the holder key are then required.
   */
  readonly publicOrigin?: string;
  /**
   * Which proxies' `X-Forwarded-*` headers to believe (Fastify's `trustProxy`; default `PORTAL_TRUST_PROXY`:
   * comma-separated addresses / CIDRs such as `10.0.0.5,loopback`; with an https public origin, `loopback`).
   * `true` and hop counts are refused: a client could pick its own address.
   */
  readonly trustProxy?: false | string;
  /** Signs session cookies (default `PORTAL_SESSION_SECRET`, 32 characters or more; the same on every instance). */
  readonly sessionSecret?: string;
  /** Seals verified cards (default `PORTAL_HOLDER_KEY`, base64url of 32 bytes or more; the same on every instance). */
  readonly holderKey?: Uint8Array;
  /**
   * Session secrets used before `sessionSecret`, newest first, at most 4 (default `PORTAL_SESSION_SECRET_PREVIOUS`,
   * comma-separated): cookies they signed are still accepted, new ones are signed with `sessionSecret`. Keep one
   * until the sessions it signed have ended (12 hours after their last change).
   */
  readonly previousSessionSecrets?: readonly string[];
  /**
   * Holder keys used before `holderKey`, newest first, at most 4 (default `PORTAL_HOLDER_KEY_PREVIOUS`,
   * comma-separated base64url): cards they sealed still open until they expire (10 minutes).
   */
  readonly previousHolderKeys?: readonly Uint8Array[];
  /** Root certificates card logins must chain to (GRCA in production). */
  readonly trustAnchors: readonly CertificateInput[];
  /** Issuing CA certificates (MOICA, GCA, XCA, MOEACA) the browser does not send. */
  readonly intermediates?: readonly CertificateInput[];
  /** Where pages find the local agent (default `http://localhost:61161`). */
  readonly agentUrl?: string;
  /** SMTP server for the notices (the mail sink in the demo); ignored when `mailer` is given. */
  readonly smtp?: { readonly host: string; readonly port: number };
  /** Any other mailer. */
  readonly mailer?: Mailer;
  /** Sender of the notices. */
  readonly mailFrom?: string;
  /** Reviewer password (hashed with scrypt at start), or `reviewerPasswordHash`. */
  readonly reviewerPassword?: string;
  /** `scrypt$salt$hash` from `hashReviewerPassword` (examples/portal/core/reviewer.ts). */
  readonly reviewerPasswordHash?: string;
  /** An open store; otherwise `databaseUrl` (PostgreSQL) or the embedded PGlite store. */
  readonly store?: EnrollStore;
  /** PostgreSQL connection string (default `process.env.DATABASE_URL`; `''` forces the embedded store). */
  readonly databaseUrl?: string;
  /** How long to wait for PostgreSQL at start before giving up (default 15 s). */
  readonly databaseTimeoutMs?: number;
  /** PGlite data directory (default in memory). */
  readonly dataDir?: string;
  /**
   * Wrong reviewer passwords allowed per client address in `reviewerLoginWindowSeconds` before the login refuses
   * that address for `reviewerLoginLockoutSeconds` (default `PORTAL_REVIEWER_LOGIN_MAX_FAILURES`, else 5; 0 turns
   * the limit off, for a deployment whose proxy or sign-on limits it).
   */
  readonly reviewerLoginMaxFailures?: number;
  /** The window the failures are counted in (default `PORTAL_REVIEWER_LOGIN_WINDOW_SECONDS`, else 900). */
  readonly reviewerLoginWindowSeconds?: number;
  /** How long an address that used up its failures is refused (default `PORTAL_REVIEWER_LOGIN_LOCKOUT_SECONDS`, else 900). */
  readonly reviewerLoginLockoutSeconds?: number;
  /**
   * Card challenges (`GET …/challenge` of every card step) per client address in `challengeWindowSeconds`, per
   * instance (default `PORTAL_CHALLENGE_LIMIT`, else 60; 0 turns the limit off).
   */
  readonly challengeLimit?: number;
  /** The window challenges are counted in (default `PORTAL_CHALLENGE_WINDOW_SECONDS`, else 60). */
  readonly challengeWindowSeconds?: number;
  /**
   * Anonymous application requests (a new GPS or waste-system application, a GPS basic-data comparison with EMS)
   * per client address in `applicationWindowSeconds`, per instance (default `PORTAL_APPLICATION_LIMIT`, else 30;
   * 0 turns the limit off). Each makes a row or compares typed values with a company's EMS record.
   */
  readonly applicationLimit?: number;
  /** The window applications are counted in (default `PORTAL_APPLICATION_WINDOW_SECONDS`, else 600). */
  readonly applicationWindowSeconds?: number;
  /** How long `/healthz` waits for the database's `SELECT 1` before answering 503 (default `PORTAL_HEALTH_TIMEOUT_MS`, else 2000). */
  readonly healthTimeoutMs?: number;
  /**
   * How long a client has to send a whole request, uploads included, before it is answered 408 and closed
   * (default `PORTAL_REQUEST_TIMEOUT_SECONDS`, else 120). Fastify's own default is none: a body that never ends
   * held its connection for ever.
   */
  readonly requestTimeoutSeconds?: number;
  /**
   * Where the portal logs (a pino logger, or any with pino's methods and `child`; another is PortalConfigError naming
   * `logger`): each answer of 500 or more with its error and that error's cause (a host's 郵遞區號 directory that
   * threw, a database gone), failed health checks, card steps that failed for a reason other than a twpki refusal.
   * Default none: nothing is logged. Requests as such
   * are not (their URLs can carry activation keys, `/gps/activate?key=…`): that is the proxy's access log. Nor are the
   * bytes of a request Node could not read (they hold its cookie): its error's code is, at `trace`.
   */
  readonly logger?: FastifyBaseLogger;
  /** Time source of the flows (default the system clock). */
  readonly clock?: Clock;
  /** Messages shown at `/dev/mailbox` (development: the mail sink's inbox). */
  readonly devMailbox?: () => readonly CapturedMail[];
}

/** A running portal. */
export interface Portal {
  /** The site's public origin, e.g. `http://127.0.0.1:8009` or `https://portal.example.gov.tw`: trust it in the local agent. */
  readonly url: string;
  /** Where this instance listens (`http://127.0.0.1:8009`): the address a reverse proxy forwards to. */
  readonly listenUrl: string;
  /** The store in use. */
  readonly store: EnrollStore;
  /** The Fastify instance. */
  readonly app: FastifyInstance;
  /**
   * Stops the server and closes what it opened, once the requests being answered are done. Called again, the same
   * close. Every part is stopped even when one fails (a system's `onClose` hook that throws); the first failure is
   * then thrown.
   */
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

async function openStore(options: PortalOptions): Promise<{ store: EnrollStore; owned: boolean }> {
  if (options.store) return { store: options.store, owned: false };
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) {
    const setting = options.databaseUrl === undefined ? 'DATABASE_URL' : 'databaseUrl';
    const timeoutMs = options.databaseTimeoutMs ?? 15_000;
    const store = new PgStore({ connectionString: url });
    // pg waits without end for a server that accepts and never answers (a wrong port, a firewall): bound the wait.
    const migrated = store.migrate();
    migrated.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        migrated,
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { store, owned: true };
    } catch (cause) {
      void store.close().catch(() => undefined);
      // The URL may carry a password: name the server, never echo the string.
      throw new PortalConfigError(setting, `cannot open the PostgreSQL database at ${describeDatabase(url)}: ${(cause as Error).message}`, { cause });
    } finally {
      clearTimeout(timer);
    }
  }
  const dataDir = options.dataDir ?? process.env.PORTAL_DATA_DIR;
  return { store: await PgliteStore.open(dataDir ? { dataDir } : {}), owned: true };
}

function mailerOf(options: PortalOptions): { mailer: Mailer; close?: () => void } {
  if (options.mailer) return { mailer: options.mailer };
  if (!options.smtp) throw new PortalConfigError('smtp', 'startPortal needs `smtp` (host and port of a mail server) or `mailer`');
  const smtp = new SmtpMailer({
    from: options.mailFrom ?? 'twpki 範例入口網 <noreply@portal.example.gov.tw>',
    transport: { host: options.smtp.host, port: options.smtp.port, secure: false, ignoreTLS: true },
  });
  return { mailer: smtp, close: () => smtp.close() };
}

/** A failure as the portal answers it: status, headers beside the usual ones, body. */
interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: object;
}

/**
 * Every failure as `{ error: { code, message, issues? } }`, the message in Chinese from the catalogue. An enrollment
 * error has the SDK's status (`ENROLL_ERROR_STATUS`), the one its card-login routes answer on the card steps, so a
 * code means the same on every page; each 503 says when to try again (`Retry-After`, `ENROLL_RETRY_AFTER_SECONDS`),
 * as the not-yet-ready server's 503 does. The portal adds no enrollment codes of its own: its refusals are
 * `PageError`s, each with its status.
 */
function errorAnswer(err: unknown): ErrorAnswer {
  const answer = answerOf(err);
  const seconds = err instanceof EnrollError ? enrollRetryAfter(err.code) : undefined;
  return { ...answer, headers: seconds === undefined ? {} : { 'retry-after': String(seconds) } };
}

/** The status and body of {@link errorAnswer}. */
function answerOf(err: unknown): { status: number; body: object } {
  if (err instanceof PageError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  if (err instanceof EnrollError) {
    const message = defaultMessages.describe(err).messages.zhTW;
    // Each refused field in the catalogue's words; the issue's English detail stays on the server.
    const issues =
      err instanceof InvalidInputError
        ? { issues: err.issues.map((i) => ({ field: i.field, code: i.code, message: defaultMessages.fieldIssueMessages(i).zhTW })) }
        : {};
    const retry = 'retryNotBefore' in err ? { retryNotBefore: (err as { retryNotBefore: string }).retryNotBefore } : {};
    return { status: enrollErrorStatus(err.code), body: { error: { code: err.code, message, ...issues, ...retry } } };
  }
  const status = (err as FastifyError).statusCode;
  // Size refusals say what to do about them: the pages show `message`, and 請求格式有誤 would send the user hunting.
  if ((err as FastifyError).code === 'FST_REQ_FILE_TOO_LARGE') {
    return { status: 413, body: { error: { code: 'FILE_TOO_LARGE', message: `檔案超過 ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB 上限，請縮小後重新上傳` } } };
  }
  if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: { error: { code: 'BODY_TOO_LARGE', message: '送出的資料過大' } } };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: (err as FastifyError).code ?? 'BAD_REQUEST', message: '請求格式有誤' } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: '系統錯誤，請稍後再試' } } };
}

function layout(systems: readonly PortalSystem[]): (title: string, body: string) => string {
  const nav = systems.map((s) => `<a href="/${s.id}/">${escapeHtml(s.title)}</a>`).join(' ');
  return (title, body) => `<!doctype html>
<html lang="zh-Hant-TW"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/style.css"></head>
<body><header class="site"><a href="/">twpki 範例入口網</a><nav>${nav}</nav></header>
<main>${body}</main></body></html>`;
}

function mailboxPage(mails: readonly CapturedMail[]): string {
  if (mails.length === 0) return '<h2>開發用信箱 (本機 SMTP)</h2><p>尚無信件</p>';
  const items = mails
    .map((m, i) => {
      const body = escapeHtml(m.text).replace(/(https?:\/\/[^\s<]+)/g, (url) => `<a class="mail-link" href="${url}">${url}</a>`);
      return `<article class="mail" data-index="${i}"><h3>${escapeHtml(m.subject)}</h3>
<p class="small">收件者：<span class="mail-to">${escapeHtml(m.to.join(', '))}</span>　${escapeHtml(m.receivedAt.toISOString())}</p><pre>${body}</pre></article>`;
    })
    .reverse();
  return `<h2>開發用信箱 (本機 SMTP)</h2>${items.join('\n')}`;
}

/** `host:port/database` of a connection string, without user or password (for errors). */
function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return '(a connection string that is not a URL)';
  }
}

/**
 * Fastify's `trustProxy` from the option or `PORTAL_TRUST_PROXY`: the proxies' addresses / CIDRs. Not `true`:
 * then the client address is the left-most `X-Forwarded-For` entry, which the client writes itself (proxies
 * append to the header rather than replace it). Not a hop count either: it trusts whoever connects, so a client
 * reaching the app port directly names its own address (Fastify itself refuses to read a bare count that way).
 * Either would let every request name a fresh address, and the per-address limits count nothing.
 */
function trustProxyOf(option: PortalOptions['trustProxy'], secure: boolean): false | string {
  const source = fromOptionOrEnv<PortalOptions['trustProxy'] | boolean | number>(option, 'trustProxy', 'PORTAL_TRUST_PROXY');
  const value = source.value;
  // An https origin served over http means a TLS proxy: believe one on this host unless told which.
  if (value === undefined) return secure ? 'loopback' : false;
  if (value === false || value === 'false') return false;
  if (value === true || value === 'true' || typeof value === 'number' || /^\s*\d+\s*$/.test(value)) {
    throw new PortalConfigError(
      source.setting,
      `must name the proxies (their addresses or CIDRs, such as 10.0.0.5,loopback), not ${JSON.stringify(value)}: ` +
        'with true or a count, a client picks its own address through X-Forwarded-For, and the per-address limits count nothing',
    );
  }
  return value;
}

/** `PORT` as a number (8009 when unset). */
function portOf(text: string | undefined): number {
  if (text === undefined || text === '') return 8009;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new PortalConfigError('PORT', `must be a port number (0–65535), not ${JSON.stringify(text)}`);
  return port;
}

/** Everything the environment and options configure, checked before any part starts; `port` may be 0. */
interface ConfiguredSettings extends Omit<Settings, 'origin'> {
  readonly publicOrigin: string | undefined;
}

/** The settings the app runs with: the port bound and the site's origin. */
interface Settings {
  readonly port: number;
  readonly host: string;
  readonly origin: string;
  readonly secure: boolean;
  readonly trustProxy: false | string;
  readonly sessionSecret: string;
  /** Checked, as fastify-session takes them (see `sessionSecret`). */
  readonly previousSessionSecrets: readonly string[];
  readonly holderKey: Uint8Array;
  readonly previousHolderKeys: readonly Uint8Array[];
  readonly passwordHash: string;
  /** Undefined when turned off. */
  readonly loginLimit: LoginLimit | undefined;
  /** Undefined when turned off. */
  readonly challengeLimit: RateLimit | undefined;
  /** Undefined when turned off. */
  readonly applicationLimit: RateLimit | undefined;
  readonly healthTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

const DAY_SECONDS = 24 * 60 * 60;

/** A per-address request limit from its two settings, each checked; undefined when the count is 0 (turned off). */
function rateLimitOf(
  count: Source<number | string>,
  window: Source<number | string>,
  defaults: { count: number; seconds: number; what: string },
): RateLimit | undefined {
  const limit = wholeNumberOf(count, { fallback: defaults.count, min: 0, max: 1_000_000, what: defaults.what });
  const seconds = wholeNumberOf(window, { fallback: defaults.seconds, min: 1, max: DAY_SECONDS, what: 'seconds' });
  return limit === 0 ? undefined : { limit, windowMs: seconds * 1000 };
}

/** The limits' settings (see PortalOptions), each checked like the others. */
function limitsOf(options: PortalOptions): Pick<Settings, 'loginLimit' | 'challengeLimit' | 'applicationLimit' | 'healthTimeoutMs' | 'requestTimeoutMs'> {
  const maxFailures = wholeNumberOf(
    fromOptionOrEnv(options.reviewerLoginMaxFailures, 'reviewerLoginMaxFailures', 'PORTAL_REVIEWER_LOGIN_MAX_FAILURES'),
    { fallback: 5, min: 0, max: 1000, what: 'the wrong passwords allowed per address (0: no limit)' },
  );
  const windowSeconds = wholeNumberOf(
    fromOptionOrEnv(options.reviewerLoginWindowSeconds, 'reviewerLoginWindowSeconds', 'PORTAL_REVIEWER_LOGIN_WINDOW_SECONDS'),
    { fallback: 900, min: 1, max: DAY_SECONDS, what: 'seconds' },
  );
  const lockoutSeconds = wholeNumberOf(
    fromOptionOrEnv(options.reviewerLoginLockoutSeconds, 'reviewerLoginLockoutSeconds', 'PORTAL_REVIEWER_LOGIN_LOCKOUT_SECONDS'),
    { fallback: 900, min: 1, max: DAY_SECONDS, what: 'seconds' },
  );
  const challengeLimit = rateLimitOf(
    fromOptionOrEnv(options.challengeLimit, 'challengeLimit', 'PORTAL_CHALLENGE_LIMIT'),
    fromOptionOrEnv(options.challengeWindowSeconds, 'challengeWindowSeconds', 'PORTAL_CHALLENGE_WINDOW_SECONDS'),
    { count: 60, seconds: 60, what: 'the challenges allowed per address and window (0: no limit)' },
  );
  const applicationLimit = rateLimitOf(
    fromOptionOrEnv(options.applicationLimit, 'applicationLimit', 'PORTAL_APPLICATION_LIMIT'),
    fromOptionOrEnv(options.applicationWindowSeconds, 'applicationWindowSeconds', 'PORTAL_APPLICATION_WINDOW_SECONDS'),
    { count: 30, seconds: 600, what: 'the anonymous application requests allowed per address and window (0: no limit)' },
  );
  const healthTimeoutMs = wholeNumberOf(fromOptionOrEnv(options.healthTimeoutMs, 'healthTimeoutMs', 'PORTAL_HEALTH_TIMEOUT_MS'), {
    fallback: 2000,
    min: 1,
    max: 60_000,
    what: 'milliseconds',
  });
  const requestTimeoutSeconds = wholeNumberOf(
    fromOptionOrEnv(options.requestTimeoutSeconds, 'requestTimeoutSeconds', 'PORTAL_REQUEST_TIMEOUT_SECONDS'),
    { fallback: 120, min: 1, max: 3600, what: 'seconds' },
  );
  return {
    requestTimeoutMs: requestTimeoutSeconds * 1000,
    loginLimit: maxFailures === 0 ? undefined : { maxFailures, windowMs: windowSeconds * 1000, lockoutMs: lockoutSeconds * 1000 },
    challengeLimit,
    applicationLimit,
    healthTimeoutMs,
  };
}

/** The methods Fastify calls on a logger, and requires of one. */
const LOGGER_METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'child'] as const;

/**
 * Refuses a `logger` without pino's methods before anything starts. Fastify refuses it too, but only once the port is
 * bound and the database opened, and in its own words (`loggerInstance`), naming no option of the portal's. The usual
 * mistake is `console`, which has neither `fatal` nor `child`.
 */
function checkLogger(logger: unknown): void {
  if (logger === undefined) return;
  const methods = typeof logger === 'object' && logger !== null ? (logger as Record<string, unknown>) : {};
  const missing = LOGGER_METHODS.filter((method) => typeof methods[method] !== 'function');
  if (missing.length > 0) {
    throw new PortalConfigError('logger', `must be a pino logger, or one with its methods (${LOGGER_METHODS.join(', ')}): this one has no ${missing.join(', ')}`);
  }
}

async function settingsOf(options: PortalOptions): Promise<ConfiguredSettings> {
  checkLogger(options.logger);
  const hashSource = fromOptionOrEnv(options.reviewerPasswordHash, 'reviewerPasswordHash', 'PORTAL_REVIEWER_PASSWORD_HASH');
  let passwordHash: string;
  if (options.reviewerPasswordHash === undefined && options.reviewerPassword) passwordHash = hashReviewerPassword(options.reviewerPassword);
  else if (hashSource.value !== undefined) passwordHash = checkReviewerPasswordHash(hashSource.value, hashSource.setting);
  else throw new PortalConfigError('reviewerPassword', 'startPortal needs `reviewerPassword`, `reviewerPasswordHash` or PORTAL_REVIEWER_PASSWORD_HASH');
  const publicOrigin = parsePublicOrigin(fromOptionOrEnv(options.publicOrigin, 'publicOrigin', 'PORTAL_PUBLIC_ORIGIN'));
  // A configured public origin or NODE_ENV=production is a deployment: no per-process secrets there.
  const deployment = publicOrigin !== undefined ? `when ${options.publicOrigin === undefined ? 'PORTAL_PUBLIC_ORIGIN' : 'publicOrigin'} is set` : process.env.NODE_ENV === 'production' ? 'when NODE_ENV=production' : false;
  if (deployment !== false && options.devMailbox !== undefined) {
    throw new PortalConfigError('devMailbox', `the development mailbox shows every mail sent (activation links, 驗證碼) to anyone at /dev/mailbox; it is refused ${deployment}`);
  }
  const sessionSecret = secretOf(fromOptionOrEnv(options.sessionSecret, 'sessionSecret', 'PORTAL_SESSION_SECRET'), {
    minBytes: 32,
    required: deployment,
    decode: 'utf8',
  }).toString('base64url');
  const previousSessionSecrets = previousSecretsOf(
    fromOptionOrEnv(options.previousSessionSecrets, 'previousSessionSecrets', 'PORTAL_SESSION_SECRET_PREVIOUS'),
    { minBytes: 32, decode: 'utf8' },
  ).map((secret) => secret.toString('base64url'));
  const limits = limitsOf(options);
  const holderKey = secretOf(fromOptionOrEnv(options.holderKey, 'holderKey', 'PORTAL_HOLDER_KEY'), { minBytes: 32, required: deployment, decode: 'base64url' });
  const previousHolderKeys = previousSecretsOf(fromOptionOrEnv(options.previousHolderKeys, 'previousHolderKeys', 'PORTAL_HOLDER_KEY_PREVIOUS'), {
    minBytes: 32,
    decode: 'base64url',
  });
  const host = options.host ?? (process.env.PORTAL_HOST || '127.0.0.1');
  const port = options.port ?? portOf(process.env.PORT);
  // Without a public origin the site is plain http on the port bound (see `bound`).
  const secure = publicOrigin?.startsWith('https:') ?? false;
  return { port, host, publicOrigin, secure, trustProxy: trustProxyOf(options.trustProxy, secure), sessionSecret, previousSessionSecrets, holderKey, previousHolderKeys, passwordHash, ...limits };
}

/**
 * The settings once the server holds its port: the origin is part of what cards sign, so it names the port the OS
 * gave for port 0. Binding before the routes are built means no other process can take that port meanwhile (asking
 * for a free port and binding it later lost it to one, now and then, in a busy test run).
 */
function bound(configured: ConfiguredSettings, port: number): Settings {
  const { publicOrigin, ...rest } = configured;
  return { ...rest, port, origin: publicOrigin ?? `http://127.0.0.1:${port}` };
}

/** Starts the portal (on 127.0.0.1:8009 unless configured otherwise, see {@link PortalOptions}). */
export async function startPortal(options: PortalOptions): Promise<Portal> {
  const configured = await settingsOf(options);
  // Every setting is checked before the port is bound and the database is opened and migrated.
  const mail = mailerOf(options);
  const server = new PortalServer(configured.requestTimeoutMs);
  let ownedStore: EnrollStore | undefined;
  let app: FastifyInstance | undefined;
  try {
    const settings = bound(configured, await server.bind(configured, options));
    // Settled both: a store opened while the bundle failed is still closed below.
    const [opened, bundled] = await Promise.allSettled([openStore(options), bundleBrowserModule()]);
    if (opened.status === 'fulfilled' && opened.value.owned) ownedStore = opened.value.store;
    if (opened.status === 'rejected') throw opened.reason;
    if (bundled.status === 'rejected') throw bundled.reason;
    const { store } = opened.value;
    app = Fastify({
      // Fastify's own line per request is left out: a URL can carry an activation key (see PortalOptions.logger).
      ...(options.logger === undefined
        ? { logger: false }
        : { loggerInstance: options.logger, logController: new LogController({ disableRequestLogging: true }) }),
      bodyLimit: 256 * 1024,
      trustProxy: settings.trustProxy,
      serverFactory: server.factory,
      clientErrorHandler: answerClientError,
    });
    await addRoutes(app, options, settings, store, bundled.value, mail.mailer);
    await app.ready();
    server.open();
    let closing: Promise<void> | undefined;
    return {
      url: settings.origin,
      listenUrl: `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${settings.port}`,
      store,
      app,
      // One close for every caller: a second must not resolve, nor close the store, while requests are still answered.
      close: () => (closing ??= stopParts()),
    };
  } catch (err) {
    // What started is stopped again: a failed start leaves no socket, database pool, PGlite or mail transport running.
    // No request reached the app: the close ends at once, the connections of requests still arriving included.
    await stopParts().catch(() => undefined);
    throw err;
  }

  /**
   * Stops what started, each part whatever the one before did: a failed Fastify close (an onClose hook that throws)
   * must not leave the port bound, answering 503, or the database and mail transport open.
   */
  function stopParts(): Promise<void> {
    return stopAll([() => app?.close(), () => server.close(), () => mail.close?.(), () => ownedStore?.close()]);
  }
}

/**
 * Fastify's `clientErrorHandler`: a request Node could not read (bytes that are not HTTP, headers too large, not sent
 * within the request timeout) is answered 400, 431 or 408 and its connection closed, as Fastify's own handler does.
 * Unlike that one, it logs the error's code only, never the error: Node hangs on it the raw bytes it was parsing
 * (`rawPacket`), which hold the request's cookie (the session) and can hold an earlier request of the same connection
 * (a reviewer's password), and a logger's error serialiser prints every enumerable property. Bound to the app.
 */
function answerClientError(this: FastifyInstance, err: ConnectionError, socket: Socket): void {
  // A connection reset or already closed: nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', '請求逾時']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', '請求標頭過大']
        : [400, 'BAD_REQUEST', '請求格式有誤'];
  this.log.trace({ code: err.code }, `client error: answered ${status}, connection closed`);
  if (socket.writable) {
    const body = JSON.stringify({ error: { code, message } });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Runs every stop in turn, each whatever the ones before did; then throws the first failure, if any. */
async function stopAll(stops: ReadonlyArray<() => Promise<unknown> | void>): Promise<void> {
  const failures: unknown[] = [];
  for (const stop of stops) {
    try {
      await stop();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/**
 * The portal's HTTP server, bound before the app that answers on it is built (see `bound`). Fastify is handed it
 * through `serverFactory` and never listens itself, so this closes it. A request that arrives before the routes are
 * ready is answered 503.
 */
class PortalServer {
  readonly #server: Server;
  #handler: RequestListener | undefined;
  #open = false;
  /** Responses not yet done: at close, their keep-alive connections are ended once they are (see `close`). */
  readonly #answering = new Set<ServerResponse>();
  #closed: Promise<void> | undefined;

  constructor(requestTimeoutMs: number) {
    // Node looks for requests past their time every 30 s by default, which would stretch a short limit: every second.
    this.#server = createServer({ requestTimeout: requestTimeoutMs, connectionsCheckingInterval: 1000 }, (request, response) => {
      this.#follow(response);
      if (this.#open && this.#handler) return this.#handler(request, response);
      response.writeHead(503, { 'retry-after': '1', 'cache-control': 'no-store' }).end();
    });
  }

  #follow(response: ServerResponse): void {
    if (this.#closed) response.setHeader('connection', 'close');
    this.#answering.add(response);
    response.once('close', () => {
      this.#answering.delete(response);
      // Its connection is idle from now on (Node marks it so right after this event).
      if (this.#closed) setImmediate(() => this.#server.closeIdleConnections());
      if (this.#answering.size === 0) this.#drained?.();
    });
  }

  /** Resolves the close's wait for the last response in progress (set while it waits). */
  #drained: (() => void) | undefined;

  /** For Fastify's `serverFactory`: keeps Fastify's handler and gives it this server. */
  readonly factory = (handler: RequestListener): Server => {
    this.#handler = handler;
    return this.#server;
  };

  /** Binds the configured host and port; the port bound (the OS's choice for 0). */
  async bind(settings: ConfiguredSettings, options: PortalOptions): Promise<number> {
    const { host, port } = settings;
    try {
      await new Promise<void>((resolve, reject) => {
        this.#server.once('error', reject);
        this.#server.listen(port, host, () => {
          this.#server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        const why = code === 'EADDRINUSE' ? 'is in use by another process' : code === 'EACCES' ? 'needs privileges this process lacks' : 'is not an address of this machine';
        throw new PortalConfigError(options.port === undefined ? 'PORT' : 'port', `${host}:${port} ${why} (${code}); choose another port or host (PORT, PORTAL_HOST)`, { cause: err });
      }
      throw err;
    }
    return (this.#server.address() as AddressInfo).port;
  }

  /** From now on requests reach the app. */
  open(): void {
    this.#open = true;
  }

  /**
   * Stops accepting connections and waits for the open ones to end. Node closes the idle keep-alive ones at once, but
   * one whose request is still answered would stay open after its answer, and this wait with it, for its keep-alive
   * timeout (5 s): such an answer is sent with `connection: close`, or its connection closed once it is idle. Once no
   * response is in progress, the connections left are ended: Node counts one whose request is still arriving (half
   * its headers sent, and never the rest) as busy, and would hold the close for it until the request timeout. Called
   * again, the same close.
   */
  close(): Promise<void> {
    return (this.#closed ??= this.#close());
  }

  async #close(): Promise<void> {
    for (const response of this.#answering) if (!response.headersSent) response.setHeader('connection', 'close');
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve, reject) => this.#server.close((err) => (err ? reject(err) : resolve())));
    if (this.#answering.size > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#server.closeAllConnections();
    await closed;
  }
}

/** Every hook and route of the portal, on `app` (not yet listening). */
async function addRoutes(app: FastifyInstance, options: PortalOptions, settings: Settings, store: EnrollStore, browserModule: string, mailer: Mailer): Promise<void> {
  const { origin, passwordHash } = settings;
  const page = layout(options.systems);
  // Sessions and challenges in the database, not the process: another instance or the next start continues them.
  const [sessionStore, challengeStore, loginAttempts] = await Promise.all([
    SqlSessionStore.open(store, SESSION_TTL_MS),
    SqlChallengeStore.open({ store }),
    // Wrong reviewer passwords are counted in the database: every instance sees the same count.
    settings.loginLimit === undefined ? undefined : LoginAttempts.open(store, settings.loginLimit),
  ]);
  // Challenges and applications are counted in this process: a limit per instance (N instances let an address make
  // N times as many).
  const limitHook = settings.challengeLimit === undefined && settings.applicationLimit === undefined ? undefined : await rateLimits(app);
  const countChallenge = settings.challengeLimit === undefined ? undefined : limitHook?.(settings.challengeLimit, 'CHALLENGE_RATE_LIMITED');
  const countApplication = settings.applicationLimit === undefined ? undefined : limitHook?.(settings.applicationLimit, 'APPLICATION_RATE_LIMITED');
  const health = new DatabaseHealth(store, settings.healthTimeoutMs);

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    // The same secret on every instance (PORTAL_SESSION_SECRET), or one per start outside a deployment.
    // New cookies are signed with the first; the previous secrets of a rotation still verify theirs.
    secret: [settings.sessionSecret, ...settings.previousSessionSecrets],
    cookieName: 'portal_sid',
    store: sessionStore,
    // SameSite=Strict: card, review and operator calls cannot be triggered from other sites.
    // Secure when the public origin is https (the proxy's X-Forwarded-Proto tells the app the request was).
    cookie: { secure: settings.secure, httpOnly: true, sameSite: 'strict', path: '/' },
    // A row only for a session something was put in (a card step marks its own, below): health checks, assets and
    // crawlers make none. A write per changed session, not per request; it ends SESSION_TTL_MS after its last change.
    saveUninitialized: false,
    rolling: false,
  });
  // After the plugin's own hook has read the session: what it holds, so its save writes only what this request
  // changed (two requests of one session at once keep each other's changes).
  app.addHook('onRequest', async (request) => sessionStore.read(request.session));
  await app.register(fastifyFormbody);
  // For systems that take uploads (the waste system's signed form); GPS and GEPI take none.
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/' });

  const challenges = new ChallengeIssuer({ store: challengeStore });
  const verifier = new LoginVerifierBuilder()
    .withTrustAnchors(...options.trustAnchors)
    .withIntermediates(...(options.intermediates ?? []))
    .withAllowedOrigins(origin)
    .withChallenges(challenges)
    // The demo PKI has no OCSP responder; a deployment configures withRevocationChecker.
    .withoutRevocationCheck()
    .build();

  const context: PortalContext = {
    origin,
    agentUrl: options.agentUrl ?? 'http://localhost:61161',
    store,
    clock: options.clock ?? systemClock,
    mailer,
    // PORTAL_HOLDER_KEY (base64url, 32 bytes or more) lets verified cards outlive a restart, as PORTAL_SESSION_SECRET does sessions.
    cards: new VerifiedCards(settings.holderKey, options.clock ?? systemClock, settings.previousHolderKeys),
    reviewer: { role: 'reviewer', id: 'portal-reviewer' },
    page,
    requireReviewer,
    async limitApplications(request, reply) {
      await countApplication?.(request, reply);
    },
    cardStep(scope, prefix, onVerified, guard) {
      void scope.register(async (step) => {
        if (countChallenge) {
          // Before the session and the challenge are made (and before the guard): each one is a database row.
          step.addHook('onRequest', async (request, reply) => {
            if (request.routeOptions.url !== `${prefix}/challenge`) return;
            try {
              await countChallenge(request, reply);
            } catch (err) {
              // Answered here, in the portal's own words and shape, beside the limit (twpki's card-login plugin would
              // pass a 429 on to the application's error handler).
              const { status, headers, body } = errorAnswer(err);
              await reply.code(status).headers(headers).header('cache-control', 'no-store').send(body);
            }
          });
        }
        if (guard) {
          step.addHook('preHandler', async (request, reply) => {
            try {
              guard(request);
            } catch (err) {
              const { status, headers, body } = errorAnswer(err);
              await reply.code(status).headers(headers).send(body);
            }
          });
        }
        await step.register(cardLogin, {
          prefix,
          verifier,
          challenges,
          origin,
          sessionId: (request) => {
            // The challenge is bound to this id, so the session must outlive the request: mark it to be saved.
            if (request.session.get('cardStep') !== true) request.session.set('cardStep', true);
            return request.session.sessionId;
          },
          onLogin: (login, request) => onVerified(login, request),
          onError: (error) => {
            if (!(error instanceof TwpkiError)) scope.log.warn(error);
          },
        });
      });
    },
  };

  if (settings.secure) {
    // An https site reached over plain http: the app port opened directly, or a proxy not trusted (or not sending
    // X-Forwarded-Proto). The Secure cookie would never be set and every card step would fail on the session;
    // say so instead, before any session is made.
    app.addHook('onRequest', async (request, reply) => {
      // The load balancer's health check may come over plain http.
      if (request.protocol === 'https' || request.url === HEALTH_PATH) return;
      await reply.code(400).header('cache-control', 'no-store').send({
        error: { code: 'HTTPS_REQUIRED', message: `請由 ${origin} 開啟本網站` },
      });
    });
  }
  // Cross-site writes are refused outright; SameSite cookies are the second line.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (request.headers.origin !== origin) {
      await reply.code(403).send({ error: { code: 'FOREIGN_ORIGIN', message: `請由本網站 (${origin}) 操作` } });
    }
  });
  app.setErrorHandler(async (err, request, reply) => {
    const { status, headers, body } = errorAnswer(err);
    // A 501 is this deployment not offering a function (a directory without search): its configuration, not an
    // incident, so not an error line per user who tries it.
    if (status === 501) request.log.info({ code: (err as { code?: unknown }).code }, 'a function this deployment does not offer');
    else if (status >= 500) request.log.error(err);
    return reply.code(status).headers(headers).header('cache-control', 'no-store').send(body);
  });

  // Unknown paths in the same shape as every other refusal, so a page's error display has a message to show.
  app.setNotFoundHandler(async (_request, reply) =>
    reply.code(404).header('cache-control', 'no-store').send({ error: { code: 'NOT_FOUND', message: '找不到此頁面' } }),
  );
  // For load balancers and monitors: the app runs and its database answers (SELECT 1, bounded), without touching sessions.
  app.get(HEALTH_PATH, async (request, reply) => {
    const result = await health.check();
    reply.header('cache-control', 'no-store');
    if (result.ok) return reply.send({ status: 'ok' });
    request.log.warn({ err: result.cause }, `health check: ${result.message}`);
    return reply
      .code(503)
      .header('retry-after', String(HEALTH_RETRY_SECONDS))
      .send({ status: 'unavailable', reason: { code: result.code, message: result.message } });
  });
  app.get('/twpki-browser.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(browserModule));
  app.get('/api/config', async () => ({ origin, agentUrl: context.agentUrl }));
  app.get('/', async (_request, reply) => {
    const list = options.systems
      .map((s) => `<section class="system" data-system="${s.id}"><h3>${escapeHtml(s.title)}</h3><ul>${s.links
        .map(([label, path]) => `<li><a href="${escapeHtml(path)}">${escapeHtml(label)}</a></li>`)
        .join('')}</ul></section>`)
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(page('twpki 範例入口網', `<h2>twpki 範例入口網</h2>${list}`));
  });
  if (options.devMailbox) {
    const mailbox = options.devMailbox;
    app.get('/dev/mailbox', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page('開發用信箱', mailboxPage(mailbox()))));
  }
  registerReviewerLogin(app, passwordHash, page, loginAttempts);
  refuseListenHooks(app);
  for (const system of options.systems) await system.register(app, context);
}

/**
 * Makes an `onListen` hook a system adds stop the start. Fastify runs those hooks from its own `listen()`, which the
 * portal never calls (`PortalServer` binds the port before the app is built): added, one would never run, silently.
 * Nothing of the portal's needs them (what a system does at start it does in `register`, or in an `onReady` hook,
 * which runs just before requests reach the routes), so they are refused rather than run by hand from Fastify's
 * internals. Set on the root, the check is inherited by every plugin context a system makes.
 */
function refuseListenHooks(app: FastifyInstance): void {
  const addHook = app.addHook as (this: FastifyInstance, name: string, hook: unknown) => FastifyInstance;
  app.addHook = function (this: FastifyInstance, name: string, hook: unknown): FastifyInstance {
    if (name === 'onListen') {
      throw new PortalConfigError(
        'systems',
        "a system adds an onListen hook, which would never run: the portal binds its own server and Fastify never listens; do that work in the system's register, or in an onReady hook (run just before the routes open)",
      );
    }
    return addHook.call(this, name, hook);
  } as FastifyInstance['addHook'];
}

/** The health check's path (answered over http even when the site is https). */
const HEALTH_PATH = '/healthz';

/**
 * Seconds a failed health check asks a client to wait (`Retry-After`): the database not answering, the SDK's wait for
 * a store that is unavailable (`ENROLL_RETRY_AFTER_SECONDS`), as the portal's own 503s for it. No verdict is cached:
 * the next check asks the database again. A load balancer polls on its own interval anyway; this is for the monitors
 * and scripts that honour the header.
 */
const HEALTH_RETRY_SECONDS = ENROLL_RETRY_AFTER_SECONDS.STORE_UNAVAILABLE;

/** Largest upload (the waste system's documents), one file per request. */
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** How long a session lives after its last change (twelve hours: a working day). */
const SESSION_TTL_MS = 12 * 60 * 60_000;

async function main(): Promise<void> {
  const { runDemo } = await import('./demo-setup.js');
  await runDemo(startPortal);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    // A configuration mistake is the operator's to fix: its message names the setting; a stack would bury it.
    console.error(err instanceof PortalConfigError ? `twpki portal: ${err.message}` : err);
    // The parts that started were stopped; what may linger (a connection attempt to a silent database) must not
    // keep a failed start running.
    process.exit(1);
  });
}
