/**
 * Turns the certificate layer's verified login into what the enrollment layer
 * binds (VerifiedCardHolder) and what the page shows (取得憑證資訊).
 */
import type { VerifiedLogin } from 'twpki/cert';
import type { CardAuthority, VerifiedCardHolder } from 'twpki/enroll';
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

const AUTHORITIES: Record<string, CardAuthority> = {
  moica: 'MOICA',
  moeaca: 'MOEACA',
  gca: 'GCA',
  xca: 'XCA',
  hca: 'HCA',
};

/**
 * Maps a verified login. The card number must come from the signature's own
 * CMS attribute: the `cardSN` the agent reports beside it is not signed.
 */
export function cardHolderOf(login: VerifiedLogin): CardHolderView {
  const p = login.profile;
  const authority = AUTHORITIES[p.authority.id];
  if (authority === undefined) throw new HttpError(400, 'UNKNOWN_AUTHORITY', 'the certificate is not from a known GPKI authority');
  const cardNumber = login.cardNumber;
  if (cardNumber === undefined) throw new HttpError(400, 'CARD_NUMBER_UNSIGNED', 'the signature does not carry the card number');
  const name = p.identity.holderName ?? p.subject.commonName ?? '';
  const holder: VerifiedCardHolder = {
    authority,
    subjectName: name,
    certificateSerial: p.serialNumber,
    cardNumber,
    certificateDer: login.certificate,
    ...(p.identity.idHint === undefined ? {} : { idHint: p.identity.idHint }),
    ...(p.identity.organizationOid === undefined ? {} : { organizationOid: p.identity.organizationOid }),
  };
  return { name, cardNumber, idHint: p.identity.idHint, authorityName: p.authority.displayName ?? authority, holder };
}
