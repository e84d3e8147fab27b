/**
 * Carries a verified card holder from the request that verified the login to
 * later requests. The flows accept only holders `cardHolderFromLogin` built in
 * this process (a mark a JSON copy loses), which is right for one request but
 * not for an administrator session spanning several, or for a backend whose
 * session store serialises (Redis, a database, a cookie). A sealed holder is
 * the holder's fields with an expiry, encrypted and authenticated with
 * AES-256-GCM under the backend's key, bound to a context (the session id):
 * opening it gives back a holder the flows accept, nothing else does, and
 * whoever holds the sealed text cannot read the name, card number or ID hint
 * in it (personal data a cookie would otherwise show to the browser).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { CARD_AUTHORITIES, type CardAuthority, type VerifiedCardHolder } from '../domain/card-holder.js';
import { isVerifiedHolder, markVerified } from '../domain/verified-holder.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';
import { refusalError } from '../refusals.js';
import { describeValue } from '../../shared/describe-value.js';

/** Settings of a {@link HolderSeal}. */
export interface HolderSealOptions {
  /**
   * Secret key, at least 32 random bytes, the same on every instance that
   * opens what another sealed. Keep it with your session secret. Rotating it
   * without {@link previousKeys} makes every sealed holder unusable (users
   * log in with their card again).
   */
  readonly key: Uint8Array;
  /**
   * Keys used before `key`, newest first, at most 4, each at least 32 bytes:
   * what they sealed still opens until it expires, while everything is sealed
   * with `key`. Rotate by making the old key the first previous one on every
   * instance, and drop it once `ttlMs` has passed.
   */
  readonly previousKeys?: readonly Uint8Array[];
  /** How long a sealed holder can be opened, in whole milliseconds; default 30 minutes, at most 24 hours. */
  readonly ttlMs?: number;
  /** Clock; default the system clock. */
  readonly clock?: Clock;
}

/** Per-call settings of {@link HolderSeal.seal} and {@link HolderSeal.open}. */
export interface HolderSealContext {
  /**
   * What the sealed holder is bound to, usually the session id: opening with
   * another context fails, so a sealed value copied into another session is
   * useless there. Seal and open must give the same value (or both none).
   */
  readonly context?: string;
}

const PREFIX = 'twpki-holder.v2.';
const DEFAULT_TTL_MS = 30 * 60_000;
const MAX_TTL_MS = 24 * 60 * 60_000;
const MIN_KEY_BYTES = 32;
const MAX_PREVIOUS_KEYS = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The sealed fields: the holder without its certificate (the flows never read it; it would triple the size). */
type SealedFields = Omit<VerifiedCardHolder, 'certificateDer'>;
const TEXT_FIELDS = ['subjectName', 'certificateSerial', 'cardNumber', 'idHint', 'organizationOid', 'businessId', 'anchor', 'validFrom'] as const;

/**
 * Seals and opens verified card holders for a backend's session.
 *
 * ```ts
 * const seal = new HolderSeal({ key: sessionKeyBytes });
 * req.session.adminCard = seal.seal(cardHolderFromLogin(login), { context: req.session.id });
 * // a later request, on any instance:
 * const administratorCard = seal.open(req.session.adminCard, { context: req.session.id });
 * ```
 */
export class HolderSeal {
  private readonly key: Buffer;
  /** `key` and then the previous keys, as derived: what {@link open} tries, in this order. */
  private readonly openingKeys: readonly Buffer[];
  private readonly ttlMs: number;
  private readonly clock: Clock;

