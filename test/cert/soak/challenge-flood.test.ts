import { describe, expect, it } from 'vitest';
import { ChallengeIssuer, InMemoryChallengeStore } from '../../../src/cert/index.js';
import { SqlChallengeStore } from '../../../src/challenge-store/index.js';
import { openPglite } from '../../enroll/helpers.js';

// A hostile or long-running client of the challenge route: challenges issued
// and never consumed must not grow the default store without bound.

const START = Date.parse('2026-03-01T00:00:00Z');

/**
 * Bounds a hang. The flood passes the default cap (100,000) by 20,000: what is checked is that it never holds more
 * than the cap, drops the oldest first and purges on expiry, which any count past the cap shows. Each issue past the
 * cap costs more than one below it (the store's Map skips the entries deleted from its front), so the 200,000 of
 * before spent two thirds of this file's time past the point.
 */
const FLOOD_TIMEOUT_MS = 120_000;

describe('the default challenge store under a flood of unused challenges', () => {
  it('stays at its cap through 120,000 issues from 20,000 sessions, dropping the oldest, and purges once they expire', async () => {
    let t = START;
    const issuer = new ChallengeIssuer({ now: () => new Date(t) }); // the default store, as the guides build it
    const store = issuer.store as InMemoryChallengeStore;
    expect(store).toBeInstanceOf(InMemoryChallengeStore);
    const first = await issuer.issue('victim');
    let peak = 0;
    for (let i = 0; i < 120_000; i++) {
      t += 1; // 1,000 issues a second: the whole flood falls within one 5-minute lifetime
      await issuer.issue(`attacker-${i % 20_000}`);
      if (store.size > peak) peak = store.size;
    }
    // Bounded by the default cap; the oldest (the victim's) went first, a recent one is still there.
    expect(peak).toBe(100_000);
    expect(await store.consume(first.value)).toBeUndefined();
    const recent = await issuer.issue('victim');
    expect(await store.consume(recent.value)).toMatchObject({ alreadyUsed: false, record: { sessionId: 'victim' } });
    // Past every lifetime, the next issue purges them all.
    t += 5 * 60_000 + 1;
    await issuer.issue('late');
    expect(store.size).toBe(1);
  }, FLOOD_TIMEOUT_MS);

  it('purges expired challenges between issues: a steady rate over an hour holds one lifetime of them', async () => {
    let t = START;
    const issuer = new ChallengeIssuer({ now: () => new Date(t), ttlMs: 60_000 });
    const store = issuer.store as InMemoryChallengeStore;
    let peak = 0;
    for (let i = 0; i < 36_000; i++) {
      t += 100; // 10 a second for an hour
      await issuer.issue(`s${i}`);
      if (store.size > peak) peak = store.size;
    }
    expect(peak).toBe(601); // one minute's worth, plus the one just issued
  });

  it('refuses a cap that would not bound it (NaN from an unset environment variable, 0, negative, fractional)', () => {
    for (const maxEntries of [Number.NaN, Number(undefined), 0, -1, 2.5]) {
      expect(() => new InMemoryChallengeStore({ maxEntries }), String(maxEntries)).toThrow(RangeError);
    }
    expect(new InMemoryChallengeStore({ maxEntries: 1 })).toBeInstanceOf(InMemoryChallengeStore);
  });

  it('refuses a lifetime that never ends: an endless challenge has no expiry to answer with or purge by', () => {
    expect(() => new ChallengeIssuer({ ttlMs: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => new ChallengeIssuer({ ttlMs: Number.NaN })).toThrow(RangeError);
  });
});

describe('the SQL challenge store (embedded PGlite) under the same flood', () => {
  it('holds what was issued within one lifetime plus one purge interval, and no more: it has no count cap', async () => {
    let t = START;
    const now = (): Date => new Date(t);
    // The same in-memory PGlite the default would open, from the migrated snapshot (no initdb per file).
    const db = await openPglite();
    const store = await SqlChallengeStore.open({ store: db, now, purgeIntervalMs: 60_000 });
    try {
      const issuer = new ChallengeIssuer({ store, now, ttlMs: 60_000 });
      const rows = async (): Promise<number> =>
        (await store.db.transaction((tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM twpki_login_challenges')))[0]?.n ?? -1;
      let peak = 0;
      // 2 a second for six minutes (six purge intervals), counted every ten seconds. The rate is not the point, the
      // bound in lifetimes and purge intervals is, and any rate shows it: at 20 a second the file spent a third of
      // its time here, at 5 a second (1,800 issues, one PGlite transaction each) still most of this test's.
      const perSecond = 2;
      for (let i = 0; i < 6 * 60 * perSecond; i++) {
        t += 1000 / perSecond;
        await issuer.issue(`s${i % 500}`);
        if (i % (10 * perSecond) === 10 * perSecond - 1) peak = Math.max(peak, await rows());
      }
      // At most a lifetime (60 s: 120) plus a purge interval (60 s: 120) of them, whatever the total; more than a
      // lifetime's, as expired rows wait for the next purge.
      expect(peak).toBeLessThanOrEqual(60 * perSecond + 60 * perSecond);
      expect(peak).toBeGreaterThan(60 * perSecond);
      t += 2 * 60_000 + 1;
      await issuer.issue('late');
      expect(await rows()).toBe(1);
    } finally {
      await store.close();
      await db.close();
    }
  }, FLOOD_TIMEOUT_MS);
});
