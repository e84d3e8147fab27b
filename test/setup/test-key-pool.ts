import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useTestKeyPool } from '../../src/testing/pki/key-pool.js';
import { generateTestKeyPool } from '../../src/testing/pki/rsa-keys.js';

/**
 * Keys enough for the test file that builds the most PKIs and card holders in one process (23 were counted); a
 * file that needs more generates the rest. A key costs about 0.27 s of CPU here, and the suite used to generate
 * several hundred: one pool made per machine saves minutes of a run on two cores.
 */
const KEYS = 64;

/** Kept between runs on one machine, beside other tools' caches; a fresh clone (CI) makes it once per run. */
const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', 'twpki', `test-key-pool-${KEYS}.pem`);

/** The pool's PEM text: the cached one when it is a sound pool, else a new one (cached for the next run). */
export async function testKeyPool(): Promise<string> {
  try {
    const cached = readFileSync(CACHE, 'utf8');
    useTestKeyPool(cached); // checks it: every key RSA-2048, none twice
    useTestKeyPool(null);
    if ((cached.match(/BEGIN PRIVATE KEY/g) ?? []).length === KEYS) return cached;
  } catch {
    // Missing or unsound: made again below.
  }
  const pool = await generateTestKeyPool(KEYS);
  mkdirSync(dirname(CACHE), { recursive: true });
  const temporary = `${CACHE}.${process.pid}.tmp`;
  writeFileSync(temporary, pool, { mode: 0o600 });
  renameSync(temporary, CACHE);
  return pool;
}
