/**
 * The twpki reference portal: the seed systems' web pages on one Fastify app,
 * one folder per system (gps/, gepi/), built on twpki's public API only.
 *
 *   npx tsx examples/portal/server.ts      # demo: test PKI, virtual cards, local agent, mail sink
 *
 * Data lives in the embedded store (PGlite, in memory unless PORTAL_DATA_DIR
 * is set); DATABASE_URL switches to a PostgreSQL server.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ChallengeIssuer, LoginVerifierBuilder, type CertificateInput } from 'twpki/cert';
import { EnrollError, InvalidInputError, systemClock, type Clock, type EnrollStore, type Mailer } from 'twpki/enroll';
import { PgStore } from 'twpki/enroll/pg';
import { PgliteStore } from 'twpki/enroll/pglite';
import { SmtpMailer } from 'twpki/enroll/smtp';
import { cardLogin } from 'twpki/fastify';
import { defaultMessages } from 'twpki/messages';
import { TwpkiError } from 'twpki';
import { bundleBrowserModule } from './core/browser-module.js';
import { VerifiedCards } from './core/card-view.js';
import type { CapturedMail } from './core/mail-sink.js';
import { PageError, escapeHtml, type PortalContext, type PortalSystem } from './core/portal.js';
import { hashReviewerPassword, registerReviewerLogin, requireReviewer } from './core/reviewer.js';

/** Options of {@link startPortal}. */
export interface PortalOptions {
  /** The systems to serve (e.g. `[gpsSystem(…), gepiSystem(…)]`). */
  readonly systems: readonly PortalSystem[];
  /** Port on 127.0.0.1 (default 8009; 0 picks a free one). */
  readonly port?: number;
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
  /** PGlite data directory (default in memory). */
  readonly dataDir?: string;
  /** Time source of the flows (default the system clock). */
  readonly clock?: Clock;
  /** Messages shown at `/dev/mailbox` (development: the mail sink's inbox). */
  readonly devMailbox?: () => readonly CapturedMail[];
}

/** A running portal. */
export interface Portal {
  /** The site's origin, e.g. `http://127.0.0.1:8009`: trust it in the local agent. */
  readonly url: string;
  /** The store in use. */
  readonly store: EnrollStore;
  /** The Fastify instance. */
  readonly app: FastifyInstance;
  /** Stops the server and closes what it opened. */
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

async function openStore(options: PortalOptions): Promise<{ store: EnrollStore; owned: boolean }> {
  if (options.store) return { store: options.store, owned: false };
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) return { store: await PgStore.open({ connectionString: url }), owned: true };
  const dataDir = options.dataDir ?? process.env.PORTAL_DATA_DIR;
  return { store: await PgliteStore.open(dataDir ? { dataDir } : {}), owned: true };
}

function mailerOf(options: PortalOptions): { mailer: Mailer; close?: () => void } {
  if (options.mailer) return { mailer: options.mailer };
  if (!options.smtp) throw new RangeError('startPortal needs `smtp` or `mailer`');
  const smtp = new SmtpMailer({
    from: options.mailFrom ?? 'twpki 範例入口網 <noreply@portal.example.gov.tw>',
    transport: { host: options.smtp.host, port: options.smtp.port, secure: false, ignoreTLS: true },
  });
  return { mailer: smtp, close: () => smtp.close() };
}

const ENROLL_STATUS: Partial<Record<string, number>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  NOT_AUTHORIZED: 403,
  FORBIDDEN: 403,
  WRONG_CARD_TYPE: 403,
  EMS_FAILURE: 502,
  MAIL_FAILED: 502,
};

