/**
 * The portal answered a database outage (EnrollError STORE_UNAVAILABLE from its PgStore) with 409, every enrollment
 * code's default: a conflict blamed on the request, without Retry-After, and below the 500s its error handler logs,
 * so the cause reached no log either. The database's codes are now 503 with the wait the SDK's card-login routes give
 * them (5 s), logged with the driver's error as cause. Runs on a PostgreSQL of its own, stopped mid-test.
 */
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EnrollError, type Mailer } from 'twpki/enroll';
import { createTestPki } from 'twpki/testing';
import { demoTrust } from '../../examples/portal/demo-setup.js';
import { startPortal, type Portal } from '../../examples/portal/server.js';
import { startStoppablePostgres, type StoppablePostgres } from '../integrations/stoppable-postgres.js';

const noMail: Mailer = { send: () => Promise.resolve() };

/** What the portal logged at `error`. */
const errors: unknown[][] = [];

/** A logger with pino's methods that keeps the `error` calls (its children are itself). */
function recordingLogger(): FastifyBaseLogger {
  const ignore = (): void => undefined;
  const logger = {
    level: 'info',
    child: () => logger,
    fatal: ignore,
    error: (...args: unknown[]) => void errors.push(args),
    warn: ignore,
    info: ignore,
    debug: ignore,
    trace: ignore,
    silent: ignore,
  };
  return logger as unknown as FastifyBaseLogger;
}

let pg: StoppablePostgres | undefined;
let portal: Portal | undefined;

beforeAll(async () => {
  pg = await startStoppablePostgres();
  if (pg === undefined) return;
  portal = await startPortal({
    port: 0,
    systems: [],
    ...demoTrust(await createTestPki()),
    mailer: noMail,
    reviewerPassword: 'reviewer-secret-5',
    databaseUrl: pg.url,
    logger: recordingLogger(),
  });
}, 120_000);

afterAll(async () => {
  await portal?.close().catch(() => undefined);
  await pg?.remove();
});

it('a database that refuses connections is 503 STORE_UNAVAILABLE with Retry-After: 5, its cause logged', async (ctx) => {
  if (pg === undefined || portal === undefined) return ctx.skip();
  const { app, url } = portal;
  const login = () =>
    app.inject({
      method: 'POST',
      url: '/review/login',
      headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'password=wrong',
    });
  // Up: a wrong password, counted in the database.
  expect((await login()).statusCode).toBe(401);
  await pg.stop('fast');
  const down = await login();
  expect([down.statusCode, down.headers['retry-after'], down.headers['cache-control']]).toEqual([503, '5', 'no-store']);
  expect(down.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', message: expect.stringContaining('請稍後再試') } });
  expect(errors).toHaveLength(1);
  const [logged] = errors[0] ?? [];
  expect(logged).toBeInstanceOf(EnrollError);
  expect(logged).toMatchObject({ code: 'STORE_UNAVAILABLE', cause: { code: 'ECONNREFUSED' } });
  // Back up, the same request is answered as before.
  await pg.start();
  expect((await login()).statusCode).toBe(401);
}, 60_000);