  /**
   * @throws RangeError naming `key` (not bytes, or fewer than 32), `previousKeys`
   *   (not a list of at most 4 such keys), `ttlMs` (not a whole number of ms
   *   from 1 to 24 hours) or `clock` (no `now()`).
   */
  public constructor(options: HolderSealOptions) {
    const o = (typeof options === 'object' && options !== null ? options : {}) as Partial<Record<keyof HolderSealOptions, unknown>>;
    if (!(o.key instanceof Uint8Array) || o.key.length < MIN_KEY_BYTES) {
      throw new RangeError(`key must be at least ${MIN_KEY_BYTES} random bytes (a Uint8Array or Buffer)`);
    }
    const ttlMs = o.ttlMs ?? DEFAULT_TTL_MS;
    if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
      throw new RangeError(`ttlMs must be a whole number of milliseconds from 1 to ${MAX_TTL_MS} (24 hours), not ${describeValue(ttlMs)}`);
    }
    const clock = o.clock ?? systemClock;
    if (typeof clock !== 'object' || clock === null || typeof (clock as Partial<Clock>).now !== 'function') {
      throw new RangeError('clock must be an object with a now() method (a Clock, such as systemClock)');
    }
    const previous = o.previousKeys ?? [];
    if (!Array.isArray(previous) || previous.length > MAX_PREVIOUS_KEYS) {
      throw new RangeError(`previousKeys must be a list of at most ${MAX_PREVIOUS_KEYS} keys (newest first)`);
    }
    previous.forEach((k: unknown, i) => {
      if (!(k instanceof Uint8Array) || k.length < MIN_KEY_BYTES) {
        throw new RangeError(`previousKeys[${i}] must be at least ${MIN_KEY_BYTES} random bytes (a Uint8Array or Buffer)`);
      }
    });
    this.key = sealingKey(o.key);
    this.openingKeys = [this.key, ...(previous as Uint8Array[]).map(sealingKey)];
    this.ttlMs = ttlMs;
    this.clock = clock as Clock;
  }

  /**
   * The holder as a string for the session (about 400 characters, URL- and
   * cookie-safe), unreadable without the key.
   * @throws EnrollError `NOT_AUTHORIZED`, refusal `VERIFIED_LOGIN_REQUIRED`,
   *   for a holder `cardHolderFromLogin` (or {@link open}) did not make.
   * @throws TypeError for options that are not `{ context?: string }` or an empty context.
   */
  public seal(holder: VerifiedCardHolder, options?: HolderSealContext): string {
    const context = contextOf(options);
    if (!isVerifiedHolder(holder)) {
      throw refusalError('VERIFIED_LOGIN_REQUIRED', 'only a holder from cardHolderFromLogin (or HolderSeal.open) can be sealed');
    }
    const fields: Record<string, unknown> = { authority: holder.authority };
    for (const name of TEXT_FIELDS) if (holder[name] !== undefined) fields[name] = holder[name];
    const plain = Buffer.from(JSON.stringify({ exp: this.clock.now().getTime() + this.ttlMs, h: fields }), 'utf8');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(aad(context));
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${sealed.toString('base64url')}`;
  }

  /**
   * The holder a {@link seal} call sealed, marked as verified again.
   * @throws EnrollError `NOT_AUTHORIZED`, refusal `VERIFIED_LOGIN_REQUIRED`,
   *   when `sealed` is not a string this key sealed for this context, was
   *   altered, or has expired (the detail says which).
   * @throws TypeError for options that are not `{ context?: string }` or an empty context.
   */
  public open(sealed: unknown, options?: HolderSealContext): VerifiedCardHolder {
    const context = contextOf(options);
    const refuse = (why: string): never => {
      throw refusalError('VERIFIED_LOGIN_REQUIRED', `sealed holder ${why}; log in with the card again`);
    };
    if (typeof sealed !== 'string' || !sealed.startsWith(PREFIX)) return refuse('is not one');
    const text = sealed.slice(PREFIX.length);
    const bytes = Buffer.from(text, 'base64url');
    // Decoding ignores stray characters and a last character's unused bits: only the canonical spelling counts.
    if (bytes.toString('base64url') !== text || bytes.length < IV_BYTES + TAG_BYTES + 2) return refuse('is not one');
    const plain = this.decrypt(bytes, context);
    if (plain === undefined) return refuse('does not verify (another key, another context, or altered)');
    const body = parseJson(plain.toString('utf8'));
    const fields = body === undefined ? undefined : sealedFields(body.h);
    if (body === undefined || fields === undefined || typeof body.exp !== 'number') return refuse('is malformed');
    if (this.clock.now().getTime() >= body.exp) return refuse(`expired at ${new Date(body.exp).toISOString()}`);
    return markVerified({ ...fields });
  }

  /** The plain text under the first key that authenticates `bytes` for `context`, or `undefined`. */
  private decrypt(bytes: Buffer, context: string): Buffer | undefined {
    for (const key of this.openingKeys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES)).setAAD(aad(context));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      } catch {
        // Not this key (or altered): the next one, if any.
      }
    }
    return undefined;
  }
}

/** A key of its own for this use, so the same session secret can serve elsewhere without reuse. */
function sealingKey(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'twpki holder seal v2', 32));
}

/** The additional authenticated data: the format and the context, length-prefixed so no two contexts collide. */
function aad(context: string): Buffer {
  return Buffer.from(`${PREFIX}${context.length}:${context}`, 'utf8');
}

function contextOf(options: HolderSealContext | undefined): string {
  if (options === undefined) return '';
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('options must be { context?: string } (pass the session id as { context: sessionId })');
  }
  const context: unknown = options.context;
  if (context === undefined) return '';
  if (typeof context !== 'string' || context === '') throw new TypeError('context must be a non-empty string (e.g. the session id)');
  return context;
}

function parseJson(text: string): { exp?: unknown; h?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as { exp?: unknown; h?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** The sealed fields back, or `undefined` for any shape {@link HolderSeal.seal} does not write. */
function sealedFields(value: unknown): SealedFields | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!CARD_AUTHORITIES.includes(v.authority as CardAuthority)) return undefined;
  const out: Record<string, unknown> = { authority: v.authority };
  for (const name of TEXT_FIELDS) {
    if (v[name] === undefined) continue;
    if (typeof v[name] !== 'string') return undefined;
    out[name] = v[name];
  }
  if (typeof out.subjectName !== 'string' || typeof out.certificateSerial !== 'string') return undefined;
  return out as unknown as SealedFields;
}
