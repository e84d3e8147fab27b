/**
 * The reference portal's start with the configuration mistakes an operator
 * makes: each stops the start with a PortalConfigError naming the setting to
 * fix (never a library's bare message, a stack, or a silent default that
 * fails later), and the server script prints that one line.
 */
import { execFile } from 'node:child_process';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Mailer } from 'twpki/enroll';
import { PgliteStore } from 'twpki/enroll/pglite';
import { createTestPki, type TestPki } from 'twpki/testing';
import { demoTrust } from '../../examples/portal/demo-setup.js';
import { hashReviewerPassword } from '../../examples/portal/core/reviewer.js';
import { PortalConfigError, startPortal, type PortalOptions } from '../../examples/portal/server.js';
import { previousSecretsOf } from '../../examples/portal/core/config.js';
import { openPglite } from '../enroll/helpers.js';
import { quietPort } from '../support/quiet-port.js';

const noMail: Mailer = { send: () => Promise.resolve() };
const SECRET = 'a-session-secret-of-forty-characters-123';
const KEY = Buffer.alloc(32, 7).toString('base64url');
/**
 * The reviewer password the starts are given, hashed once: `reviewerPassword` is hashed (scrypt) first thing in
 * every start, refused ones included. The tests of the hash setting itself clear it.
 */
const REVIEWER_HASH = hashReviewerPassword('x-reviewer');
const VARIABLES = ['PORTAL_SESSION_SECRET', 'PORTAL_HOLDER_KEY', 'PORTAL_SESSION_SECRET_PREVIOUS', 'PORTAL_HOLDER_KEY_PREVIOUS', 'PORTAL_PUBLIC_ORIGIN', 'PORTAL_REVIEWER_PASSWORD_HASH', 'NODE_ENV', 'DATABASE_URL'] as const;

let pki: TestPki;
const saved = new Map<string, string | undefined>();
/**
 * The embedded store the starts that get that far run on (the shared migrated snapshot: a fresh embedded
 * database's initdb took a test past its timeout beside a loaded suite). Opened once for the file, before the tests
 * (loading even the snapshot took the first test that used it past its 30 s beside a heavily loaded run): the portal
 * does not own a store it is given, so each start leaves it open for the next.
 */
let shared: Promise<PgliteStore> | undefined;
const sharedStore = (): Promise<PgliteStore> => (shared ??= openPglite());
/**
 * A data directory holding the migrated snapshot, what PORTAL_DATA_DIR names after a first start: for the starts
 * that open a store from a directory and then fail (a system's registration, the portal's own port taken). Each
 * opens it, fails and closes it; seeding it boots PGlite, so it is seeded once for the file (before the tests, as
 * the shared store).
 */
let seeded: Promise<string> | undefined;
const seededDataDir = (): Promise<string> =>
  (seeded ??= (async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'portal-config-data-')), 'data');
    await (await openPglite(dataDir)).close();
    return dataDir;
  })());
beforeAll(async () => {
  for (const v of VARIABLES) saved.set(v, process.env[v]);
  [pki] = await Promise.all([createTestPki(), sharedStore(), seededDataDir()]);
}, 60_000);
afterAll(async () => {
  await (await shared)?.close();
  const dataDir = await seeded;
  if (dataDir !== undefined) rmSync(join(dataDir, '..'), { recursive: true, force: true });
});
afterEach(() => {
  for (const v of VARIABLES) {
    const value = saved.get(v);
    if (value === undefined) delete process.env[v];
    else process.env[v] = value;
  }
});

function options(extra: Partial<PortalOptions> = {}): PortalOptions {
  return { port: 0, systems: [], ...demoTrust(pki), mailer: noMail, reviewerPasswordHash: REVIEWER_HASH, databaseUrl: '', ...extra };
}

