/**
 * Maps the certificate layer's verified login onto the enroll layer's
 * {@link VerifiedCardHolder}, so HTTP handlers pass one object from login to the
 * flows without re-reading certificate fields.
 */
import { createHash } from 'node:crypto';
import { isVerifiedLogin, type VerifiedLogin } from '../../cert/index.js';
import { toHex } from '../../shared/bytes.js';
import { integerContentOfHex } from '../../shared/der/der-values.js';
import type { CardAuthority, VerifiedCardHolder } from '../domain/card-holder.js';
import { markVerified } from '../domain/verified-holder.js';
import { parseCertificateSerial, type CertificateSerial } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { refusalError } from '../refusals.js';

const AUTHORITIES: Readonly<Record<string, CardAuthority>> = {
  moica: 'MOICA',
  moeaca: 'MOEACA',
  gca: 'GCA',
  xca: 'XCA',
  hca: 'HCA',
};

/** Options of {@link cardHolderFromLogin}. */
export interface CardHolderFromLoginOptions {
  /**
   * Accept the card number the local component reported when the signature
   * carried none. Off by default: that value is not covered by the signature,
   * and the card number is what binds a card to a control number.
   */
  readonly trustReportedCardNumber?: boolean;
}

/**
 * Why `value` is not a {@link VerifiedLogin} this process's verifier returned, or `undefined`. The shape is checked
 * first, for the message (a JavaScript caller's `null`, `{}` or request data would otherwise fail with a bare
 * TypeError); then the verifier's mark, since the shape alone can be built from any certificate without a signature.
 */
function notAVerifiedLogin(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `is ${value === null || value === undefined ? String(value) : `a ${typeof value}`}, not a verified login`;
  const login = value as Partial<Record<keyof VerifiedLogin, unknown>>;
  const profile = login.profile as { authority?: { id?: unknown }; identity?: unknown; subject?: unknown; validity?: { notBefore?: unknown } } | undefined;
  if (typeof profile !== 'object' || profile === null) return 'has no certificate profile';
  if (typeof profile.authority?.id !== 'string') return "has no profile.authority";
  if (typeof profile.identity !== 'object' || profile.identity === null) return 'has no profile.identity';
  if (typeof profile.subject !== 'object' || profile.subject === null) return 'has no profile.subject';
  if (!(profile.validity?.notBefore instanceof Date)) return 'has no profile.validity';
  if (!(login.certificate instanceof Uint8Array)) return 'has no certificate';
  if (!Array.isArray(login.chain)) return 'has no chain';
  if (!isVerifiedLogin(value)) {
    return 'was not returned by LoginVerifier.verify in this process (a copy, a spread, or a login built or read back from data carries no proof that its signature was checked)';
  }
  return undefined;
}

/**
 * The certificate's serial as the flows spell it and every release stored it: the octets of its INTEGER in
 * lower-case hex, no leading zeros. For a positive serial that is the profile's `serialNumber` (and the trust
 * layer's spelling). A negative one (RFC 5280 forbids it, but a CA may have issued it, and the trust layer verifies
 * it) the profile and the trust layer spell by its value, `-<magnitude>`, which is no hex: read as such, a card bound
 * before could no longer log in (INVALID_INPUT `certificateSerial`). The flows keep its two's-complement octets.
 */
function flowSerial(login: VerifiedLogin): CertificateSerial {
  const shown = login.profile.serialNumber;
  return parseCertificateSerial(shown.startsWith('-') ? toHex(integerContentOfHex(shown)) : shown, 'certificateSerial');
}

/**
 * The card holder a verified login proves; throws WRONG_CARD_TYPE for a CA or
 * unknown certificate, and NOT_AUTHORIZED (refusal `VERIFIED_LOGIN_REQUIRED`)
 * for a value that is not the very object `LoginVerifier.verify` returned (`null`, `{}`, a copy, one built from a
 * certificate). The result is marked as verified (the flows accept only marked holders) and carries the SHA-256 of the
 * trust anchor it chains to.
 */
export function cardHolderFromLogin(login: VerifiedLogin, options: CardHolderFromLoginOptions = {}): VerifiedCardHolder {
  const missing = notAVerifiedLogin(login);
  if (missing !== undefined) {
    throw refusalError('VERIFIED_LOGIN_REQUIRED', `cardHolderFromLogin: pass what LoginVerifier.verify returned; this value ${missing}`);
  }
  const { profile } = login;
  const authority = AUTHORITIES[profile.authority.id];
  if (authority === undefined) {
    throw new EnrollError('WRONG_CARD_TYPE', `certificates of authority "${profile.authority.id}" cannot log in`);
  }
  // A subject holding a value that is not text (an OCTET STRING where a name goes, shown as `#` and hex) names no
  // holder: the profile withholds holderName then, and its CN is not taken instead (with the O unreadable, the CN
  // is not the company the certificate names).
  const textSubject = profile.subject.attributes.every((a) => a.stringType !== undefined);
  const subjectName = profile.identity.holderName ?? (textSubject ? profile.subject.commonName : undefined);
  if (subjectName === undefined || subjectName === '') {
    throw new EnrollError('WRONG_CARD_TYPE', textSubject ? 'the login certificate names no holder' : 'the login certificate names no holder: its subject holds a value that is not text');
  }
  // `null` for the options is the defaults, as leaving them out is.
  const trustReported = (options as CardHolderFromLoginOptions | null)?.trustReportedCardNumber === true;
  const cardNumber = login.cardNumber ?? (trustReported ? login.reportedCardNumber : undefined);
  const id = profile.identity;
  const root = login.chain[login.chain.length - 1];
  return markVerified({
    authority,
    subjectName,
    // The flows' own spelling (lower-case hex, no leading zeros), so the holder's serial equals the one they store and list.
    certificateSerial: flowSerial(login),
    certificateDer: login.certificate,
    ...(cardNumber === undefined ? {} : { cardNumber }),
    ...(id.idHint === undefined ? {} : { idHint: id.idHint }),
    ...(id.organizationOid === undefined ? {} : { organizationOid: id.organizationOid }),
    ...(id.businessId === undefined ? {} : { businessId: id.businessId }),
    ...(root === undefined ? {} : { anchor: createHash('sha256').update(root).digest('hex') }),
    validFrom: profile.validity.notBefore.toISOString(),
  });
}
