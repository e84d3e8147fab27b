/**
 * The reference portal's limits over HTTP, against started portals on the
 * embedded store: wrong reviewer passwords per client address (counted in
 * the database, so across instances), card challenges per client address,
 * and `/healthz` saying whether the database answers.
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Mailer } from 'twpki/enroll';
import type { PgliteStore } from 'twpki/enroll/pglite';
import { createTestPki, type TestPki } from 'twpki/testing';
import { DEMO_EMS_RECORDS, demoTrust } from '../../examples/portal/demo-setup.js';
import { gpsSystem } from '../../examples/portal/gps/index.js';
import { hashReviewerPassword } from '../../examples/portal/core/reviewer.js';
import { PortalConfigError, startPortal, type Portal, type PortalOptions } from '../../examples/portal/server.js';
import { openPglite } from '../enroll/helpers.js';
import { printable, recordingLogger, type Logged } from './support/recording-logger.js';

const PASSWORD = 'limits-reviewer-1';
/**
 * Its scrypt hash, made once: given `reviewerPassword`, each of the twenty-odd starts hashed it again (scrypt,
 * N=2^14), several seconds of this file's CPU. The logins check the password against it as before; the option's own
 * path (a password hashed at start) is the other portal tests'.
 */
const PASSWORD_HASH = hashReviewerPassword(PASSWORD);
const noMail: Mailer = { send: () => Promise.resolve() };
const VARIABLES = [
  'PORTAL_REVIEWER_LOGIN_MAX_FAILURES',
  'PORTAL_REVIEWER_LOGIN_WINDOW_SECONDS',
  'PORTAL_REVIEWER_LOGIN_LOCKOUT_SECONDS',
  'PORTAL_CHALLENGE_LIMIT',
  'PORTAL_CHALLENGE_WINDOW_SECONDS',
  'PORTAL_APPLICATION_LIMIT',
  'PORTAL_APPLICATION_WINDOW_SECONDS',
  'PORTAL_HEALTH_TIMEOUT_MS',
  'PORTAL_REQUEST_TIMEOUT_SECONDS',
  'PORTAL_TRUST_PROXY',
  'PORTAL_PUBLIC_ORIGIN',
  'NODE_ENV',
  'DATABASE_URL',
] as const;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  retryAfter: string | null;
  cookie: string | null;
}

let pki: TestPki;
let store: PgliteStore;
const saved = new Map<string, string | undefined>();
const open: Portal[] = [];

beforeAll(async () => {
  for (const v of VARIABLES) saved.set(v, process.env[v]);
  for (const v of VARIABLES) delete process.env[v];
  [pki, store] = await Promise.all([createTestPki(), openPglite()]);
}, 60_000);
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  for (const v of VARIABLES) delete process.env[v];
  // Each test counts its own attempts.
  await store.transaction(async (tx) => {
    const [table] = await tx.query<{ t: string | null }>("SELECT to_regclass('portal_login_attempts')::text AS t");
    if (table?.t) await tx.query('DELETE FROM portal_login_attempts');
  });
});
afterAll(async () => {
  await store?.close();
  for (const [v, value] of saved) {
    if (value === undefined) delete process.env[v];
    else process.env[v] = value;
  }
});

/**
 * Stops the clock the request limits read (`Date`; timers run as they do) until the test ends, and returns a
 * function that moves it on. A window of one second on the real clock ran out under a loaded run before the
 * fourth request arrived, which was then let through (seen in a whole run at load 12).
 */
function holdTheClock(): (ms: number) => void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  return (ms) => vi.setSystemTime(Date.now() + ms);
}
afterEach(() => {
  vi.useRealTimers();
});

async function start(extra: Partial<PortalOptions> = {}): Promise<Portal> {
  const portal = await startPortal({
    port: 0,
    systems: [gpsSystem({ ems: [...DEMO_EMS_RECORDS] })],
    ...demoTrust(pki),
    mailer: noMail,
    reviewerPasswordHash: PASSWORD_HASH,
    store,
    ...extra,
  });
  open.push(portal);
  return portal;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  return {
    status: res.status,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
    text,
    retryAfter: res.headers.get('retry-after'),
    cookie: res.headers.get('set-cookie'),
  };
}

