/**
 * A verified card as the pages show it, and the holder the enrollment flows
 * take (`cardHolderFromLogin`), kept server-side per session and step.
 */
import type { VerifiedLogin } from 'twpki/cert';
import { cardHolderFromLogin, type VerifiedCardHolder } from 'twpki/enroll';
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
  const holder = cardHolderFromLogin(login);
  return {
    name: holder.subjectName,
    cardNumber: login.cardNumber ?? '',
    certificateSerial: holder.certificateSerial,
    idHint: holder.idHint,
    organizationOid: holder.organizationOid,
    businessId: holder.businessId,
    authorityName: login.profile.authority.displayName ?? holder.authority,
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

/**
 * Verified cards waiting for the next step (確認送出, 首次註冊資訊確認), per
 * browser session and step, for ten minutes. Kept in the process rather than
 * in the session: the flows accept only holders `cardHolderFromLogin` made,
 * which a serialized session would lose.
 */
export class VerifiedCards {
  private readonly table = new Map<string, { card: CardView; at: number }>();

  /** Keeps `card` for `session`'s `step`. */
  public put(session: string, step: string, card: CardView): void {
    const now = Date.now();
    for (const [k, v] of this.table) if (now - v.at > TTL_MS) this.table.delete(k);
    this.table.set(`${session}\n${step}`, { card, at: now });
  }

  /** The card kept for `session`'s `step`, or a 409 telling the user to read the card first. */
  public get(session: string, step: string, message = '請先插入卡片、輸入密碼並完成憑證確認'): CardView {
    const kept = this.table.get(`${session}\n${step}`);
    if (kept === undefined || Date.now() - kept.at > TTL_MS) throw new PageError(409, 'CARD_NOT_VERIFIED', message);
    return kept.card;
  }

  /** Forgets the cards of `session` for `steps`. */
  public drop(session: string, ...steps: string[]): void {
    for (const s of steps) this.table.delete(`${session}\n${s}`);
  }
}
