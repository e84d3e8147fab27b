import { checkCount } from '../../../shared/number-settings.js';
import { requireOptionsObject } from '../options-argument.js';

/** A challenge as stored between issuing and verifying. */
export interface ChallengeRecord {
  /** The challenge, base64url of ≥ 32 random bytes. */
  readonly value: string;
  /** The session it was issued to. */
  readonly sessionId: string;
  /** When it was issued. */
  readonly issuedAt: Date;
  /** When it stops being accepted. */
  readonly expiresAt: Date;
}

/** What {@link ChallengeStore.consume} found. */
export interface ConsumedChallenge {
  /** The record. */
  readonly record: ChallengeRecord;
  /** True when it had already been consumed before this call. */
  readonly alreadyUsed: boolean;
}

/**
 * Where challenges live between issue and verification. Implement it over
 * Redis or a database table for several server instances; `consume` must be
 * atomic (mark-as-used and read in one step, e.g. `UPDATE … RETURNING`) or
 * a replay can race the first use.
 */
export interface ChallengeStore {
  /** Stores a new challenge. */
  put(record: ChallengeRecord): Promise<void>;
  /**
   * Marks `value` used and returns what it was, or `undefined` when it was
   * never issued (or already purged). Must keep used challenges at least
   * until they expire so that replays are recognised as such.
   */
  consume(value: string): Promise<ConsumedChallenge | undefined>;
}

/** Settings of {@link InMemoryChallengeStore}. */
export interface InMemoryChallengeStoreOptions {
  /** Most challenges held, a positive integer; the oldest are dropped beyond it. Default 100 000. */
  maxEntries?: number;
  /** Clock; default `Date`. */
  now?: () => Date;
}

/**
 * A single-process {@link ChallengeStore}. Expired entries are purged
 * lazily on `put`; the size cap bounds memory under a flood of unused
 * challenges.
 */
export class InMemoryChallengeStore implements ChallengeStore {
  private readonly entries = new Map<string, { record: ChallengeRecord; used: boolean }>();
  /**
   * The records in issue order, from `head` on (`order[i]` before `head` are gone). Purging and the cap walk this
   * rather than the map: a map iterated from its front steps over every entry deleted there since its last
   * rehash, so under a flood past the cap each issue cost more than the one before.
   */
  private order: ChallengeRecord[] = [];
  private head = 0;
  private readonly maxEntries: number;
  private readonly now: () => Date;

  /**
   * @param options see {@link InMemoryChallengeStoreOptions}.
   * @throws RangeError when `options` is not an object or `maxEntries` not a positive integer.
   */
  public constructor(options: InMemoryChallengeStoreOptions = {}) {
    requireOptionsObject(options, 'InMemoryChallengeStore');
    this.maxEntries = options.maxEntries ?? 100_000;
    // The cap is the only bound on a flood of unused challenges: `NaN` (a setting read from an unset environment
    // variable) compares false with every size and would have let the store grow with every issue.
    checkCount('maxEntries', this.maxEntries, 1);
    this.now = options.now ?? (() => new Date());
  }

  /** Number of challenges held (used or not). */
  public get size(): number {
    return this.entries.size;
  }

  /** {@inheritDoc ChallengeStore.put} */
  public put(record: ChallengeRecord): Promise<void> {
    const now = this.now().getTime();
    // Issue order is expiry order with one lifetime per issuer: purging stops at the first live record.
    while (this.head < this.order.length) {
      const oldest = this.order[this.head] as ChallengeRecord;
      if (this.entries.get(oldest.value)?.record !== oldest) this.head++; // replaced by a later put of its value
      else if (oldest.expiresAt.getTime() < now || this.entries.size >= this.maxEntries) {
        this.entries.delete(oldest.value);
        this.head++;
      } else break;
    }
    // The passed part is cut off once it is most of the array: amortised O(1) per put.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    this.entries.set(record.value, { record, used: false });
    this.order.push(record);
    return Promise.resolve();
  }

  /** {@inheritDoc ChallengeStore.consume} */
  public consume(value: string): Promise<ConsumedChallenge | undefined> {
    const entry = this.entries.get(value);
    if (entry === undefined) return Promise.resolve(undefined);
    const alreadyUsed = entry.used;
    entry.used = true;
    return Promise.resolve({ record: entry.record, alreadyUsed });
  }
}
