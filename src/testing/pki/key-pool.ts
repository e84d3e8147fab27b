import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { TestPkiError } from './errors.js';
import { unknownOptionProblem } from '../../shared/option-names.js';

/**
 * Made in advance, RSA-2048 key pairs cost a test PKI nothing: generating one takes about a quarter of a second
 * of CPU, and a test suite that builds a PKI per file pays that a few hundred times. A pool hands each key out
 * once per process, so keys stay distinct within the process as fresh ones are (two PKIs never vouch for each
 * other); when it runs out, keys are generated again.
 *
 * The state lives on `globalThis`, so that the ES module and CommonJS copies of twpki/testing that can meet in one
 * process draw from one pool and never hand out a key twice.
 */
interface PoolState {
  /** Keys not handed out yet, in order: each as PKCS#8 PEM written one way, and as read when the pool was given. */
  waiting: Array<{ readonly pem: string; readonly privateKey: KeyObject }>;
  /** The PEM of every key handed out in this process: a pool given again never hands one out a second time. */
  readonly handedOut: Set<string>;
  /** The pool text last given and its keys as read, so a pool given again for each test file is read once. */
  lastRead?: { readonly text: string; readonly keys: ReadonlyArray<readonly [string, KeyObject]> };
}

/** Options of {@link useTestKeyPool}. */
export interface UseTestKeyPoolOptions {
  /**
   * Hand out again keys this process has handed out before (default `false`). For a test runner that runs several
   * test files one after another in one process (vitest with `isolate: false`): give the pool with `reuse: true`
   * in a setup file, which runs before each file, and every file draws from the whole pool. Keys then stay
   * distinct within a file, not across the files that share the process, so keep nothing that trusts a test PKI
   * (a verifier, a trust store) from one file to the next.
   */
  reuse?: boolean;
}

const STATE = Symbol.for('twpki.testing.keyPool');
type WithPool = typeof globalThis & { [STATE]?: PoolState };

function state(): PoolState {
  const g = globalThis as WithPool;
  g[STATE] ??= { waiting: [], handedOut: new Set() };
  return g[STATE];
}

const PEM_BLOCK = /-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\s]+?-----END PRIVATE KEY-----/g;

/**
 * Makes `createTestPki`, `issueCertificate` and the virtual card's holders take their key pairs from `pool`
 * (PKCS#8 PEM, as {@link generateTestKeyPool} writes it) before generating any, in this process. Each key is
 * handed out at most once per process (unless `options.reuse`); keys handed out before are skipped if given
 * again; the rest are generated as usual. Call it in a test runner's setup file with a pool made once, e.g. in its
 * global set-up, and never for keys anything real uses. `null` goes back to generating every key.
 * @throws TestPkiError `BAD_OPTIONS` when `pool` holds no key, anything but PKCS#8 RSA-2048 keys with exponent
 *   65537 (what the kit generates and the card profiles expect), or one key twice; or `options` is not an object
 *   with at most a boolean `reuse`.
 */
export function useTestKeyPool(pool: string | null, options: UseTestKeyPoolOptions = {}): void {
  const reuse = reuseOf(options);
  if (pool === null) {
    state().waiting = [];
    return;
  }
  if (typeof pool !== 'string') {
    throw new TestPkiError('BAD_OPTIONS', `useTestKeyPool: pool must be PKCS#8 PEM text (or null to generate every key), not ${pool === undefined ? 'undefined' : typeof pool}`);
  }
  const s = state();
  const keys = s.lastRead?.text === pool ? s.lastRead.keys : readPool(pool);
  s.lastRead = { text: pool, keys };
  if (reuse) s.handedOut.clear();
  s.waiting = keys.filter(([pem]) => !s.handedOut.has(pem)).map(([pem, privateKey]) => ({ pem, privateKey }));
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['reuse']);

function reuseOf(options: unknown): boolean {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TestPkiError('BAD_OPTIONS', 'useTestKeyPool: options must be an object such as { reuse: true }, or left out');
  }
  const unknown = unknownOptionProblem(options, OPTION_NAMES);
  if (unknown !== undefined) throw new TestPkiError('BAD_OPTIONS', `useTestKeyPool: ${unknown}`);
  const { reuse = false } = options as UseTestKeyPoolOptions;
  if (typeof reuse !== 'boolean') throw new TestPkiError('BAD_OPTIONS', 'useTestKeyPool: options.reuse must be true or false');
  return reuse;
}

/** Each key of `pool` as PKCS#8 PEM written one way, with the key as read, in order. */
function readPool(pool: string): Array<readonly [string, KeyObject]> {
  const blocks = pool.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new TestPkiError('BAD_OPTIONS', 'useTestKeyPool: pool holds no "BEGIN PRIVATE KEY" block');
  const seen = new Map<string, KeyObject>();
  blocks.forEach((block, index) => {
    let key: KeyObject;
    try {
      key = createPrivateKey(block);
    } catch (error) {
      throw new TestPkiError('BAD_OPTIONS', `useTestKeyPool: key ${index + 1} of the pool is not a readable private key (${(error as Error).message})`, { cause: error });
    }
    const details = key.asymmetricKeyDetails;
    if (key.asymmetricKeyType !== 'rsa' || details?.modulusLength !== 2048 || details.publicExponent !== 0x10001n) {
      throw new TestPkiError('BAD_OPTIONS', `useTestKeyPool: key ${index + 1} of the pool is not an RSA-2048 key with exponent 65537`);
    }
    // The key as PKCS#8 PEM written one way, so one key written two ways is seen as one.
    const normalised = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    if (seen.has(normalised)) throw new TestPkiError('BAD_OPTIONS', `useTestKeyPool: key ${index + 1} of the pool repeats an earlier one`);
    seen.set(normalised, key);
  });
  return [...seen];
}

/** The next pooled key pair not handed out yet in this process, or `undefined` when none is left. */
export function takePooledKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } | undefined {
  const s = state();
  const next = s.waiting.shift();
  if (next === undefined) return undefined;
  s.handedOut.add(next.pem);
  return { privateKey: next.privateKey, publicKey: createPublicKey(next.privateKey) };
}
