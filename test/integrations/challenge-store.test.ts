import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeIssuer, MAX_SESSION_ID_CHARS } from '../../src/cert/index.js';
import { SqlChallengeStore } from '../../src/challenge-store/index.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { backends, getDatabaseUrl, openPgStore, stopOwnPostgres } from '../enroll/helpers.js';

const SCHEMA = 'challenge_store_test';
const WORKER = fileURLToPath(new URL('./challenge-race-worker.ts', import.meta.url));

afterAll(async () => {
  await stopOwnPostgres();
});

function record(value: string, sessionId = 's1', issuedAt = new Date(), ttlMs = 300_000) {
  return { value, sessionId, issuedAt, expiresAt: new Date(issuedAt.getTime() + ttlMs) };
}

describe.each(backends(SCHEMA))('SqlChallengeStore on $name', (backend) => {
  let db: EnrollStore | undefined;
  let store: SqlChallengeStore;
  let clock = new Date('2026-11-30T12:00:00Z');

  beforeAll(async () => {
    db = await backend.open();
    if (db === undefined) return;
    store = new SqlChallengeStore(db, { now: () => clock, purgeIntervalMs: 0 });
    await store.migrate();
    await store.migrate(); // idempotent
  });
  afterAll(async () => {
    await db?.close();
  });

  it('returns the stored record once as unused, then as used; unknown values are undefined', async (ctx) => {
    if (db === undefined) return ctx.skip();
    const r = record('value-1', 'session-a', clock);
    await store.put(r);
    expect(await store.consume('value-1')).toEqual({ record: r, alreadyUsed: false });
    expect(await store.consume('value-1')).toEqual({ record: r, alreadyUsed: true });
    expect(await store.consume('never-issued')).toBeUndefined();
  });

  it('lets exactly one of many concurrent consumers win', async (ctx) => {
    if (db === undefined) return ctx.skip();
    await store.put(record('contended', 's', clock));
    const results = await Promise.all(Array.from({ length: 20 }, () => store.consume('contended')));
    expect(results.filter((r) => r?.alreadyUsed === false)).toHaveLength(1);
    expect(results.filter((r) => r?.alreadyUsed === true)).toHaveLength(19);
  });

  it('purges expired challenges on put, keeps used ones until they expire, refuses a duplicate value', async (ctx) => {
    if (db === undefined) return ctx.skip();
    await store.put(record('short', 's', clock, 1_000));
    await store.consume('short');
    clock = new Date(clock.getTime() + 500);
    await store.put(record('other-1', 's', clock));
    expect((await store.consume('short'))?.alreadyUsed).toBe(true);
    clock = new Date(clock.getTime() + 2_000);
    await store.put(record('other-2', 's', clock));
    expect(await store.consume('short')).toBeUndefined();
    await expect(store.put(record('other-2', 's', clock))).rejects.toThrow();
  });

  it('backs a ChallengeIssuer', async (ctx) => {
    if (db === undefined) return ctx.skip();
    const issuer = new ChallengeIssuer({ store, now: () => clock });
    const c = await issuer.issue('session-x');
    const consumed = await store.consume(c.value);
    expect(consumed?.record.sessionId).toBe('session-x');
    expect(consumed?.record.expiresAt).toEqual(c.expiresAt);
  });

  it('refuses a session id over 1,024 characters as the in-memory issuer does (RangeError), not with a driver error', async (ctx) => {
    if (db === undefined) return ctx.skip();
    const long = 'x'.repeat(MAX_SESSION_ID_CHARS + 1);
    await expect(new ChallengeIssuer({ store, now: () => clock }).issue(long)).rejects.toThrow(new RangeError('sessionId must be 1 to 1024 characters'));
    await expect(store.put(record('long', long, clock))).rejects.toThrow(RangeError);
    await expect(new ChallengeIssuer().issue(long)).rejects.toThrow(RangeError);
    expect((await new ChallengeIssuer({ store, now: () => clock }).issue('x'.repeat(MAX_SESSION_ID_CHARS))).value).toBeTruthy();
  });

  it('keeps 384 random bytes, the most ChallengeIssuer takes (512 characters)', async (ctx) => {
    if (db === undefined) return ctx.skip();
    const c = await new ChallengeIssuer({ store, bytes: 384, now: () => clock }).issue('s');
    expect(c.value).toHaveLength(512);
    expect((await store.consume(c.value))?.alreadyUsed).toBe(false);
  });

  it('refuses a session id holding NUL or a lone surrogate (RangeError), as the issuer does for every store', async (ctx) => {
    if (db === undefined) return ctx.skip();
    for (const id of ['a\u0000b', 'a\uD800b', '\uDC00']) {
      // Before: NUL was the driver's 22021, and a lone surrogate was kept as U+FFFD (the session's own answer then mismatched).
      await expect(store.put(record(`odd-${id.length}-${id.charCodeAt(1)}`, id, clock))).rejects.toThrow(RangeError);
      await expect(new ChallengeIssuer({ store, now: () => clock }).issue(id)).rejects.toThrow(RangeError);
      await expect(new ChallengeIssuer().issue(id)).rejects.toThrow(RangeError);
    }
    // A surrogate pair is well-formed text and kept as given.
    const c = await new ChallengeIssuer({ store, now: () => clock }).issue('s-\uD83D\uDE00');
    expect((await store.consume(c.value))?.record.sessionId).toBe('s-\uD83D\uDE00');
  });
});

