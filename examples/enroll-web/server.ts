/**
 * The enrollment web app example: the MOENV account application with
 * citizen-card binding (seed moenv-gps-account-apply-and-card-binding), on
 * node:http with plain HTML/JS pages and only twpki's public API.
 *
 *   npx tsx examples/enroll-web/server.ts          # demo: test PKI, virtual card, local agent, SMTP sink
 *
 * Data lives in the embedded store (PGlite, in memory unless ENROLL_DATA_DIR
 * is set); DATABASE_URL switches to a PostgreSQL server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ChallengeIssuer, LoginVerifierBuilder, type CertificateInput } from 'twpki/cert';
import { InMemoryEmsSource, type ComparisonPolicy, type EmsSource } from 'twpki/ems';
import {
  AccountEnrollment,
  EmsLayerAdapter,
  systemClock,
  type Actor,
  type EnrollStore,
  type Mailer,
  type NoticeBranding,
} from 'twpki/enroll';
import { PgStore } from 'twpki/enroll/pg';
import { PgliteStore } from 'twpki/enroll/pglite';
import { SmtpMailer } from 'twpki/enroll/smtp';
import { EnrollApi, sendError } from './lib/enroll-api.js';
import { HttpError, sendHtml, sendStatic } from './lib/http.js';
import { mailboxPage, type MailboxEntry } from './lib/pages.js';
import { Sessions } from './lib/sessions.js';

/** Options of {@link startEnrollWeb}. */
export interface EnrollWebOptions {
  /** Port on 127.0.0.1 (default 8009; 0 picks a free one). */
  readonly port?: number;
  /** EMS basic-data records (基本資料表C), or any EMS source. */
  readonly ems: EmsSource | Iterable<unknown>;
  /** EMS comparison policy (default the seed's `strict`: 完全一致才算通過). */
  readonly policy?: ComparisonPolicy;
  /** Root certificates logins must chain to (GRCA in production). */
  readonly trustAnchors: readonly CertificateInput[];
  /** Issuing CA certificates (MOICA) the browser does not send. */
  readonly intermediates?: readonly CertificateInput[];
  /** Where pages find the local agent (default `http://localhost:61161`). */
  readonly agentUrl?: string;
  /** SMTP server for the notices (e.g. the example's sink); ignored when `mailer` is given. */
  readonly smtp?: { readonly host: string; readonly port: number };
  /** Any other mailer. */
  readonly mailer?: Mailer;
  /** Sender of the notices. */
  readonly mailFrom?: string;
  /** Wording of the notices. */
  readonly branding?: NoticeBranding;
  /** An open store; otherwise `databaseUrl` (PostgreSQL) or the embedded PGlite store. */
  readonly store?: EnrollStore;
  /** PostgreSQL connection string (default `process.env.DATABASE_URL`; `''` forces the embedded store). */
  readonly databaseUrl?: string;
  /** PGlite data directory (default in memory). */
  readonly dataDir?: string;
  /** Messages to show at `/dev/mailbox` (development: the SMTP sink's inbox). */
  readonly devMailbox?: () => readonly MailboxEntry[];
}

/** A running enrollment web app. */
export interface EnrollWeb {
  /** The site's origin, e.g. `http://127.0.0.1:8009`: trust it in the local agent. */
  readonly url: string;
  /** The store in use. */
  readonly store: EnrollStore;
  /** Stops the server and closes the store it opened. */
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/review': 'review.html',
  '/login': 'login.html',
  '/style.css': 'style.css',
  '/common.js': 'common.js',
  '/apply.js': 'apply.js',
  '/review.js': 'review.js',
  '/login.js': 'login.js',
};
const REVIEWER: Actor = { role: 'reviewer', id: 'enroll-web-reviewer' };
/** Where the pages load twpki/browser from (common.js imports it). */
const BROWSER_MODULE_PATH = '/twpki-browser.js';

/**
 * Bundles `twpki/browser` for the pages with esbuild, once at start. The
 * package name resolves like the example's other imports: to the installed
 * package's `dist/browser`, or in this repository (through tsconfig paths) to
 * the sources.
 */
async function bundleBrowserModule(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    stdin: { contents: "export * from 'twpki/browser';", resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

async function openStore(options: EnrollWebOptions): Promise<{ store: EnrollStore; owned: boolean }> {
  if (options.store) return { store: options.store, owned: false };
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) return { store: await PgStore.open({ connectionString: url }), owned: true };
  const dataDir = options.dataDir ?? process.env.ENROLL_DATA_DIR;
  return { store: await PgliteStore.open(dataDir ? { dataDir } : {}), owned: true };
}

function mailerOf(options: EnrollWebOptions): { mailer: Mailer; close?: () => void } {
  if (options.mailer) return { mailer: options.mailer };
  if (!options.smtp) throw new RangeError('startEnrollWeb needs `smtp` or `mailer`');
  const smtp = new SmtpMailer({
    from: options.mailFrom ?? '帳號申請客服 <noreply@enroll.example.gov.tw>',
    transport: { host: options.smtp.host, port: options.smtp.port, secure: false, ignoreTLS: true },
  });
  return { mailer: smtp, close: () => smtp.close() };
}

/** Starts the example on 127.0.0.1. */
export async function startEnrollWeb(options: EnrollWebOptions): Promise<EnrollWeb> {
  const { store, owned } = await openStore(options);
  const mail = mailerOf(options);
  const ems = Symbol.iterator in options.ems ? new InMemoryEmsSource(options.ems as Iterable<unknown>) : (options.ems as EmsSource);
  const compare = { policy: options.policy ?? 'strict' } as const;
  const sessions = new Sessions();
  const agentUrl = options.agentUrl ?? 'http://localhost:61161';
  const browserModule = await bundleBrowserModule();
  let api: EnrollApi | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const session = sessions.of(req, res);
    if (api && (await api.handle(req, res, url, session))) return;
    if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'method not allowed');
    if (url.pathname === '/dev/mailbox' && options.devMailbox) {
      sendHtml(res, 200, mailboxPage(options.devMailbox()));
      return;
    }
    if (url.pathname === BROWSER_MODULE_PATH) {
      res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      res.end(browserModule);
      return;
    }
    const file = STATIC[url.pathname];
    if (file === undefined) throw new HttpError(404, 'NOT_FOUND', 'not found');
    await sendStatic(res, PUBLIC_DIR, file);
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => (res.headersSent ? res.end() : sendError(res, err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8009, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer = new ChallengeIssuer();
  const verifier = new LoginVerifierBuilder()
    .withTrustAnchors(...options.trustAnchors)
    .withIntermediates(...(options.intermediates ?? []))
    .withAllowedOrigins(origin)
    .withChallenges(issuer)
    // The example has no OCSP responder to ask; a deployment configures withRevocationChecker.
    .withoutRevocationCheck()
    .build();
  const emsAdapter = new EmsLayerAdapter(ems, compare);
  const flow = new AccountEnrollment({
    store,
    clock: systemClock,
    mailer: mail.mailer,
    ems: emsAdapter,
    emsRecords: emsAdapter,
    activationLink: (token) => `${origin}/activate?key=${encodeURIComponent(token)}`,
    ...(options.branding ? { branding: options.branding } : {}),
  });
  api = new EnrollApi({ flow, store, ems, compare, issuer, verifier, origin, agentUrl, reviewer: REVIEWER });

  return {
    url: origin,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      mail.close?.();
      if (owned) await store.close();
    },
  };
}

async function main(): Promise<void> {
  const { runDemo } = await import('./demo-setup.js');
  await runDemo(startEnrollWeb);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
