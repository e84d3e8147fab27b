import { RecencyMap } from '../../../shared/recency-map.js';
import type { TrustedCertificate } from '../trusted-certificate.js';

/**
 * Issuing chains (everything above the end-entity certificate, anchor
 * included) whose signatures have already been verified.
 *
 * Every MOICA user's certificate hangs under the same two or three CA
 * certificates, so verifying the CA links on every login repeats the same
 * RSA operations. An entry is keyed by the SHA-256 fingerprints of the chain's
 * certificates, in order; it is dropped once any of them has expired (a later
 * validation cannot use it, and it never comes back), and when the cache is
 * full about the least recently used entry goes (see `RecencyMap`). The
 * cache belongs to one `ChainValidator`, which is bound to one immutable
 * `TrustStore`: new anchors mean a new validator and an empty cache.
 *
 * Only signatures are remembered. Every chain rule still runs on every
 * validation, so validity at the validation time, key usage, path length and
 * the rest are judged afresh each time.
 */
export class IssuingChainCache {
  private readonly entries: RecencyMap<string, number>;

  /**
   * @param capacity most chains kept; a deployment has a handful (one per issuing CA and path).
   * @throws RangeError when `capacity` is not a non-negative integer.
   */
  public constructor(public readonly capacity = 256) {
    // Checked by the map (`RecencyMap`): `NaN` compared false with every size, and the cache kept every chain.
    this.entries = new RecencyMap(capacity);
  }

  /** Number of chains held. */
  public get size(): number {
    return this.entries.size;
  }

  /** Whether `chain`'s signatures were verified and none of its certificates has expired at `at`. */
  public has(chain: readonly TrustedCertificate[], at: Date): boolean {
    if (chain.length < 2) return false;
    const key = keyOf(chain);
    const expires = this.entries.get(key);
    if (expires === undefined) return false;
    if (at.getTime() > expires) {
      this.entries.delete(key);
      return false;
    }
    return true;
  }

  /** Records that every signature in `chain` (each certificate by the next) verified. */
  public add(chain: readonly TrustedCertificate[]): void {
    if (chain.length < 2) return;
    let expires = Infinity;
    for (const c of chain) expires = Math.min(expires, c.notAfter.getTime());
    this.entries.set(keyOf(chain), expires);
  }

  /** Drops every chain. */
  public clear(): void {
    this.entries.clear();
  }
}

/**
 * Keys of chains already seen, by chain array: the validator hands the same
 * issuing-chain array (its own, never mutated nor given out) on every
 * validation of a path, and a
 * flat string that was hashed once probes the map without concatenating and
 * re-hashing ~200 characters per login.
 */
const keys = new WeakMap<readonly TrustedCertificate[], string>();

function keyOf(chain: readonly TrustedCertificate[]): string {
  let key = keys.get(chain);
  if (key !== undefined) return key;
  key = '';
  for (const c of chain) key += c.fingerprint;
  keys.set(chain, key);
  return key;
}