describe('ChallengeIssuer settings every store can keep', () => {
  it('refuses random bytes that are not a whole number from 32 to 384, and a lifetime past a day', () => {
    for (const bytes of [Number.NaN, 31, 32.5, 385, Number.POSITIVE_INFINITY]) {
      expect(() => new ChallengeIssuer({ bytes }), String(bytes)).toThrow(RangeError);
    }
    for (const ttlMs of [Number.NaN, 0, -1, 9e15, 24 * 60 * 60_000 + 1, Number.POSITIVE_INFINITY]) {
      expect(() => new ChallengeIssuer({ ttlMs }), String(ttlMs)).toThrow(RangeError);
    }
    expect(() => new ChallengeIssuer({ bytes: 384, ttlMs: 24 * 60 * 60_000 })).not.toThrow();
  });
});

describe('SqlChallengeStore with the default embedded database', () => {
  // The one fresh embedded database (initdb, seconds of CPU) of this file: the largest challenge is checked on it
  // too, besides on the stores above, so that the store `open()` makes is the one shown to keep it.
  it('opens an in-memory PGlite, migrates and works, up to 384 random bytes (512 characters)', { timeout: 180_000 }, async () => {
    const store = await SqlChallengeStore.open();
    try {
      await store.put(record('embedded'));
      expect((await store.consume('embedded'))?.alreadyUsed).toBe(false);
      const c = await new ChallengeIssuer({ store, bytes: 384 }).issue('s');
      expect(c.value).toHaveLength(512);
      expect((await store.consume(c.value))?.alreadyUsed).toBe(false);
    } finally {
      await store.close();
    }
  });
});

/** One worker process: `ready` once connected; `round()` sends a round and resolves with its outcome line. */
function startWorker(url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, `${SCHEMA}_race`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout?.on('data', (c: Buffer) => {
    buffer += c.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${err}`))));
  exited.catch(() => undefined);
  const next = (): Promise<string> =>
    Promise.race([new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift() ?? '') : waiters.push(resolve))), exited]);
  return {
    ready: next().then((l) => expect(l).toBe('ready')),
    async round(values: string[], startAt: number, reverse: boolean): Promise<Array<string | null>> {
      child.stdin?.write(`${JSON.stringify({ values, startAt, reverse })}\n`);
      return JSON.parse(await next()) as Array<string | null>;
    },
    stop(): void {
      child.stdin?.end();
    },
  };
}

describe('SqlChallengeStore across processes (PostgreSQL)', () => {
  it('two backend processes racing on the same challenges: each one is won exactly once', async (ctx) => {
    const url = await getDatabaseUrl();
    if (url === undefined) {
      if (process.env.CI === 'true') throw new Error('CI=true but no PostgreSQL server is available');
      return ctx.skip();
    }
    const db = await openPgStore(url, `${SCHEMA}_race`);
    const a = startWorker(url);
    const b = startWorker(url);
    try {
      const store = new SqlChallengeStore(db);
      await store.migrate();
      await Promise.all([a.ready, b.ready]);
      let interleaved = false;
      // Up to three rounds until both processes won some (proof they truly overlapped);
      // every round must have exactly one winner per challenge.
      for (let round = 0; round < 3 && !interleaved; round++) {
        const values = Array.from({ length: 200 }, (_, i) => `race-${round}-${i}-${Math.random().toString(36).slice(2)}`);
        for (const v of values) await store.put(record(v));
        const startAt = Date.now() + 300;
        const [ra, rb] = await Promise.all([a.round(values, startAt, false), b.round(values, startAt, true)]);
        expect(ra).toHaveLength(values.length);
        expect(rb).toHaveLength(values.length);
        let aWins = 0;
        for (let i = 0; i < values.length; i++) {
          expect([ra[i], rb[i]].sort(), values[i]).toEqual(['used', 'won']);
          if (ra[i] === 'won') aWins++;
        }
        interleaved = aWins > 0 && aWins < values.length;
        for (const v of values) expect((await store.consume(v))?.alreadyUsed).toBe(true);
      }
      expect(interleaved).toBe(true);
    } finally {
      a.stop();
      b.stop();
      await db.close();
    }
  }, 180_000);
});
