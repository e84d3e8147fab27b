import { pbkdf2 } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestKeyPool } from '../../../src/testing/pki/key-pool.js';
import { generateRsaKeyPair } from '../../../src/testing/pki/rsa-keys.js';

/** Generations still to fail (the first ones asked for after it is set). */
const failing = vi.hoisted(() => ({ left: 0 }));

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const { promisify } = await import('node:util');
  const generate = promisify(real.generateKeyPair);
  // What the module under test calls: `promisify(generateKeyPair)` uses this.
  const generateKeyPair = Object.assign((...args: unknown[]) => (real.generateKeyPair as (...a: unknown[]) => void)(...args), {
    [promisify.custom]: (...args: Parameters<typeof generate>) => {
      if (failing.left === 0) return generate(...args);
      failing.left--;
      return new Promise((_, reject) => setTimeout(() => reject(new Error('key generation failed (test)')), 10));
    },
  });
  return { ...real, default: { ...real, generateKeyPair }, generateKeyPair };
});

/** A job for libuv's thread pool that takes microseconds once it has a thread. */
function poolJob(): Promise<void> {
  return new Promise((resolve, reject) => pbkdf2('x', 'y', 1, 32, 'sha256', (err) => (err ? reject(err) : resolve())));
}

describe('test key generation leaves the thread pool to the rest of the process', () => {
  // Generation itself is under test: not the run's key pool (test/setup/key-pool.ts).
  beforeAll(() => useTestKeyPool(null));

  it('a thread-pool job asked for after eight key generations does not wait for them', async () => {
    let finished = 0;
    const keys = Array.from({ length: 8 }, () => generateRsaKeyPair().then((k) => (finished++, k)));
    // With all eight on the pool at once (four threads), this job started only
    // when the fifth key was done: what a PC/SC listing met in a harness that
    // made its cards while it opened a reader.
    await poolJob();
    const finishedBeforeJob = finished;
    const pairs = await Promise.all(keys);
    expect(finishedBeforeJob).toBeLessThan(3);
    // Still eight distinct RSA-2048 key pairs.
    const moduli = new Set(pairs.map((p) => p.publicKey.export({ format: 'jwk' }).n));
    expect(moduli.size).toBe(8);
    for (const p of pairs) expect(p.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('a generation that fails gives its place to the next one', async () => {
    // More failures than generations may run at once: a place kept by a
    // failed one would leave the others waiting for ever.
    failing.left = 3;
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => generateRsaKeyPair()));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const after = await generateRsaKeyPair();
    expect(after.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});