/** Every failure as `{ error: { code, message, issues? } }`, the message in Chinese from the catalogue. */
function errorAnswer(err: unknown): { status: number; body: object } {
  if (err instanceof PageError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  if (err instanceof EnrollError) {
    const message = defaultMessages.describe(err).messages.zhTW;
    // Each refused field in the catalogue's words; the issue's English detail stays on the server.
    const issues =
      err instanceof InvalidInputError
        ? { issues: err.issues.map((i) => ({ field: i.field, code: i.code, message: defaultMessages.fieldIssueMessages(i).zhTW })) }
        : {};
    const retry = 'retryNotBefore' in err ? { retryNotBefore: (err as { retryNotBefore: string }).retryNotBefore } : {};
    return { status: ENROLL_STATUS[err.code] ?? 409, body: { error: { code: err.code, message, ...issues, ...retry } } };
  }
  const status = (err as FastifyError).statusCode;
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

/** The key verified cards are sealed under: PORTAL_HOLDER_KEY, or one per start. */
function holderKey(): Uint8Array {
  const configured = process.env.PORTAL_HOLDER_KEY;
  if (configured === undefined) return randomBytes(32);
  const key = Buffer.from(configured, 'base64url');
  if (key.length < 32) throw new RangeError(`PORTAL_HOLDER_KEY must be base64url of at least 32 random bytes (it decodes to ${key.length})`);
  return key;
}

/** Starts the portal on 127.0.0.1. */
export async function startPortal(options: PortalOptions): Promise<Portal> {
  const passwordHash = options.reviewerPasswordHash ?? (options.reviewerPassword ? hashReviewerPassword(options.reviewerPassword) : undefined);
  if (passwordHash === undefined) throw new RangeError('startPortal needs `reviewerPassword` or `reviewerPasswordHash`');
  const [{ store, owned }, browserModule] = await Promise.all([openStore(options), bundleBrowserModule()]);
  const mail = mailerOf(options);
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  const page = layout(options.systems);

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    // A per-start secret: sessions end with the process (PORTAL_SESSION_SECRET keeps them).
    secret: process.env.PORTAL_SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    cookieName: 'portal_sid',
    // SameSite=Strict: card, review and operator calls cannot be triggered from other sites.
    cookie: { secure: false, httpOnly: true, sameSite: 'strict', path: '/' },
    saveUninitialized: true,
  });
  await app.register(fastifyFormbody);
  // For systems that take uploads (the waste system's signed form); GPS and GEPI take none.
  await app.register(fastifyMultipart, { limits: { fileSize: 5 * 1024 * 1024, files: 1 } });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/' });

  // The origin is part of what cards sign, so the port is fixed before the routes are built.
  const port = options.port === 0 ? await freePort() : (options.port ?? 8009);
  const origin = `http://127.0.0.1:${port}`;
  const challenges = new ChallengeIssuer();
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
    mailer: mail.mailer,
    // PORTAL_HOLDER_KEY (base64url, 32 bytes or more) lets verified cards outlive a restart, as PORTAL_SESSION_SECRET does sessions.
    cards: new VerifiedCards(holderKey(), options.clock ?? systemClock),
    reviewer: { role: 'reviewer', id: 'portal-reviewer' },
    page,
    requireReviewer,
    cardStep(scope, prefix, onVerified, guard) {
      void scope.register(async (step) => {
        if (guard) {
          step.addHook('preHandler', async (request, reply) => {
            try {
              guard(request);
            } catch (err) {
              const { status, body } = errorAnswer(err);
              await reply.code(status).send(body);
            }
          });
        }
        await step.register(cardLogin, {
          prefix,
          verifier,
          challenges,
          origin,
          sessionId: (request) => request.session.sessionId,
          onLogin: (login, request) => onVerified(login, request),
          onError: (error) => {
            if (!(error instanceof TwpkiError)) scope.log.warn(error);
          },
        });
      });
    },
  };

  // Cross-site writes are refused outright; SameSite cookies are the second line.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (request.headers.origin !== origin) {
      await reply.code(403).send({ error: { code: 'FOREIGN_ORIGIN', message: '請由本網站操作' } });
    }
  });
  app.setErrorHandler(async (err, request, reply) => {
    const { status, body } = errorAnswer(err);
    if (status >= 500) request.log.error(err);
    return reply.code(status).header('cache-control', 'no-store').send(body);
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
  registerReviewerLogin(app, passwordHash, page);
  for (const system of options.systems) await system.register(app, context);

  try {
    await app.listen({ port, host: '127.0.0.1' });
  } catch (err) {
    mail.close?.();
    if (owned) await store.close();
    throw err;
  }
  return {
    url: origin,
    store,
    app,
    async close() {
      await app.close();
      mail.close?.();
      if (owned) await store.close();
    },
  };
}

/** A free port on 127.0.0.1 (asked of the OS, then released). */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const { runDemo } = await import('./demo-setup.js');
  await runDemo(startPortal);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
