import { generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { TestPkiError } from './errors.js';
import { takePooledKeyPair } from './key-pool.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** An RSA key pair as node:crypto KeyObjects. */
export interface RsaKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/**
 * A fresh RSA-2048 key pair. Never shared between certificates or PKIs:
 * tests for "wrong issuer" and "bad signature" rely on keys being distinct.
 * Taken from the test key pool when one is in use ({@link useTestKeyPool}):
 * each of its keys once per process. Generation runs on libuv's thread pool,
 * so callers batch with Promise.all; only a few run at a time (see below),
 * the rest queue here.
 */
export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  return takePooledKeyPair() ?? (await generateFreshRsaKeyPair());
}

/**
 * PKCS#8 PEM text of `count` newly generated RSA-2048 key pairs, for {@link useTestKeyPool}: made once (a test
 * runner's global set-up, a cached file), then used by every test process. Never from the pool itself.
 * @throws TestPkiError `BAD_OPTIONS` when `count` is not a whole number from 1 to 1,000.
 */
export async function generateTestKeyPool(count: number): Promise<string> {
  if (!Number.isInteger(count) || count < 1 || count > 1_000) {
    throw new TestPkiError('BAD_OPTIONS', `generateTestKeyPool: count must be a whole number from 1 to 1000, not ${String(count)}`);
  }
  const pairs = await Promise.all(Array.from({ length: count }, () => generateFreshRsaKeyPair()));
  return pairs.map((p) => p.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()).join('');
}

async function generateFreshRsaKeyPair(): Promise<RsaKeyPair> {
  if (running < KEY_GENERATIONS_AT_ONCE) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  } finally {
    // The slot goes straight to the next waiting generation, if any.
    const next = waiting.shift();
    if (next === undefined) running--;
    else next();
  }
}

/**
 * Key generations on the thread pool at once: two threads are always left to
 * the rest of the process, and never more than the cores. Each generation
 * holds a thread for ~0.2 s of CPU, and whatever else the process does
 * asynchronously queues behind it on the same threads (four by default): the
 * PC/SC binding's listings, connects and card commands, file reads, other
 * crypto. A test PKI asks for six keys at once and a card holder for two, so a
 * harness that made its cards while it opened a reader waited seconds for the
 * first reader listing (`PcscContext.establish` timed out at 5 s in a loaded
 * test run; see docs/decisions.md).
 */
const KEY_GENERATIONS_AT_ONCE = Math.max(1, Math.min(threadPoolSize() - 2, availableParallelism()));
let running = 0;
const waiting: Array<() => void> = [];

/** libuv's thread-pool size as this process started it. */
function threadPoolSize(): number {
  const size = Number(process.env['UV_THREADPOOL_SIZE']);
  return Number.isInteger(size) && size > 0 ? size : 4;
}

/** SubjectPublicKeyInfo DER of a public key. */
export function spkiOf(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

/** Hash names accepted for RSA PKCS#1 v1.5 signing. */
export type SignatureHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * Imports a private KeyObject as a WebCrypto signing key. Node 20 lacks
 * `KeyObject#toCryptoKey`, so the key goes through PKCS#8 DER.
 */
export async function toSigningKey(privateKey: KeyObject, hash: SignatureHash): Promise<webcrypto.CryptoKey> {
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
}
