import { randomBytes } from 'node:crypto';
import { requireOptionsObject } from '../options-argument.js';
import { InMemoryChallengeStore, type ChallengeRecord, type ChallengeStore } from './challenge-store.js';

/**
 * Longest session id a challenge is issued to, in every store (the SQL store's
 * column allows no more; a session id is a key, not data).
 */
export const MAX_SESSION_ID_CHARS = 1024;

/** Settings of a {@link ChallengeIssuer}. */
export interface ChallengeIssuerOptions {
  /** Where challenges are kept; default an {@link InMemoryChallengeStore}. */
  store?: ChallengeStore;
  /** Lifetime; default 5 minutes (PIN entry on a card reader takes a while). */
  ttlMs?: number;
  /** Random bytes per challenge; default and minimum 32 (256 bits). */
  bytes?: number;
  /** Clock; default `Date`. */
  now?: () => Date;
}

/** A challenge handed to the browser. */
export interface IssuedChallenge {
  /** The value to sign, base64url. */
  readonly value: string;
  /** When it expires. */
  readonly expiresAt: Date;
}

/**
 * Issues single-use login challenges bound to a session. Share one issuer
 * (or at least its store) with the {@link LoginVerifier} that checks them.
 */
export class ChallengeIssuer {
  /** The store challenges are kept in. */
  public readonly store: ChallengeStore;
  /** The clock. */
  public readonly now: () => Date;
  private readonly ttlMs: number;
  private readonly bytes: number;

  /** @throws RangeError for `options` that is not an object, fewer than 32 random bytes or a lifetime that is not positive and finite. */
  public constructor(options: ChallengeIssuerOptions = {}) {
    requireOptionsObject(options, 'ChallengeIssuer');
    this.now = options.now ?? (() => new Date());
    this.store = options.store ?? new InMemoryChallengeStore({ now: this.now });
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.bytes = options.bytes ?? 32;
    if (this.bytes < 32) throw new RangeError('a challenge needs at least 32 random bytes (256 bits)');
    // Finite too: an endless challenge's expiry is an Invalid Date, which no route can answer with and no store
    // can purge by.
    if (!(this.ttlMs > 0) || !Number.isFinite(this.ttlMs)) throw new RangeError('challenge lifetime must be positive and finite');
  }

  /**
   * Issues a challenge for `sessionId` (the server-side session the browser
   * holds a cookie for; never the challenge itself).
   * @throws RangeError for an empty session id or one over {@link MAX_SESSION_ID_CHARS} characters.
   */
  public async issue(sessionId: string): Promise<IssuedChallenge> {
    if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_CHARS) {
      throw new RangeError(`sessionId must be 1 to ${MAX_SESSION_ID_CHARS} characters`);
    }
    const issuedAt = this.now();
    const record: ChallengeRecord = {
      value: randomBytes(this.bytes).toString('base64url'),
      sessionId,
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + this.ttlMs),
    };
    await this.store.put(record);
    return { value: record.value, expiresAt: record.expiresAt };
  }
}
