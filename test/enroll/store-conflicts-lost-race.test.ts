/**
 * A store transaction that PostgreSQL aborts for a lost race, a deadlock
 * (40P01) or a serialization failure (40001), reached the caller as the
 * driver's own error. It is now EnrollError CONCURRENT_UPDATE, telling the
 * caller to try again, with the driver's error as `cause`; the store does not
 * retry it (a command may have mailed before the abort).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollError } from '../../src/enroll/errors.js';
import { joinTransaction } from '../../src/enroll/store/joined-store.js';
import { lostRaceError } from '../../src/enroll/store/sql-errors.js';
import type { EnrollStore, SqlSession } from '../../src/enroll/store/store.js';
import { backends, stopOwnPostgres } from './helpers.js';
import { openRaceStore, type RaceStore } from './races-pg.js';

afterAll(async () => {
  await stopOwnPostgres();
});

/** A real 40001 from the server, without needing two transactions to collide under SERIALIZABLE. */
const SERIALIZATION_FAILURE = `DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure'; END $$`;

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

describe('lostRaceError', () => {
  it('turns 40001 and 40P01 into CONCURRENT_UPDATE, keeping the driver error as cause', () => {
    for (const code of ['40001', '40P01']) {
      const driver = Object.assign(new Error('driver says no'), { code, severity: 'ERROR' });
      const mapped = lostRaceError(driver);
      expect(mapped).toBeInstanceOf(EnrollError);
      expect(mapped).toMatchObject({ code: 'CONCURRENT_UPDATE', cause: driver });
      expect((mapped as Error).message).toContain(`SQLSTATE ${code}`);
      expect((mapped as Error).message).toContain('try again');
    }
  });

  it('leaves every other error as it is', () => {
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    const typed = new EnrollError('NOT_FOUND', 'x');
    for (const e of [unique, typed, new TypeError('t'), 'text', undefined]) expect(lostRaceError(e)).toBe(e);
  });
});

describe.each(backends('enroll_t_store_conflicts'))('a serialization failure on $name', (backend) => {
  let store: EnrollStore | undefined;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('rejects store.transaction with CONCURRENT_UPDATE, the driver error as cause', async (ctx) => {
    if (store === undefined) return ctx.skip();
    const err = await failure(store.transaction((tx) => tx.query(SERIALIZATION_FAILURE)));
    expect(err).toBeInstanceOf(EnrollError);
    expect(err).toMatchObject({ code: 'CONCURRENT_UPDATE', cause: { code: '40001' } });
    // The store is usable afterwards.
    expect(await store.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });

  it('rejects a joined command with CONCURRENT_UPDATE and leaves the caller transaction usable', async (ctx) => {
    if (store === undefined) return ctx.skip();
    const s = store;
    const seen = await s.transaction(async (tx) => {
      const joined = joinTransaction(tx);
      const err = await failure(joined.transaction((inner) => inner.query(SERIALIZATION_FAILURE)));
      return { err, after: await tx.query('SELECT 2 AS two') };
    });
    expect(seen.err).toBeInstanceOf(EnrollError);
    expect(seen.err).toMatchObject({ code: 'CONCURRENT_UPDATE', cause: { code: '40001' } });
    expect(seen.after).toEqual([{ two: 2 }]);
  });
});

describe('a deadlock on PostgreSQL', () => {
  let race: RaceStore | undefined;
  beforeAll(async () => {
    race = await openRaceStore('enroll_t_store_conflicts_deadlock');
    await race?.store.transaction(async (tx) => {
      await tx.query('CREATE TABLE conflict_rows (id int PRIMARY KEY)');
      await tx.query('INSERT INTO conflict_rows VALUES (1), (2)');
    });
  }, 120_000);
  afterAll(async () => {
    await race?.close();
  });

  /** A promise and the function that resolves it. */
  function signal(): { wait: Promise<void>; fire: () => void } {
    let fire!: () => void;
    const wait = new Promise<void>((r) => {
      fire = r;
    });
    return { wait, fire };
  }

  const lock = (tx: SqlSession, id: number) => tx.query('SELECT id FROM conflict_rows WHERE id = $1 FOR UPDATE', [id]);

  /**
   * A holds row 1 and then waits for row 2; B, holding row 2, asks for row 1
   * only once A has waited a while. PostgreSQL's deadlock check runs first in
   * the first waiter, A, which it aborts; B then gets row 1 and commits.
   */
  function deadlock(r: RaceStore, aWantsRow2: (tx: SqlSession) => Promise<unknown>) {
    const aHolds = signal();
    const bHolds = signal();
    const a = r.store.transaction(async (tx) => {
      await lock(tx, 1);
      aHolds.fire();
      await bHolds.wait;
      return aWantsRow2(tx);
    });
    const b = r.store.transaction(async (tx) => {
      await aHolds.wait;
      await lock(tx, 2);
      bHolds.fire();
      await r.waitForBlocked(1);
      // Each waiter checks for a deadlock deadlock_timeout (1 s) after it began to wait; a few ms apart, load could
      // let B's check run first. 300 ms apart, A's runs first.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await lock(tx, 1);
      return 'b';
    });
    return Promise.allSettled([a, b]);
  }

  it('two transactions locking two rows in opposite order: one commits, the other is CONCURRENT_UPDATE', async (ctx) => {
    if (race === undefined) return ctx.skip();
    const r = race;
    const [a, b] = await deadlock(r, (tx) => lock(tx, 2));
    expect(b).toEqual({ status: 'fulfilled', value: 'b' });
    expect(a.status).toBe('rejected');
    const err = (a as PromiseRejectedResult).reason as EnrollError;
    expect(err).toBeInstanceOf(EnrollError);
    expect(err.code).toBe('CONCURRENT_UPDATE');
    expect(err.message).toContain('deadlock');
    expect(err.message).toContain('try again');
    expect(err.cause).toMatchObject({ code: '40P01' });
    // The victim's connection was rolled back and returned: the store goes on.
    expect(await r.store.transaction((tx) => tx.query('SELECT count(*)::int AS n FROM conflict_rows'))).toEqual([{ n: 2 }]);
  }, 30_000);

  it('a joined command that deadlocks answers CONCURRENT_UPDATE and the caller transaction can still commit', async (ctx) => {
    if (race === undefined) return ctx.skip();
    const r = race;
    const [a, b] = await deadlock(r, async (tx) => {
      const joined = await failure(joinTransaction(tx).transaction((inner) => lock(inner, 2)));
      await tx.query('UPDATE conflict_rows SET id = id WHERE id = 1');
      return joined;
    });
    expect(b).toEqual({ status: 'fulfilled', value: 'b' });
    expect(a.status).toBe('fulfilled');
    const joined = (a as PromiseFulfilledResult<unknown>).value;
    expect(joined).toBeInstanceOf(EnrollError);
    expect(joined).toMatchObject({ code: 'CONCURRENT_UPDATE', cause: { code: '40P01' } });
  }, 30_000);
});
