import { randomBytes } from 'node:crypto';
import { describeValue } from '../../../shared/describe-value.js';
import { unstorableText } from '../../../shared/storable-text.js';
import { requireOptionsObject } from '../options-argument.js';
import { unknownOptionProblem } from '../../../shared/option-names.js';
import { InMemoryChallengeStore, type ChallengeRecord, type ChallengeStore } from './challenge-store.js';

/**
 * Longest session id a challenge is issued to, in every store (the SQL store's
 * column allows no more; a session id is a key, not data).
 */
export const MAX_SESSION_ID_CHARS = 1024;

/**
 * Why `sessionId` cannot be given a challenge, or `undefined` when it can: 1 to {@link MAX_SESSION_ID_CHARS}
 * characters that every store keeps unchanged (no NUL, which PostgreSQL refuses; no lone surrogate, which it would
 * keep as U+FFFD, so the session's own answer would no longer match). One rule for the issuer and every store.
 * @internal
 */
export function sessionIdProblem(sessionId: unknown): string | undefined {
  if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_CHARS) {
    return `sessionId must be 1 to ${MAX_SESSION_ID_CHARS} characters`;
  }
  const unstorable = unstorableText(sessionId);
  return unstorable === undefined ? undefined : `sessionId ${unstorable}`;
}

/** Most random bytes per challenge: 384 are 512 base64url characters, what every store keeps. */
const MAX_CHALLENGE_BYTES = 384;
/** Longest challenge lifetime: a day. Past it nothing is a login's challenge, and a Date could not hold far more. */
const MAX_TTL_MS = 24 * 60 * 60_000;

/** Settings of a {@link ChallengeIssuer}. */
export interface ChallengeIssuerOptions {
  /** Where challenges are kept; default an {@link InMemoryChallengeStore}. */
  store?: ChallengeStore;
  /** Lifetime; default 5 minutes (PIN entry on a card reader takes a while), at most a day. */
  ttlMs?: number;
  /** Random bytes per challenge, a whole number; default and minimum 32 (256 bits), at most 384. */
  bytes?: number;
  /** Clock; default `Date`. */
  now?: () => Date;
}

/** Whether `value` has the two methods of a {@link ChallengeStore}. */
function isChallengeStore(value: unknown): value is ChallengeStore {
  if (typeof value !== 'object' || value === null) return false;
  const { put, consume } = value as { put?: unknown; consume?: unknown };
  return typeof put === 'function' && typeof consume === 'function';
}

/** The names of {@link ChallengeIssuerOptions}; a Record so that an option added there and not here fails to compile. */
const ISSUER_OPTIONS: Record<keyof ChallengeIssuerOptions, true> = { store: true, ttlMs: true, bytes: true, now: true };

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

  /**
   * @throws RangeError for `options` that is not an object or has a name that is no option, a `store` without
   *   `put` and `consume`, a `now` that is not a function, random bytes that are not a whole number from 32 to 384, or a lifetime that is not positive
   *   and at most a day.
   */
  public constructor(options: ChallengeIssuerOptions = {}) {
    requireOptionsObject(options, 'ChallengeIssuer');
    // A misspelt name was dropped for its default: `ttl: 60_000` a five-minute challenge.
    const unknown = unknownOptionProblem(options, ISSUER_OPTIONS);
    if (unknown !== undefined) throw new RangeError(`ChallengeIssuer: ${unknown}`);
    // Checked here, not at the first issue or login, where either would be a bare TypeError from inside.
    const { store, now } = options as { store?: unknown; now?: unknown };
    if (store !== undefined && !isChallengeStore(store)) {
      const pending = store instanceof Promise ? ' (a Promise: await SqlChallengeStore.open(…) first)' : '';
      throw new RangeError(`ChallengeIssuer: store must be a ChallengeStore (an object with put and consume), not ${describeValue(store)}${pending}`);
    }
    if (now !== undefined && typeof now !== 'function') throw new RangeError(`ChallengeIssuer: now must be a function returning the current Date, not ${describeValue(now)}`);
    this.now = options.now ?? (() => new Date());
    this.store = options.store ?? new InMemoryChallengeStore({ now: this.now });
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.bytes = options.bytes ?? 32;
    if (!Number.isInteger(this.bytes) || this.bytes < 32 || this.bytes > MAX_CHALLENGE_BYTES) {
      throw new RangeError(`a challenge needs a whole number of random bytes from 32 (256 bits) to ${MAX_CHALLENGE_BYTES}, not ${describeValue(this.bytes)}`);
    }
    // Bounded: an endless challenge's expiry is an Invalid Date, which no route can answer with and no store can
    // purge by (a finite 9e15 ms is one too).
    if (typeof this.ttlMs !== 'number' || !(this.ttlMs > 0) || this.ttlMs > MAX_TTL_MS) {
      throw new RangeError(`challenge lifetime must be a positive number of milliseconds, at most a day (${MAX_TTL_MS}), not ${describeValue(this.ttlMs)}`);
    }
  }

  /**
   * Issues a challenge for `sessionId` (the server-side session the browser
   * holds a cookie for; never the challenge itself).
   * @throws RangeError for an empty session id, one over {@link MAX_SESSION_ID_CHARS} characters, or one holding
   *   NUL or a lone surrogate (text no SQL store keeps as given).
   */
  public async issue(sessionId: string): Promise<IssuedChallenge> {
    const problem = sessionIdProblem(sessionId);
    if (problem !== undefined) throw new RangeError(problem);
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
