/**
 * `/healthz` against a database that accepts and never answers (a black-holed connection), polled by a load
 * balancer: abandoned `SELECT 1`s must not pile up (each holds a pool connection), and once the database answers
 * again the check says so.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnrollStore } from 'twpki/enroll';
import { DatabaseHealth, MAX_ABANDONED } from '../../examples/portal/core/health.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A store whose transactions wait until the test settles them. */
function heldStore(): { store: EnrollStore; held: Array<(ok: boolean) => void> } {
  const held: Array<(ok: boolean) => void> = [];
  const store = {
    transaction: () => new Promise((resolve, reject) => held.push((ok) => (ok ? resolve([]) : reject(new Error('socket closed'))))),
  } as unknown as EnrollStore;
  return { store, held };
}

describe('DatabaseHealth with a database that never answers', () => {
  it('leaves at most MAX_ABANDONED queries waiting over ten minutes of polling, answering 503 meanwhile', async () => {
    vi.useFakeTimers();
    const { store, held } = heldStore();
    const health = new DatabaseHealth(store, 2000);
    const results = [];
    for (let second = 0; second < 600; second++) {
      const result = health.check();
      await vi.advanceTimersByTimeAsync(1000);
      results.push(result);
    }
    await vi.advanceTimersByTimeAsync(2000);
    for (const result of await Promise.all(results)) expect(result).toMatchObject({ ok: false, code: 'DATABASE_TIMEOUT' });
    expect(held.length).toBe(MAX_ABANDONED);
  });

  it('asks again as soon as an abandoned query ends (the driver gave the socket up), and reports the database back', async () => {
    vi.useFakeTimers();
    const { store, held } = heldStore();
    const health = new DatabaseHealth(store, 2000);
    for (let i = 0; i < 10; i++) {
      const result = health.check();
      await vi.advanceTimersByTimeAsync(2000);
      expect(await result).toMatchObject({ ok: false });
    }
    expect(held.length).toBe(MAX_ABANDONED);
    held[0]?.(false);
    await vi.advanceTimersByTimeAsync(0);
    const back = health.check();
    held[held.length - 1]?.(true);
    expect(await back).toEqual({ ok: true });
    expect(held.length).toBe(MAX_ABANDONED + 1);
  });
});
