/**
 * A PostgreSQL connection lost while the store holds it (failover,
 * idle_in_transaction_session_timeout, a killed backend) failed the process:
 * pg emits 'error' on the client, and nothing listened. Now the transaction
 * fails, the client is discarded, and the store goes on.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PgStore } from '../../src/enroll/store/pg-store.js';
import { getDatabaseUrl, urlWithSchema } from './helpers.js';

const SCHEMA = 'enroll_t_pg_loss';
let url: string | undefined;
let admin: pg.Client;
let store: PgStore | undefined;

beforeAll(async () => {
  url = await getDatabaseUrl();
  if (url === undefined) {
    if (process.env['CI'] === 'true') throw new Error('CI needs PostgreSQL for this test');
    return;
  }
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  const withSchema = urlWithSchema(url, SCHEMA);
  // The store makes and owns its pool, as PgStore.open({ connectionString }) does for a backend.
  store = await PgStore.open({ connectionString: withSchema, max: 2 });
}, 120_000);

afterAll(async () => {
  await store?.close();
  await admin?.end();
});

const terminate = async (pid: number): Promise<void> => {
  await admin.query('SELECT pg_terminate_backend($1)', [pid]);
};

it('a connection killed inside a transaction fails that transaction only; the next one runs', async (ctx) => {
  if (store === undefined) return ctx.skip();
  const s = store;
  const failed = s.transaction(async (tx) => {
    const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    setTimeout(() => void terminate(Number(row?.pid)), 200);
    await tx.query('SELECT pg_sleep(5)');
    return 'finished';
  });
  await expect(failed).rejects.toThrow();
  expect(await s.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT 1 AS n'))[0]?.n)).toBe(1);
});

it('an idle pooled connection the server drops is replaced, not fatal', async (ctx) => {
  if (store === undefined) return ctx.skip();
  const s = store;
  const pids = await Promise.all([0, 1].map(() => s.transaction(async (tx) => Number((await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]?.pid))));
  for (const pid of new Set(pids)) await terminate(pid);
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 3; i++) expect(await s.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT 2 AS n'))[0]?.n)).toBe(2);
});
