/**
 * A verified card as the pages show it, and the holder the enrollment flows
 * take (`cardHolderFromLogin`), kept sealed in the session per step.
 */
import type { VerifiedLogin } from 'twpki/cert';
import type { FastifyRequest } from 'fastify';
import { HolderSeal, cardHolderFromLogin, type Clock, type VerifiedCardHolder } from 'twpki/enroll';
import { PageError } from './portal.js';

/** What a verified card step shows and keeps. */
export interface CardView {
  /** Holder (CN) or organization name. */
  readonly name: string;
  /** 卡號 from the signed CMS attribute (never the unsigned `cardSN`); '' when the signature carries none. */
  readonly cardNumber: string;
  /** Certificate serial (hex), as GEPI records it. */
  readonly certificateSerial: string;
  /** MOICA ID hint (last four of the national ID). */
  readonly idHint: string | undefined;
  /** Organization OID (GCA/XCA). */
  readonly organizationOid: string | undefined;
  /** 統一編號 (MOEACA). */
  readonly businessId: string | undefined;
  /** Issuing authority's display name (GPKI column). */
  readonly authorityName: string;
  /** What the flows take. */
  readonly holder: VerifiedCardHolder;
}

/**
 * Maps a verified login (WRONG_CARD_TYPE for a certificate no flow accepts).
 * The card number is the signed CMS attribute's; flows that bind a card
 * refuse a holder without one.
 */
export function cardViewOf(login: VerifiedLogin): CardView {
  return cardViewFrom(cardHolderFromLogin(login), login.profile.authority.displayName);
}

/** The view of a verified holder; the card number is the one the login's signature carried. */
function cardViewFrom(holder: VerifiedCardHolder, authorityName: string | undefined): CardView {
  return {
    name: holder.subjectName,
    cardNumber: holder.cardNumber ?? '',
    certificateSerial: holder.certificateSerial,
    idHint: holder.idHint,
    organizationOid: holder.organizationOid,
    businessId: holder.businessId,
    authorityName: authorityName ?? holder.authority,
    holder,
  };
}

/** The public part of a {@link CardView} (what goes to the page). */
export function publicView(card: CardView): Record<string, string> {
  return {
    name: card.name,
    cardNumber: card.cardNumber,
    certificateSerial: card.certificateSerial,
    idHint: card.idHint ?? '',
    organizationOid: card.organizationOid ?? '',
    businessId: card.businessId ?? '',
    authorityName: card.authorityName,
    authority: card.holder.authority,
  };
}

const TTL_MS = 10 * 60_000;

/** A verified card as kept in the session: the holder sealed (nothing personal in clear), and the authority's display name. */
interface KeptCard {
  readonly sealed: string;
  readonly authorityName: string;
}

declare module 'fastify' {
  interface Session {
    /**
     * A verified card waiting for its step's next request, a key per step: two steps verified at once (two
     * readers, two tabs) change different keys, which the session store merges (core/session-store.ts).
     */
    [step: `verifiedCard:${string}`]: KeptCard | undefined;
  }
}

/** The browser session the cards are kept in. */
type PortalSession = FastifyRequest['session'];

/**
 * Verified cards waiting for the next step (確認送出, 首次註冊資訊確認), per
 * browser session and step, for ten minutes. Kept in the session as the
 * flows' `HolderSeal` carries them: the holder encrypted under the portal's
 * key and bound to the session and step, so a session store that serialises
 * (Redis, a database) or another portal instance with the same key gives
 * the flows back a holder they accept, and nothing else does.
 */
export class VerifiedCards {
  private readonly seal: HolderSeal;

  /**
   * @param key at least 32 random bytes, the same on every instance sharing sessions.
   * @param previousKeys keys of a rotation: what they sealed still opens until it expires.
   */
  public constructor(key: Uint8Array, clock?: Clock, previousKeys: readonly Uint8Array[] = []) {
    this.seal = new HolderSeal({ key, previousKeys, ttlMs: TTL_MS, clock });
  }

  /** Keeps `card` for `session`'s `step`. */
  public put(session: PortalSession, step: string, card: CardView): void {
    const sealed = this.seal.seal(card.holder, { context: contextOf(session, step) });
    session.set(keyOf(step), { sealed, authorityName: card.authorityName });
  }

  /** The card kept for `session`'s `step`, or a 409 telling the user to read the card first. */
  public get(session: PortalSession, step: string, message = '請先插入卡片、輸入密碼並完成憑證確認'): CardView {
    const kept = session.get(keyOf(step));
    if (kept === undefined) throw new PageError(409, 'CARD_NOT_VERIFIED', message);
    let holder: VerifiedCardHolder;
    try {
      holder = this.seal.open(kept.sealed, { context: contextOf(session, step) });
    } catch {
      // Expired, or sealed for another session or step, or under another key.
      this.drop(session, step);
      throw new PageError(409, 'CARD_NOT_VERIFIED', message);
    }
    return cardViewFrom(holder, kept.authorityName);
  }

  /** Forgets the cards of `session` for `steps`. */
  public drop(session: PortalSession, ...steps: string[]): void {
    for (const step of steps) session.set(keyOf(step), undefined);
  }
}

function keyOf(step: string): `verifiedCard:${string}` {
  return `verifiedCard:${step}`;
}

function contextOf(session: PortalSession, step: string): string {
  return `${session.sessionId}\n${step}`;
}
