/** Store options and audit filters a backend can get wrong are named, not left to pg or to an empty answer. */
import pg from 'pg';
import { expect, it } from 'vitest';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { PgStore } from '../../src/enroll/store/pg-store.js';
import { openPglite } from './helpers.js';

it('PgStore refuses a missing connection string, a bad pool size or a pool that is none, before connecting', () => {
  for (const options of [{}, { connectionString: undefined }, { connectionString: '' }, { connectionString: 42 }, null]) {
    expect(() => new PgStore(options as never)).toThrow(/^PgStore: option(s)? (connectionString )?must be/);
  }
  for (const max of [0, -1, 1.5, '10']) {
    expect(() => new PgStore({ connectionString: 'postgres://127.0.0.1/x', max: max as number })).toThrow(/^PgStore: option max must be a positive whole number/);
  }
  expect(() => new PgStore({ pool: 'x' as never })).toThrow('PgStore: option pool must be a pg.Pool');
  const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
  expect(new PgStore({ pool }).pool).toBe(pool);
  void pool.end();
});

it('readAuditTrail names a filter that would match nothing', async () => {
  const store = await openPglite();
  try {
    expect(await readAuditTrail(store, { flow: 'account' })).toEqual([]);
    for (const [filter, field] of [[{ flow: 'nope' }, 'filter.flow'], [{ subject: 123 }, 'filter.subject']] as const) {
      const err = await readAuditTrail(store, filter as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).issues.map((i) => i.field)).toEqual([field]);
    }
  } finally {
    await store.close();
  }
});

it('a store used after close() says so (STORE_CLOSED), and closing twice is harmless', async () => {
  const lite = await openPglite();
  await lite.close();
  await lite.close();
  await expect(lite.transaction(() => Promise.resolve(1))).rejects.toMatchObject({ name: 'EnrollError', code: 'STORE_CLOSED' });
  // Never connected: the refusal comes before the pool is asked for a connection.
  const pgStore = new PgStore({ connectionString: 'postgres://127.0.0.1:1/none' });
  await pgStore.close();
  await pgStore.close();
  await expect(pgStore.transaction(() => Promise.resolve(1))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
});