/** The start's refusal: a PortalConfigError whose setting and message name `setting`. */
async function refused(start: Promise<unknown>, setting: string): Promise<PortalConfigError> {
  const error = await start.then(
    async (portal) => {
      await (portal as { close(): Promise<void> }).close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PortalConfigError);
  const config = error as PortalConfigError;
  expect(config.code).toBe('PORTAL_CONFIG');
  expect(config.setting).toBe(setting);
  expect(config.message).toContain(setting);
  return config;
}

describe('startPortal refuses a configuration that cannot work, naming the setting', () => {
  it('a short PORTAL_SESSION_SECRET or PORTAL_HOLDER_KEY', async () => {
    process.env.PORTAL_SESSION_SECRET = 'short';
    expect((await refused(startPortal(options()), 'PORTAL_SESSION_SECRET')).message).toMatch(/32/);
    process.env.PORTAL_SESSION_SECRET = SECRET;
    process.env.PORTAL_HOLDER_KEY = 'c2hvcnQ';
    expect((await refused(startPortal(options()), 'PORTAL_HOLDER_KEY')).message).toMatch(/decodes to 5/);
  });

  it('a previous secret of a rotation that is short, or too many of them', async () => {
    process.env.PORTAL_SESSION_SECRET = SECRET;
    process.env.PORTAL_SESSION_SECRET_PREVIOUS = `${SECRET}-older,short`;
    expect((await refused(startPortal(options()), 'PORTAL_SESSION_SECRET_PREVIOUS')).message).toMatch(/entry 2 must be at least 32 random bytes \(it has 5\)/);
    process.env.PORTAL_SESSION_SECRET_PREVIOUS = Array.from({ length: 5 }, (_, i) => `${SECRET}-${i}`).join(',');
    expect((await refused(startPortal(options()), 'PORTAL_SESSION_SECRET_PREVIOUS')).message).toMatch(/at most 4/);
    delete process.env.PORTAL_SESSION_SECRET_PREVIOUS;
    process.env.PORTAL_HOLDER_KEY_PREVIOUS = 'c2hvcnQ';
    expect((await refused(startPortal(options()), 'PORTAL_HOLDER_KEY_PREVIOUS')).message).toMatch(/entry 1 must be base64url of at least 32 random bytes \(it decodes to 5\)/);
    expect((await refused(startPortal(options({ previousHolderKeys: [new Uint8Array(8)] })), 'previousHolderKeys')).message).toMatch(/entry 1/);
  });

  it('takes previous secrets as given: a space around a comma is refused, one inside a secret given as an option kept', () => {
    const fromEnv = (value: string): Buffer[] => previousSecretsOf({ value, setting: 'PORTAL_SESSION_SECRET_PREVIOUS' }, { minBytes: 32, decode: 'utf8' });
    expect(fromEnv(`${SECRET},${SECRET}-2`).map((b) => b.toString('utf8'))).toEqual([SECRET, `${SECRET}-2`]);
    expect(() => fromEnv(`${SECRET}, ${SECRET}-2`)).toThrow(/PORTAL_SESSION_SECRET_PREVIOUS: entry 2 starts or ends with a space/);
    const fromOption = previousSecretsOf({ value: [` ${SECRET} `], setting: 'previousSessionSecrets' }, { minBytes: 32, decode: 'utf8' });
    expect(fromOption.map((b) => b.toString('utf8'))).toEqual([` ${SECRET} `]);
  });

  it('a deployment (public origin set, or NODE_ENV=production) without the shared secrets', async () => {
    process.env.PORTAL_PUBLIC_ORIGIN = 'https://portal.example.gov.tw';
    await refused(startPortal(options()), 'PORTAL_SESSION_SECRET');
    process.env.PORTAL_SESSION_SECRET = SECRET;
    await refused(startPortal(options()), 'PORTAL_HOLDER_KEY');
    delete process.env.PORTAL_PUBLIC_ORIGIN;
    delete process.env.PORTAL_SESSION_SECRET;
    process.env.NODE_ENV = 'production';
    await refused(startPortal(options()), 'PORTAL_SESSION_SECRET');
  });

  it('a deployment with the development mailbox (every mail, activation links and 驗證碼 included, open to all)', async () => {
    const secrets = { sessionSecret: SECRET, holderKey: Buffer.alloc(32, 1) };
    const devMailbox = (): never[] => [];
    const error = await refused(startPortal(options({ ...secrets, publicOrigin: 'https://portal.example.gov.tw', devMailbox })), 'devMailbox');
    expect(error.message).toMatch(/refused when publicOrigin is set/);
    process.env.NODE_ENV = 'production';
    await refused(startPortal(options({ ...secrets, devMailbox })), 'devMailbox');
    // Outside a deployment it is served, as the demo uses it.
    delete process.env.NODE_ENV;
    const portal = await startPortal(options({ store: await sharedStore(), devMailbox }));
    try {
      expect((await fetch(`${portal.url}/dev/mailbox`)).status).toBe(200);
    } finally {
      await portal.close();
    }
  });

  it('a public origin with a path, a trailing slash or no scheme', async () => {
    const secrets = { sessionSecret: SECRET, holderKey: Buffer.alloc(32, 1) };
    for (const bad of ['https://portal.example.gov.tw/', 'https://portal.example.gov.tw/portal', 'portal.example.gov.tw', 'ftp://portal.example.gov.tw']) {
      await refused(startPortal(options({ ...secrets, publicOrigin: bad })), 'publicOrigin');
    }
    process.env.PORTAL_PUBLIC_ORIGIN = 'https://portal.example.gov.tw/';
    process.env.PORTAL_HOLDER_KEY = KEY;
    process.env.PORTAL_SESSION_SECRET = SECRET;
    await refused(startPortal(options()), 'PORTAL_PUBLIC_ORIGIN');
  });

  it('a malformed reviewer password hash (which would refuse every password)', async () => {
    const good = hashReviewerPassword('reviewer');
    for (const bad of ['scrypt$$', 'plain-password', `bcrypt${good.slice(6)}`, `${good}$extra`, good.slice(0, -8), good.replace(/\$[^$]*\$/, '$!!!$')]) {
      await refused(startPortal(options({ reviewerPasswordHash: bad })), 'reviewerPasswordHash');
    }
    process.env.PORTAL_REVIEWER_PASSWORD_HASH = 'scrypt$abc$def';
    await refused(startPortal(options({ reviewerPasswordHash: undefined })), 'PORTAL_REVIEWER_PASSWORD_HASH');
    // A good hash from the environment is taken (on the shared migrated snapshot).
    process.env.PORTAL_REVIEWER_PASSWORD_HASH = good;
    const portal = await startPortal(options({ reviewerPasswordHash: undefined, store: await sharedStore() }));
    await portal.close();
  });

  it('a DATABASE_URL no server answers, without echoing its password', async () => {
    process.env.DATABASE_URL = 'postgres://portal:hunter2-secret@127.0.0.1:1/portal';
    const error = await refused(startPortal(options({ databaseUrl: undefined })), 'DATABASE_URL');
    expect(error.message).toContain('127.0.0.1:1/portal');
    expect(error.message).not.toContain('hunter2');
  });

  it('a DATABASE_URL whose server accepts and never answers, within the wait', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const sockets = new Set<import('node:net').Socket>();
    silent.on('connection', (socket) => sockets.add(socket));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      const error = await refused(startPortal(options({ databaseUrl: `postgres://portal:pw@127.0.0.1:${port}/portal`, databaseTimeoutMs: 1_000 })), 'databaseUrl');
      expect(error.message).toMatch(/no answer within 1000 ms/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('no mail server and no mailer, refused before the database is asked', async () => {
    // The URL names a port nothing listens on: asked first, the database would have been the refusal.
    const error = await refused(startPortal(options({ mailer: undefined, databaseUrl: 'postgres://portal:pw@127.0.0.1:1/portal' })), 'smtp');
    expect(error.message).toMatch(/`smtp`.*or `mailer`/);
  });

  it('a start that fails after its store opened closes the store it opened', async () => {
    const dataDir = await seededDataDir();
    const closed = vi.spyOn(PgliteStore.prototype, 'close');
    try {
      const failing = { id: 'broken', title: 'broken', links: [], register: () => Promise.reject(new Error('the system could not register')) };
      await expect(startPortal(options({ systems: [failing], dataDir }))).rejects.toThrow('the system could not register');
      expect(closed).toHaveBeenCalledTimes(1);
    } finally {
      closed.mockRestore();
    }
  });

  it('a start that fails after binding does not wait for a client that sent half a request: it rejects at once, closing that connection', async () => {
    let socket: Socket | undefined;
    let socketClosed: Promise<void> | undefined;
    let failedAt = 0;
    const failing = {
      id: 'broken',
      title: 'broken',
      links: [],
      async register(_app: unknown, context: { origin: string }) {
        const url = new URL(context.origin);
        const half = connect(Number(url.port), url.hostname);
        socket = half;
        half.on('error', () => undefined);
        socketClosed = new Promise((resolve) => half.once('close', () => resolve()));
        await new Promise((resolve) => half.once('connect', resolve));
        // Headers that never end: Node holds the connection for its request, past a plain close, until the timeout.
        half.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n`);
        // A request made after it is answered (503: not ready yet) once the server has taken both connections.
        expect((await fetch(`${context.origin}/healthz`)).status).toBe(503);
        failedAt = Date.now();
        throw new Error('the system could not register');
      },
    };
    const start = startPortal(options({ systems: [failing], store: await sharedStore() })).then(
      (portal) => portal.close().then(() => 'started'),
      (err: unknown) => err,
    );
    const waited = (ms: number) => new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms));
    try {
      // Node's wait for a request's headers is 60 s here (the request timeout is 120 s): 2 s is "at once".
      const outcome = await Promise.race([start, waited(2_000)]);
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toBe('the system could not register');
      expect(Date.now() - failedAt).toBeLessThan(2_000);
      expect(await Promise.race([socketClosed?.then(() => 'closed'), waited(500)])).toBe('closed');
    } finally {
      // Let a start that waits for the socket (the old code) end, so the test's failure is its own.
      socket?.destroy();
      await start;
    }
  });

  it("a system's onListen hook, which Fastify would never run (the portal binds its own server): refused, added directly or in a plugin", async () => {
    let ran = 0;
    const hook = async (): Promise<void> => {
      ran += 1;
    };
    const direct = { id: 'direct', title: 'direct', links: [], register: async (app: FastifyInstance) => void app.addHook('onListen', hook) };
    const nested = {
      id: 'nested',
      title: 'nested',
      links: [],
      register: async (app: FastifyInstance) => {
        // Not awaited, as a card step registers its plugin: it loads when the app is made ready.
        void app.register(async (child) => child.addHook('onListen', hook));
      },
    };
    for (const system of [direct, nested]) {
      const error = await refused(startPortal(options({ systems: [system], store: await sharedStore() })), 'systems');
      expect(error.message).toMatch(/onListen hook, which would never run/);
    }
    expect(ran).toBe(0);
  });

  it("a logger without pino's methods (console has no fatal nor child), before the port is bound", async () => {
    // The port is taken: a check made after binding would name `port`.
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      const cases: Array<[unknown, string]> = [
        [console, 'fatal, child'],
        [{ ...console, fatal: console.error, child: 'no' }, 'child'],
        [true, 'fatal, error, warn, info, debug, trace, child'],
      ];
      for (const [logger, missing] of cases) {
        const error = await refused(startPortal(options({ port, logger: logger as PortalOptions['logger'] })), 'logger');
        expect(error.message).toContain(`this one has no ${missing}`);
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('a port in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      // On the shared migrated snapshot (as above): the refusal is the listen's, not the database's.
      const error = await refused(startPortal(options({ port, store: await sharedStore() })), 'port');
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toMatch(/in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('startPortal on port 0', () => {
  it('holds the port its origin names from before the routes are built: nothing else can take it, and a request that early gets 503', async () => {
    let early: { origin: string; listen: string | undefined; status: number; retryAfter: string | null } | undefined;
    const probe = {
      id: 'probe',
      title: 'probe',
      links: [],
      async register(_app: unknown, context: { origin: string }) {
        // While the portal is still being built: another listener on the port its origin names, and a request.
        const other = createServer();
        const listen = await new Promise<string | undefined>((resolve) => {
          other.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
          other.listen(Number(new URL(context.origin).port), '127.0.0.1', () => other.close(() => resolve(undefined)));
        });
        const response = await fetch(`${context.origin}/healthz`);
        early = { origin: context.origin, listen, status: response.status, retryAfter: response.headers.get('retry-after') };
      },
    };
    const portal = await startPortal(options({ systems: [probe], store: await sharedStore() }));
    try {
      expect(early).toEqual({ origin: portal.listenUrl, listen: 'EADDRINUSE', status: 503, retryAfter: '1' });
      expect(portal.url).toBe(portal.listenUrl);
      expect((await fetch(`${portal.listenUrl}/healthz`)).status).toBe(200);
    } finally {
      await portal.close();
    }
    // Closed, the port is let go.
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(Number(new URL(portal.listenUrl).port), '127.0.0.1', resolve);
    });
    await new Promise((resolve) => again.close(resolve));
  });
});

describe('Portal.close', () => {
  /** A system with `GET /slow`, answered when `answer()` is called. */
  function slowSystem() {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const system = {
      id: 'slow',
      title: 'slow',
      links: [],
      async register(app: { get(path: string, handler: () => Promise<object>): void }) {
        app.get('/slow', async () => {
          arrived();
          await answered;
          return { ok: true };
        });
      },
    };
    return { system, answer, arrival };
  }

  /** Whether `port` on 127.0.0.1 can be listened on. */
  function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  }

  /** A GET over a keep-alive connection (as browsers and proxies keep them), resolving to its status. */
  function keptAliveGet(url: string, agent: HttpAgent): Promise<number> {
    return new Promise((resolve, reject) => {
      const sent = httpRequest(url, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      sent.on('error', reject);
      sent.end();
    });
  }

  it('called twice, neither resolves before the request still being answered is done', async () => {
    const { system, answer, arrival } = slowSystem();
    const portal = await startPortal(options({ systems: [system], store: await sharedStore() }));
    const agent = new HttpAgent({ keepAlive: true });
    const order: string[] = [];
    const request = keptAliveGet(`${portal.listenUrl}/slow`, agent);
    await arrival;
    const closes = [portal.close().then(() => order.push('first close')), portal.close().then(() => order.push('second close'))];
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('answer');
    answer();
    expect(await request).toBe(200);
    await Promise.all(closes);
    agent.destroy();
    expect(order[0]).toBe('answer');
    expect(order.slice(1).sort()).toEqual(['first close', 'second close']);
  });

  it('a request answered during close on a keep-alive connection does not hold the close until the connection times out', async () => {
    const { system, answer, arrival } = slowSystem();
    const portal = await startPortal(options({ systems: [system], store: await sharedStore() }));
    const agent = new HttpAgent({ keepAlive: true });
    const request = keptAliveGet(`${portal.listenUrl}/slow`, agent);
    await arrival;
    const closed = portal.close().then(() => Date.now());
    // Answered once the close has stopped the server listening.
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer();
    expect(await request).toBe(200);
    const answeredAt = Date.now();
    // Node keeps an idle keep-alive connection 5 s; the close is done well before.
    expect((await closed) - answeredAt).toBeLessThan(2_000);
    agent.destroy();
  });

  it('a client that sent half a request does not hold the close until the request timeout: its connection is ended', async () => {
    const portal = await startPortal(options({ store: await sharedStore() }));
    const url = new URL(portal.listenUrl);
    const half = connect(Number(url.port), url.hostname);
    half.on('error', () => undefined);
    const socketClosed = new Promise<'closed'>((resolve) => half.once('close', () => resolve('closed')));
    await new Promise((resolve) => half.once('connect', resolve));
    // Headers that never end: Node counts the connection busy, past a plain close, until the request timeout.
    half.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n`);
    // Answered on another connection once the server has taken both.
    expect((await fetch(`${portal.listenUrl}/healthz`)).status).toBe(200);
    const waited = (ms: number) => new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms));
    const closed = portal.close().then(() => 'closed' as const);
    try {
      // Node's wait for a request's headers is 60 s here: 2 s is "at once".
      expect(await Promise.race([closed, waited(2_000)])).toBe('closed');
      expect(await Promise.race([socketClosed, waited(500)])).toBe('closed');
    } finally {
      // Let a close that waits for the socket (the old code) end, so the test's failure is its own.
      half.destroy();
      await closed;
    }
  });

  it("a system's onClose hook that fails: close rejects with its error, and the port is let go all the same", async () => {
    const failing = {
      id: 'failing',
      title: 'failing',
      links: [],
      async register(app: { addHook(name: 'onClose', hook: () => Promise<void>): void }) {
        app.addHook('onClose', async () => {
          throw new Error('the system could not stop');
        });
      },
    };
    const portal = await startPortal(options({ systems: [failing], store: await sharedStore() }));
    await expect(portal.close()).rejects.toThrow('the system could not stop');
    expect(await portFree(Number(new URL(portal.listenUrl).port))).toBe(true);
  });
});

describe('the server script', () => {
  const run = promisify(execFile);
  const server = fileURLToPath(new URL('../../examples/portal/server.ts', import.meta.url));
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
  let ports: number[] = [];
  /**
   * The seeded data directory, for the one start that gets as far as opening its store (the portal's own port
   * taken): without it that child ran initdb and the migrations first, most of its CPU, before the listen that is
   * the point.
   */
  let dataDir = '';
  beforeAll(async () => {
    ports = [];
    dataDir = await seededDataDir();
    // Two sets of three: the two port-in-use starts run side by side, each on its own free ports. Chosen below the
    // ephemeral range, where no other test's connection or listen(0) takes them before the child binds them.
    while (ports.length < 6) {
      const port = await quietPort();
      if (!ports.includes(port)) ports.push(port);
    }
  });

  /** Runs the demo server with `env` over free ports; it must stop at once with one explained line. */
  async function failingStart(env: Record<string, string>, set = 0): Promise<string> {
    const [port, smtp, agent] = ports.slice(set * 3, set * 3 + 3);
    const all = { ...process.env, PORT: String(port), SMTP_PORT: String(smtp), AGENT_PORT: String(agent), DATABASE_URL: '', ...env };
    // The checkout's tsx itself (npx only looked it up, at a few hundred ms of CPU per start).
    const result = await run(tsx, [server], { env: all, cwd: root, timeout: 90_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code, stderr: e.stderr ?? '' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^twpki portal: /);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    return result.stderr;
  }

  it('prints one line naming the variable, no stack, and exits 1', async () => {
    // Both stop before anything listens, so they can run side by side.
    const [secret, smtp] = await Promise.all([failingStart({ PORTAL_SESSION_SECRET: 'too-short' }), failingStart({ SMTP_PORT: 'twenty-five' })]);
    expect(secret).toContain('PORTAL_SESSION_SECRET');
    expect(smtp).toContain('SMTP_PORT');
  }, 240_000);

  it('refuses a PORTAL_LOG_LEVEL that is not one of pino\'s levels, naming the variable and the levels', async () => {
    // `warning` is no pino level: taken as off, the errors the operator wanted to see would go unseen.
    const stderr = await failingStart({ PORTAL_LOG_LEVEL: 'warning' });
    expect(stderr).toMatch(/^twpki portal: PORTAL_LOG_LEVEL: must be one of pino's levels \(fatal, error, warn, info, debug, trace, silent\), not "warning"/);
  }, 120_000);

  it('names the port in use, whichever part it is', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = String((blocker.address() as AddressInfo).port);
    try {
      // Side by side: each on its own set of free ports, so the only port they share is the taken one.
      const [portTaken, smtpTaken] = await Promise.all([failingStart({ PORT: taken, PORTAL_DATA_DIR: dataDir }, 0), failingStart({ SMTP_PORT: taken }, 1)]);
      expect(portTaken).toMatch(new RegExp(`PORT.*127\\.0\\.0\\.1:${taken} is in use`));
      expect(smtpTaken).toMatch(/SMTP_PORT.*in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 240_000);
});
