/** Store options and audit filters a backend can get wrong are named, not left to pg or to an empty answer. */
import pg from 'pg';
import { expect, it } from 'vitest';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { PgStore } from '../../src/enroll/store/pg-store.js';
import { PgliteStore } from '../../src/enroll/store/pglite-store.js';
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

it('PgStore refuses a name that is no option, and connection settings beside a pool, before connecting', () => {
  // Each was dropped without a word: a pool of the default 10, the pool's own database instead of the URI's.
  expect(() => new PgStore({ connectionString: 'postgres://127.0.0.1/x', maxConnections: 3 } as never)).toThrow(
    'PgStore: "maxConnections" is not an option (they are connectionString, max, pool)',
  );
  const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
  expect(() => new PgStore({ pool, connectionString: 'postgres://127.0.0.1/x' })).toThrow(
    "PgStore: option connectionString cannot be given with pool (the pool's own settings are the pool's)",
  );
  expect(() => new PgStore({ pool, max: 3 } as never)).toThrow("PgStore: option max cannot be given with pool (the pool's own settings are the pool's)");
  expect(() => new PgStore({ pool, poolSize: 3 } as never)).toThrow('PgStore: "poolSize" is not an option (they are connectionString, max, pool)');
  void pool.end();
  expect(() => new PgStore([] as never)).toThrow('PgStore: options must be { connectionString } or { pool }, not an array');
});

it('PgStore takes a setting left undefined as left out, beside a pool or a connection string', async () => {
  // What TypeScript accepts for PgStoreOptions, as a backend writes it from its environment: the one of the two
  // it does not use is undefined. `connectionString: undefined` beside a pool was refused as a setting given with
  // it, and `pool: undefined` beside a connection string as a pool that is no pg.Pool.
  const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
  const unset: string | undefined = undefined;
  expect(new PgStore({ pool, connectionString: unset }).pool).toBe(pool);
  expect(new PgStore({ pool, max: undefined } as never).pool).toBe(pool);
  const owned = new PgStore({ connectionString: 'postgres://127.0.0.1:1/none', pool: undefined } as never);
  expect(owned.pool).not.toBe(pool);
  await owned.close();
  await pool.end();
});

it('PgStore never shows a connection string given in place of its options (its password would be in the message)', () => {
  const url = 'postgres://portal:S3cret-pw@db.example:5432/enroll';
  let message = '';
  try {
    new PgStore(url as never);
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toBe('PgStore: options must be { connectionString } or { pool }, not a string (pass it as { connectionString })');
  expect(message).not.toContain('S3cret');
});

it('PgliteStore.open never shows a string given in place of its options (a connection string, say)', async () => {
  const url = 'postgres://portal:S3cret-pw@db.example:5432/enroll';
  const refusal = await PgliteStore.open(url as never).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  expect(refusal).toBeInstanceOf(RangeError);
  expect(refusal?.message).toBe('PgliteStore.open: options must be an object or left out, not a string');
});

it('PgliteStore.open refuses options of the wrong kind or name before it opens anything', async () => {
  // Before: 5 and { datadir } opened an in-memory database (lost at exit), { dataDir: 5 } was Node's ERR_INVALID_ARG_TYPE,
  // { loadDataDir: 5 } a TypeError from inside PGlite.
  const refused: Array<[unknown, string]> = [
    [5, 'PgliteStore.open: options must be an object or left out, not 5'],
    [null, 'PgliteStore.open: options must be an object or left out, not null'],
    [{ datadir: '/tmp/twpki-never' }, 'PgliteStore.open: "datadir" is not an option (they are dataDir, loadDataDir)'],
    [{ dataDir: 5 }, 'PgliteStore.open: option dataDir must be a directory path or a PGlite URL (a non-empty string), or left out for an in-memory database, not 5'],
    [{ dataDir: ' ' }, 'PgliteStore.open: option dataDir must be'],
    [{ loadDataDir: 5 }, 'PgliteStore.open: option loadDataDir must be a Blob made by PgliteStore.snapshot(), not 5'],
    [{ loadDataDir: new Uint8Array(4) }, 'PgliteStore.open: option loadDataDir must be a Blob'],
  ];
  for (const [options, message] of refused) {
    const err = await PgliteStore.open(options as never).then(
      async (store) => {
        await store.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err, JSON.stringify(options)).toBeInstanceOf(RangeError);
    expect((err as Error).message).toContain(message);
  }
  expect(() => new PgliteStore(5 as never)).toThrow('PgliteStore: db must be a PGlite instance (PgliteStore.open makes one), not 5');
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
