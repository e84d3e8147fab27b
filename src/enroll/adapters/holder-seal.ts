/**
 * Carries a verified card holder from the request that verified the login to
 * later requests. The flows accept only holders `cardHolderFromLogin` built in
 * this process (a mark a JSON copy loses), which is right for one request but
 * not for an administrator session spanning several, or for a backend whose
 * session store serialises (Redis, a database, a signed cookie). A sealed
 * holder is the holder's fields with an expiry and an optional context (a
 * session id), authenticated with HMAC-SHA-256 under the backend's key:
 * opening it gives back a holder the flows accept, and nothing else does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CardAuthority, VerifiedCardHolder } from '../domain/card-holder.js';
import { isVerifiedHolder, markVerified } from '../domain/verified-holder.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';
import { refusalError } from '../refusals.js';

/** Settings of a {@link HolderSeal}. */
export interface HolderSealOptions {
  /**
   * HMAC key, at least 32 random bytes, the same on every instance that opens
   * what another sealed. Keep it with your session secret; rotating it makes
   * every sealed holder unusable (users log in with their card again).
   */
  readonly key: Uint8Array;
  /** How long a sealed holder can be opened, in ms; default 30 minutes. */
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

const PREFIX = 'twpki-holder.v1.';
const DEFAULT_TTL_MS = 30 * 60_000;
const MIN_KEY_BYTES = 32;

/** The sealed fields: the holder without its certificate (the flows never read it; it would triple the size). */
type SealedFields = Omit<VerifiedCardHolder, 'certificateDer'>;
const TEXT_FIELDS = ['subjectName', 'certificateSerial', 'cardNumber', 'idHint', 'organizationOid', 'businessId', 'anchor', 'validFrom'] as const;
const AUTHORITIES: readonly CardAuthority[] = ['MOICA', 'MOEACA', 'GCA', 'XCA', 'HCA'];

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
  private readonly ttlMs: number;
  private readonly clock: Clock;

  /** @throws RangeError naming `key` (not bytes, or fewer than 32) or `ttlMs` (not a positive number). */
  public constructor(options: HolderSealOptions) {
    const key: unknown = (options as Partial<HolderSealOptions> | undefined)?.key;
    if (!(key instanceof Uint8Array) || key.length < MIN_KEY_BYTES) {
      throw new RangeError(`key must be at least ${MIN_KEY_BYTES} bytes (a Uint8Array or Buffer of random bytes)`);
    }
    const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`ttlMs must be a positive number of milliseconds, not ${String(ttlMs)}`);
    }
    this.key = Buffer.from(key);
    this.ttlMs = ttlMs;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The holder as a string for the session (about 300 characters).
   * @throws EnrollError `NOT_AUTHORIZED`, refusal `VERIFIED_LOGIN_REQUIRED`,
   *   for a holder `cardHolderFromLogin` (or {@link open}) did not make.
   */
  public seal(holder: VerifiedCardHolder, options: HolderSealContext = {}): string {
    if (!isVerifiedHolder(holder)) {
      throw refusalError('VERIFIED_LOGIN_REQUIRED', 'only a holder from cardHolderFromLogin (or HolderSeal.open) can be sealed');
    }
    const fields: Record<string, unknown> = { authority: holder.authority };
    for (const name of TEXT_FIELDS) if (holder[name] !== undefined) fields[name] = holder[name];
    const payload = Buffer.from(JSON.stringify({ exp: this.clock.now().getTime() + this.ttlMs, h: fields }), 'utf8').toString('base64url');
    return `${PREFIX}${payload}.${this.mac(payload, contextOf(options)).toString('base64url')}`;
  }

  /**
   * The holder a {@link seal} call sealed, marked as verified again.
   * @throws EnrollError `NOT_AUTHORIZED`, refusal `VERIFIED_LOGIN_REQUIRED`,
   *   when `sealed` is not a string this key sealed for this context, was
   *   altered, or has expired (the detail says which).
   */
  public open(sealed: unknown, options: HolderSealContext = {}): VerifiedCardHolder {
    const refuse = (why: string): never => {
      throw refusalError('VERIFIED_LOGIN_REQUIRED', `sealed holder ${why}; log in with the card again`);
    };
    if (typeof sealed !== 'string' || !sealed.startsWith(PREFIX)) return refuse('is not one');
    const [payload, tag, ...rest] = sealed.slice(PREFIX.length).split('.');
    if (payload === undefined || tag === undefined || rest.length > 0 || payload === '') return refuse('is not one');
    // Compared as text: decoding would accept other spellings of the same bytes (the last character's unused
    // bits), so an altered sealed value could still open. Length first: timingSafeEqual throws on unequal lengths.
    const given = Buffer.from(tag, 'utf8');
    const expected = Buffer.from(this.mac(payload, contextOf(options)).toString('base64url'), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return refuse('does not verify (another key, another context, or altered)');
    }
    const body = parseJson(Buffer.from(payload, 'base64url').toString('utf8'));
    const fields = body === undefined ? undefined : sealedFields(body.h);
    if (body === undefined || fields === undefined || typeof body.exp !== 'number') return refuse('is malformed');
    if (this.clock.now().getTime() >= body.exp) return refuse(`expired at ${new Date(body.exp).toISOString()}`);
    return markVerified({ ...fields });
  }

  private mac(payload: string, context: string): Buffer {
    // The context is length-prefixed so no payload/context split can collide with another.
    return createHmac('sha256', this.key).update(`${PREFIX}${context.length}:${context}.${payload}`, 'utf8').digest();
  }
}

function contextOf(options: HolderSealContext | undefined): string {
  const context: unknown = options?.context;
  if (context === undefined) return '';
  if (typeof context !== 'string') throw new TypeError('context must be a string (e.g. the session id)');
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
  if (!AUTHORITIES.includes(v.authority as CardAuthority)) return undefined;
  const out: Record<string, unknown> = { authority: v.authority };
  for (const name of TEXT_FIELDS) {
    if (v[name] === undefined) continue;
    if (typeof v[name] !== 'string') return undefined;
    out[name] = v[name];
  }
  if (typeof out.subjectName !== 'string' || typeof out.certificateSerial !== 'string') return undefined;
  return out as unknown as SealedFields;
}