/** The login form's post; `forwardedFor` as a proxy in front would add it. */
async function login(portal: Portal, password: string, options: { forwardedFor?: string; html?: boolean } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Origin: portal.url };
  if (options.forwardedFor !== undefined) headers['X-Forwarded-For'] = options.forwardedFor;
  if (options.html) headers.Accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  const res = await fetch(`${portal.listenUrl}/review/login`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ password, next: '/gps/review' }).toString(),
    redirect: 'manual',
  });
  return answer(res);
}

async function challenge(portal: Portal, path = '/gps/card/login/challenge', forwardedFor?: string, method = 'GET'): Promise<Answer> {
  return answer(await fetch(`${portal.listenUrl}${path}`, { method, headers: forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor } }));
}

function errorOf(reply: Answer): { code?: unknown; message?: unknown } {
  return (reply.body.error ?? {}) as { code?: unknown; message?: unknown };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('reviewer login: wrong passwords per client address', () => {
  it('after the allowed failures the address is refused 429, even with the right password, in Chinese with a stable code', async () => {
    const portal = await start({ reviewerLoginMaxFailures: 3 });
    for (let i = 0; i < 3; i += 1) expect((await login(portal, `wrong-${i}`)).status).toBe(401);
    const locked = await login(portal, PASSWORD);
    expect(locked.status).toBe(429);
    expect(errorOf(locked).code).toBe('REVIEWER_LOGIN_LOCKED');
    // The default lockout is fifteen minutes.
    expect(errorOf(locked).message).toBe('密碼錯誤次數過多，請於 15 分鐘後再試');
    expect(Number(locked.retryAfter)).toBeGreaterThan(890);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(900);
    // No session for a refused login.
    expect(locked.cookie).toBeNull();
    // The browser's form post gets the login page with the message (and the code for scripts and tests).
    const page = await login(portal, PASSWORD, { html: true });
    expect(page.status).toBe(429);
    expect(page.text).toContain('id="login-error" data-code="REVIEWER_LOGIN_LOCKED"');
    expect(page.text).toContain('密碼錯誤次數過多');
    expect(page.text).toContain('id="reviewer-password"');
  });

  it('the defaults: five failures in a row, then refusals', async () => {
    const portal = await start();
    for (let i = 0; i < 5; i += 1) expect((await login(portal, `wrong-${i}`)).status).toBe(401);
    expect((await login(portal, PASSWORD)).status).toBe(429);
  });

  it('a right password resets the count; the lockout ends after its time', async () => {
    const portal = await start({ reviewerLoginMaxFailures: 3, reviewerLoginLockoutSeconds: 1 });
    expect((await login(portal, 'wrong')).status).toBe(401);
    expect((await login(portal, 'wrong')).status).toBe(401);
    expect((await login(portal, PASSWORD)).status).toBe(302);
    // Counted from zero again: two more failures and the right password still get in.
    expect((await login(portal, 'wrong')).status).toBe(401);
    expect((await login(portal, 'wrong')).status).toBe(401);
    expect((await login(portal, PASSWORD)).status).toBe(302);
    for (let i = 0; i < 3; i += 1) expect((await login(portal, 'wrong')).status).toBe(401);
    const locked = await login(portal, PASSWORD);
    expect(locked.status).toBe(429);
    expect(errorOf(locked).message).toBe('密碼錯誤次數過多，請於 1 秒後再試');
    expect(locked.retryAfter).toBe('1');
    await sleep(1100);
    expect((await login(portal, PASSWORD)).status).toBe(302);
  });

  it('attempts sent at once get no more comparisons than the allowance', async () => {
    const portal = await start({ reviewerLoginMaxFailures: 3 });
    const statuses = (await Promise.all(Array.from({ length: 10 }, (_, i) => login(portal, `guess-${i}`)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect((await login(portal, PASSWORD)).status).toBe(429);
  });

  it('behind a trusted proxy each forwarded address is counted on its own', async () => {
    const portal = await start({ reviewerLoginMaxFailures: 2, trustProxy: 'loopback' });
    const attacker = { forwardedFor: '203.0.113.7' };
    expect((await login(portal, 'wrong', attacker)).status).toBe(401);
    expect((await login(portal, 'wrong', attacker)).status).toBe(401);
    expect((await login(portal, PASSWORD, attacker)).status).toBe(429);
    // The reviewer at another address is not locked out by someone else's guesses.
    expect((await login(portal, PASSWORD, { forwardedFor: '198.51.100.20' })).status).toBe(302);
    // An IPv6 client is counted by its /64: moving to another address of it does not start over.
    expect((await login(portal, 'wrong', { forwardedFor: '2001:db8:1:2::1' })).status).toBe(401);
    expect((await login(portal, 'wrong', { forwardedFor: '2001:db8:1:2::2' })).status).toBe(401);
    expect((await login(portal, PASSWORD, { forwardedFor: '2001:db8:1:2:ffff::3' })).status).toBe(429);
  });

  it('behind a proxy that appends to X-Forwarded-For, entries the client wrote buy no fresh count', async () => {
    for (const [trustProxy, client] of [['loopback', '203.0.113.9'], ['127.0.0.1/8', '203.0.113.10']] as const) {
      const portal = await start({ reviewerLoginMaxFailures: 3, trustProxy });
      // nginx's $proxy_add_x_forwarded_for and cloud load balancers append the address they saw.
      const statuses: number[] = [];
      for (let i = 1; i <= 6; i++) statuses.push((await login(portal, `guess-${i}`, { forwardedFor: `198.51.100.${i}, ${client}` })).status);
      expect(statuses, String(trustProxy)).toEqual([401, 401, 401, 429, 429, 429]);
    }
  });

  it('without a trusted proxy X-Forwarded-For is ignored: a new header each time does not start the count over', async () => {
    const portal = await start({ reviewerLoginMaxFailures: 2 });
    expect((await login(portal, 'wrong', { forwardedFor: '192.0.2.1' })).status).toBe(401);
    expect((await login(portal, 'wrong', { forwardedFor: '192.0.2.2' })).status).toBe(401);
    expect((await login(portal, PASSWORD, { forwardedFor: '192.0.2.3' })).status).toBe(429);
  });

  it('the count is in the database: failures on one instance lock the address out of the other', async () => {
    const limits = { reviewerLoginMaxFailures: 3, sessionSecret: 'a-session-secret-shared-by-both-instances', holderKey: new Uint8Array(32).fill(9) };
    const [a, b] = await Promise.all([start(limits), start(limits)]);
    expect((await login(a, 'wrong')).status).toBe(401);
    expect((await login(b, 'wrong')).status).toBe(401);
    expect((await login(a, 'wrong')).status).toBe(401);
    expect((await login(b, PASSWORD)).status).toBe(429);
    // And a restart does not lift it.
    await b.close();
    open.splice(open.indexOf(b), 1);
    const c = await start(limits);
    expect((await login(c, PASSWORD)).status).toBe(429);
  });

  it('0 turns the limit off (a deployment whose proxy or sign-on limits it)', async () => {
    process.env.PORTAL_REVIEWER_LOGIN_MAX_FAILURES = '0';
    const portal = await start();
    for (let i = 0; i < 7; i += 1) expect((await login(portal, 'wrong')).status).toBe(401);
    expect((await login(portal, PASSWORD)).status).toBe(302);
    // The variable is read: 2 from the environment locks after two.
    process.env.PORTAL_REVIEWER_LOGIN_MAX_FAILURES = '2';
    const limited = await start();
    expect((await login(limited, 'wrong')).status).toBe(401);
    expect((await login(limited, 'wrong')).status).toBe(401);
    expect((await login(limited, PASSWORD)).status).toBe(429);
  });
});

describe('card challenges per client address', () => {
  it('past the limit a challenge route answers 429 with a stable code, before any session or challenge row is made', async () => {
    const portal = await start({ challengeLimit: 3, challengeWindowSeconds: 1 });
    const advance = holdTheClock();
    const rows = async (): Promise<number> =>
      Number((await store.transaction((tx) => tx.query<{ n: number | string }>('SELECT count(*) AS n FROM twpki_login_challenges')))[0]?.n);
    for (let i = 0; i < 3; i += 1) expect((await challenge(portal)).status).toBe(200);
    const before = await rows();
    const refused = await challenge(portal);
    expect(refused.status).toBe(429);
    expect(errorOf(refused)).toEqual({ code: 'CHALLENGE_RATE_LIMITED', message: '操作過於頻繁，請於 1 秒後再試' });
    expect(refused.retryAfter).toBe('1');
    expect(refused.cookie).toBeNull();
    expect(await rows()).toBe(before);
    // Every card step's challenge counts against the same allowance, before the step's own checks.
    expect((await challenge(portal, '/gps/card/apply/challenge')).status).toBe(429);
    // A HEAD issues no challenge (the route answers GET only), so it has nothing to count.
    expect((await challenge(portal, '/gps/card/login/challenge', undefined, 'HEAD')).status).toBe(404);
    expect(await rows()).toBe(before);
    // The other routes are not limited.
    expect((await answer(await fetch(`${portal.listenUrl}/api/config`))).status).toBe(200);
    advance(1100);
    expect((await challenge(portal)).status).toBe(200);
  });

  it('behind a trusted proxy the forwarded address is counted', async () => {
    const portal = await start({ challengeLimit: 2, trustProxy: '127.0.0.1' });
    expect((await challenge(portal, undefined, '203.0.113.7')).status).toBe(200);
    expect((await challenge(portal, undefined, '203.0.113.7')).status).toBe(200);
    expect((await challenge(portal, undefined, '203.0.113.7')).status).toBe(429);
    expect((await challenge(portal, undefined, '203.0.113.8')).status).toBe(200);
  });

  it('the default: 60 a minute', async () => {
    const portal = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 61; i += 1) statuses.push((await challenge(portal, '/gps/card/apply/challenge')).status);
    expect(statuses.slice(0, 60).every((s) => s !== 429)).toBe(true);
    expect(statuses[60]).toBe(429);
  });
});

describe('anonymous applications per client address', () => {
  const post = async (portal: Portal, path: string, body: unknown, cookie?: string): Promise<Answer> =>
    answer(
      await fetch(`${portal.listenUrl}${path}`, {
        method: 'POST',
        headers: { Origin: portal.url, 'Content-Type': 'application/json', ...(cookie === undefined ? {} : { Cookie: cookie }) },
        body: JSON.stringify(body),
      }),
    );
  const applications = async (): Promise<number> =>
    Number((await store.transaction((tx) => tx.query<{ n: number | string }>("SELECT count(*) AS n FROM enroll_account_applications")))[0]?.n);

  it('past the limit a new application and an EMS comparison answer 429 with a stable code, before any row is made', async () => {
    const portal = await start({ applicationLimit: 3, applicationWindowSeconds: 1 });
    const advance = holdTheClock();
    const first = await post(portal, '/gps/api/applications', { controlNumber: 'E5600123' });
    expect(first.status).toBe(201);
    const cookie = (first.cookie ?? '').split(';')[0] ?? '';
    // The comparison with EMS counts too: typed guesses against a company's record are what the limit slows.
    expect((await post(portal, '/gps/api/application/basic-data', { basicData: { companyName: 'a guess' } }, cookie)).status).not.toBe(429);
    expect((await post(portal, '/gps/api/applications', { controlNumber: 'E5600123' })).status).toBe(201);
    const before = await applications();
    const refused = await post(portal, '/gps/api/applications', { controlNumber: 'E5600123' });
    expect(refused.status).toBe(429);
    expect(errorOf(refused)).toEqual({ code: 'APPLICATION_RATE_LIMITED', message: '操作過於頻繁，請於 1 秒後再試' });
    expect(refused.retryAfter).toBe('1');
    const guess = await post(portal, '/gps/api/application/basic-data', { basicData: { companyName: 'another guess' } }, cookie);
    expect(guess.status).toBe(429);
    expect(errorOf(guess).code).toBe('APPLICATION_RATE_LIMITED');
    expect(await applications()).toBe(before);
    // Card challenges have their own allowance.
    expect((await challenge(portal)).status).toBe(200);
    advance(1100);
    expect((await post(portal, '/gps/api/applications', { controlNumber: 'E5600123' })).status).toBe(201);
  });

  it('the default: 30 in ten minutes; 0 turns it off', async () => {
    const portal = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i += 1) statuses.push((await post(portal, '/gps/api/applications', { controlNumber: 'E5600123' })).status);
    expect(statuses.slice(0, 30).every((s) => s === 201)).toBe(true);
    expect(statuses[30]).toBe(429);
    process.env.PORTAL_APPLICATION_LIMIT = '0';
    const unlimited = await start();
    for (let i = 0; i < 31; i += 1) expect((await post(unlimited, '/gps/api/applications', { controlNumber: 'E5600123' })).status).toBe(201);
  });
});

describe('a request that never finishes', () => {
  it('is answered 408 and its connection closed after PORTAL_REQUEST_TIMEOUT_SECONDS (Fastify alone waited for ever)', async () => {
    process.env['PORTAL_REQUEST_TIMEOUT_SECONDS'] = '1';
    const portal = await start();
    const url = new URL(portal.listenUrl);
    const seen = await new Promise<{ text: string; closed: boolean }>((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      let text = '';
      const give = setTimeout(() => {
        socket.destroy();
        resolve({ text, closed: false });
      }, 8_000);
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(give);
        resolve({ text, closed: true });
      });
      // A body announced and never sent.
      socket.write(`POST /gps/api/apply HTTP/1.1\r\nHost: ${url.host}\r\nOrigin: ${url.origin}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`);
    });
    expect(seen.closed).toBe(true);
    expect(seen.text).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('a request Node cannot read', () => {
  /** Sends `bytes` on a connection of its own; what came back once the server closed it (or 8 s passed). */
  function exchange(url: URL, bytes: string): Promise<{ text: string; closed: boolean }> {
    return new Promise((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      const chunks: Buffer[] = [];
      const give = setTimeout(() => {
        socket.destroy();
        resolve({ text: Buffer.concat(chunks).toString('utf8'), closed: false });
      }, 8_000);
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(give);
        resolve({ text: Buffer.concat(chunks).toString('utf8'), closed: true });
      });
      socket.write(bytes);
    });
  }

  it('is answered 400 and closed; the logger gets its code, never the bytes read (a session cookie, a reviewer password before it)', async () => {
    const logged: Logged[] = [];
    const portal = await start({ logger: recordingLogger(logged) });
    const url = new URL(portal.listenUrl);
    const cookie = 'portal_sid=session-cookie-of-the-reviewer';
    const form = 'password=password-of-the-reviewer';
    // A reviewer's login (refused for its missing Origin, so nothing is counted) and, on the same connection in the
    // same write, a request with a line that is no header: Node fails to read the second with the bytes of both.
    const seen = await exchange(
      url,
      `POST /review/login HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${form.length}\r\n\r\n${form}` +
        `GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${cookie}\r\nnot a header\r\n\r\n`,
    );
    // The failure is logged, by its code; nothing a logger could print of any call holds the cookie or the password.
    expect(logged.filter((entry) => /"code":"HPE_[A-Z_]+"/.test(printable(entry)))).toHaveLength(1);
    for (const entry of logged) {
      expect(printable(entry)).not.toContain('session-cookie-of-the-reviewer');
      expect(printable(entry)).not.toContain('password-of-the-reviewer');
    }
    // Answered as before (400, the connection closed), in the portal's shape.
    expect(seen.closed).toBe(true);
    expect(seen.text).toMatch(/HTTP\/1\.1 400 Bad Request\r\n/);
    expect(seen.text).toContain('{"error":{"code":"BAD_REQUEST","message":"請求格式有誤"}}');
  });
});

describe('/healthz checks the database', () => {
  it('503 with a reason and Retry-After while the database does not answer within the timeout, 200 again once it does', async () => {
    const portal = await start({ healthTimeoutMs: 200 });
    expect(await answer(await fetch(`${portal.listenUrl}/healthz`))).toMatchObject({ status: 200, body: { status: 'ok' } });
    // PGlite runs one transaction at a time: one held open keeps the check waiting.
    let release = (): void => undefined;
    const held = store.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      const [first, second] = await Promise.all([fetch(`${portal.listenUrl}/healthz`).then(answer), fetch(`${portal.listenUrl}/healthz`).then(answer)]);
      for (const reply of [first, second]) {
        expect(reply.status).toBe(503);
        expect(reply.body).toEqual({ status: 'unavailable', reason: { code: 'DATABASE_TIMEOUT', message: 'the database did not answer within 200 ms' } });
        // When to ask again, as every other 503 of the portal says: a few seconds (the database may be back by then).
        expect(reply.retryAfter).toBe('5');
      }
    } finally {
      release();
      await held;
    }
    const back = await answer(await fetch(`${portal.listenUrl}/healthz`));
    expect(back).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(back.retryAfter).toBeNull();
  });

  it('503 DATABASE_ERROR with Retry-After when the database refuses', async () => {
    const own = await openPglite();
    const portal = await start({ store: own });
    expect((await answer(await fetch(`${portal.listenUrl}/healthz`))).status).toBe(200);
    await own.close();
    const reply = await answer(await fetch(`${portal.listenUrl}/healthz`));
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({ status: 'unavailable', reason: { code: 'DATABASE_ERROR', message: 'the database refused the check' } });
    expect(reply.retryAfter).toBe('5');
  });
});

describe('the limits are settings, checked at start', () => {
  it('a value that is not a whole number in range stops the start naming the setting', async () => {
    const cases: Array<[Partial<PortalOptions>, string, string | undefined]> = [
      [{}, 'PORTAL_REVIEWER_LOGIN_MAX_FAILURES', 'five'],
      [{}, 'PORTAL_REVIEWER_LOGIN_WINDOW_SECONDS', '15m'],
      [{}, 'PORTAL_REVIEWER_LOGIN_LOCKOUT_SECONDS', '0'],
      [{}, 'PORTAL_CHALLENGE_LIMIT', '1.5'],
      [{}, 'PORTAL_CHALLENGE_WINDOW_SECONDS', '-60'],
      [{}, 'PORTAL_APPLICATION_LIMIT', 'thirty'],
      [{}, 'PORTAL_APPLICATION_WINDOW_SECONDS', '0'],
      [{ applicationLimit: -3 }, 'applicationLimit', undefined],
      [{}, 'PORTAL_HEALTH_TIMEOUT_MS', '120000'],
      [{ reviewerLoginMaxFailures: -1 }, 'reviewerLoginMaxFailures', undefined],
      [{ challengeLimit: 2.5 }, 'challengeLimit', undefined],
      [{ healthTimeoutMs: 0 }, 'healthTimeoutMs', undefined],
      [{}, 'PORTAL_REQUEST_TIMEOUT_SECONDS', '0'],
    ];
    for (const [extra, setting, value] of cases) {
      for (const v of VARIABLES) delete process.env[v];
      if (value !== undefined) process.env[setting] = value;
      const error = await start(extra).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, setting).toBeInstanceOf(PortalConfigError);
      expect((error as PortalConfigError).setting).toBe(setting);
      expect((error as PortalConfigError).message).toMatch(/whole number from/);
    }
  });
  it('PORTAL_TRUST_PROXY=true or a hop count is refused: a client would pick its own address', async () => {
    for (const [extra, variable, setting] of [
      [{}, 'true', 'PORTAL_TRUST_PROXY'],
      [{}, '1', 'PORTAL_TRUST_PROXY'],
      [{ trustProxy: true as never }, undefined, 'trustProxy'],
      [{ trustProxy: 2 as never }, undefined, 'trustProxy'],
    ] as const) {
      for (const v of VARIABLES) delete process.env[v];
      if (variable !== undefined) process.env.PORTAL_TRUST_PROXY = variable;
      const error = await start(extra).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `${setting}=${String(variable ?? Object.values(extra)[0])}`).toBeInstanceOf(PortalConfigError);
      expect((error as PortalConfigError).setting).toBe(setting);
      expect((error as PortalConfigError).message).toMatch(/must name the proxies .* a client picks its own address through X-Forwarded-For/);
    }
  });

});
