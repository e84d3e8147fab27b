/**
 * Turns the certificate layer's verified login into what the enrollment layer
 * binds (VerifiedCardHolder) and what the page shows (取得憑證資訊).
 */
import type { VerifiedLogin } from 'twpki/cert';
import { EnrollError, cardHolderFromLogin, type VerifiedCardHolder } from 'twpki/enroll';
import { HttpError } from './http.js';

/** A verified card as the binding form shows it, plus the holder to bind. */
export interface CardHolderView {
  /** 自然人憑證姓名 (certificate subject CN). */
  readonly name: string;
  /** 卡號, from the signed CMS attribute. */
  readonly cardNumber: string;
  /** MOICA ID hint (last four characters tied to the national ID), when present. */
  readonly idHint: string | undefined;
  /** Issuing authority's display name (GPKI column). */
  readonly authorityName: string;
  /** What `AccountEnrollment.bindCard` / `resolveLogin` take. */
  readonly holder: VerifiedCardHolder;
}

/**
 * Maps a verified login. The card number must come from the signature's own
 * CMS attribute: the `cardSN` the agent reports beside it is not signed.
 */
export function cardHolderOf(login: VerifiedLogin): CardHolderView {
  const p = login.profile;
  if (login.cardNumber === undefined) throw new HttpError(400, 'CARD_NUMBER_UNSIGNED', 'the signature does not carry the card number');
  let holder: VerifiedCardHolder;
  try {
    // The SDK's mapping marks the holder as verified, so renewed cards can take over their binding.
    holder = cardHolderFromLogin(login);
  } catch (err) {
    if (err instanceof EnrollError) throw new HttpError(400, 'UNKNOWN_AUTHORITY', 'the certificate is not from a known GPKI authority');
    throw err;
  }
  return {
    name: holder.subjectName,
    cardNumber: login.cardNumber,
    idHint: p.identity.idHint,
    authorityName: p.authority.displayName ?? holder.authority,
    holder,
  };
}
