import { checkCount } from './number-settings.js';

/**
 * A map of at most `capacity` entries that lets the least recently used go
 * first, approximately ("second chance", as an operating system's page
 * clock): a hit only flags its entry, and the flags are read when an entry
 * must make room. The entry to go is the oldest one not used since it was
 * last looked at; used ones move to the back with their flag cleared.
 *
 * A strict LRU moves every hit to the back (a delete and a set on a `Map`),
 * which on a login's path costs more than the look-up it serves, and hits
 * are what a cache of returning card holders mostly sees.
 */
export class RecencyMap<K, V> {
  private readonly entries = new Map<K, { value: V; used: boolean }>();

  /**
   * @param capacity most entries kept; `0` keeps none.
   * @throws RangeError when `capacity` is not a non-negative integer: `NaN` compares false with every size, and a
   * map with it would never let an entry go.
   */
  public constructor(public readonly capacity: number) {
    checkCount('capacity', capacity);
  }

  /** Number of entries held. */
  public get size(): number {
    return this.entries.size;
  }

  /** The value under `key`, marking it as used; `undefined` when absent. */
  public get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = true;
    return entry.value;
  }

  /** Keeps `value` under `key` (replacing what was there), making room first when full. */
  public set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.used = true;
      return;
    }
    while (this.entries.size >= this.capacity) this.evictOne();
    this.entries.set(key, { value, used: false });
  }

  /** Forgets `key`. */
  public delete(key: K): void {
    this.entries.delete(key);
  }

  /** Forgets everything. */
  public clear(): void {
    this.entries.clear();
  }

  private evictOne(): void {
    // Ends within two passes: every entry given a second chance comes back unflagged.
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.entries.set(key, entry);
    }
  }
}
