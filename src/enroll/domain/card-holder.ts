/**
 * What the enrollment layer needs from a verified card login. The certificate
 * layer's verification result maps onto this; enroll never parses certificates.
 */
import { IssueCollector } from '../errors.js';
import { isVerifiedHolder } from './verified-holder.js';
import {
  parseAgencyOid,
  parseBusinessId,
  parseCardNumber,
  parseCertificateSerial,
  parseRequiredText,
  type AgencyOid,
  type BusinessId,
  type CardNumber,
  type CertificateSerial,
} from './identifiers.js';

/** A MOICA ID hint as real certificates carry it (2.16.886.1.100.2.51: a UTF8String of 4 digits). */
export const ID_HINT = /^[0-9]{4}$/;

/** Certificate authorities whose cards the flows accept. */
export type CardAuthority = 'MOICA' | 'MOEACA' | 'GCA' | 'XCA' | 'HCA';

/** Authorities of citizen (natural person) certificates. */
export const CITIZEN_AUTHORITIES: readonly CardAuthority[] = ['MOICA'];
/** Authorities of organization certificates (機關/組織/工商/醫事機構憑證; the GEPI seed lists HCA). */
export const ORGANIZATION_AUTHORITIES: readonly CardAuthority[] = ['GCA', 'XCA', 'MOEACA', 'HCA'];

/** A card holder whose login signature and certificate chain were already verified. */
export interface VerifiedCardHolder {
  /** Issuing authority of the login certificate. */
  readonly authority: CardAuthority;
  /** Subject CN (citizen name) or O (organization name). */
  readonly subjectName: string;
  /** Serial of the login certificate (hex). */
  readonly certificateSerial: string;
  /** Card number (卡號) read from the card or the signed attribute, when known. */
  readonly cardNumber?: string;
  /** DER of the login certificate, kept for the record when supplied. */
  readonly certificateDer?: Uint8Array;
  /** MOICA 4-digit hint tied to the national ID; the flows refuse a holder whose hint is not 4 digits. */
  readonly idHint?: string;
  /** GCA/XCA organization OID (2.16.886.1.100.2.102). */
  readonly organizationOid?: string;
  /** MOEACA 統一編號 (2.16.886.1.100.2.101); the flows refuse one that is not 8 digits with a valid checksum, as written. */
  readonly businessId?: string;
  /** SHA-256 (hex) of the trust anchor the login certificate chained to. */
  readonly anchor?: string;
  /** The certificate's notBefore (ISO instant); a renewal must be newer than the bound certificate. */
  readonly validFrom?: string;
}

/** A {@link VerifiedCardHolder} after normalization of its identifiers. */
export interface CardIdentity {
  /** Issuing authority. */
  readonly authority: CardAuthority;
  /** Subject name. */
  readonly subjectName: string;
  /** Normalized certificate serial. */
  readonly certificateSerial: CertificateSerial;
  /** Normalized card number, if the login carried one. */
  readonly cardNumber?: CardNumber;
  /** Organization OID (GCA/XCA). */
  readonly organizationOid?: AgencyOid;
  /** 統一編號 (MOEACA). */
  readonly businessId?: BusinessId;
  /** MOICA ID hint, when the certificate carries one. */
  readonly idHint?: string;
  /** SHA-256 (hex) of the trust anchor, when known. */
  readonly anchor?: string;
  /** notBefore of the certificate (ISO instant), when known. */
  readonly validFrom?: string;
  /** True when the holder came from a successful login verification (`cardHolderFromLogin`). */
  readonly verified: boolean;
}

/** Every authority whose cards the flows accept. */
export const CARD_AUTHORITIES: readonly CardAuthority[] = ['MOICA', 'MOEACA', 'GCA', 'XCA', 'HCA'];

/**
 * Validates a card holder; `requireCardNumber` is set where the seed binds a card
 * (卡號 + certificate) rather than a certificate alone.
 */
export function parseCardHolder(
  value: unknown,
  field: string,
  options: { requireCardNumber?: boolean } = {},
): CardIdentity {
  const issues = new IssueCollector();
  if (typeof value !== 'object' || value === null) {
    issues.add(field, 'NOT_VERIFIED', 'a verified card holder is required');
    issues.throwIfAny();
  }
  const v = value as Record<string, unknown>;
  const authority = v.authority as CardAuthority;
  if (!CARD_AUTHORITIES.includes(authority)) issues.add(`${field}.authority`, 'WRONG_CERTIFICATE', 'unknown certificate authority');
  const subjectName = issues.take(() => parseRequiredText(v.subjectName, `${field}.subjectName`));
  const certificateSerial = issues.take(() => parseCertificateSerial(v.certificateSerial, `${field}.certificateSerial`));
  let cardNumber: CardNumber | undefined;
  if (v.cardNumber === undefined && options.requireCardNumber === true) {
    // The usual cause: a login whose CMS carried no signed card number (the page did not ask withCardSN).
    issues.add(
      `${field}.cardNumber`,
      'REQUIRED',
      'the card number (卡號) is required: a login carries it signed only as a PKCS7 signature asked withCardSN ' +
        '(a PKCS1 login cannot); cardHolderFromLogin(login, { trustReportedCardNumber: true }) takes the unsigned cardSN ' +
        'the component reported instead, when it reported one',
    );
  } else if (v.cardNumber !== undefined) {
    cardNumber = issues.take(() => parseCardNumber(v.cardNumber, `${field}.cardNumber`));
  }
  const organizationOid =
    v.organizationOid === undefined ? undefined : issues.take(() => parseAgencyOid(v.organizationOid, `${field}.organizationOid`));
  // Both are matched against what a person typed or a directory holds, so they are taken only as the facts say
  // certificates write them, never normalized: a certificate's " 22099131 " or "04271" is not a 統一編號, and a hint
  // "9" would have agreed with every ID ending in 9. The certificate layer still shows such values (display only).
  let businessId: BusinessId | undefined;
  if (v.businessId !== undefined) {
    businessId = issues.take(() => parseBusinessId(v.businessId, `${field}.businessId`));
    if (businessId !== undefined && v.businessId !== businessId) {
      businessId = undefined;
      issues.add(`${field}.businessId`, 'INVALID_ID', "must be the certificate's 統一編號 (2.16.886.1.100.2.101) as written: 8 digits, nothing around them");
    }
  }
  let idHint: string | undefined;
  if (v.idHint !== undefined) {
    idHint = issues.take(() => parseRequiredText(v.idHint, `${field}.idHint`, 16));
    if (idHint !== undefined && !ID_HINT.test(v.idHint as string)) {
      idHint = undefined;
      issues.add(
        `${field}.idHint`,
        'INVALID_FORMAT',
        "must be the certificate's ID hint (2.16.886.1.100.2.51) as MOICA writes it, 4 digits; a certificate with another one cannot be checked against a 身分證統一編號",
      );
    }
  }
  let anchor: string | undefined;
  if (v.anchor !== undefined) {
    anchor = issues.take(() => parseRequiredText(v.anchor, `${field}.anchor`, 64));
    if (anchor !== undefined && !/^[0-9a-f]{64}$/.test(anchor)) issues.add(`${field}.anchor`, 'INVALID_FORMAT', 'must be a SHA-256 in lower-case hex');
  }
  let validFrom: string | undefined;
  if (v.validFrom !== undefined) {
    const t = typeof v.validFrom === 'string' && v.validFrom.length <= 40 ? Date.parse(v.validFrom) : Number.NaN;
    if (Number.isNaN(t)) issues.add(`${field}.validFrom`, 'INVALID_FORMAT', 'must be an ISO instant');
    else validFrom = new Date(t).toISOString();
  }
  issues.throwIfAny();
  return {
    verified: isVerifiedHolder(value),
    authority,
    subjectName: subjectName as string,
    certificateSerial: certificateSerial as CertificateSerial,
    ...(cardNumber === undefined ? {} : { cardNumber }),
    ...(organizationOid === undefined ? {} : { organizationOid }),
    ...(businessId === undefined ? {} : { businessId }),
    ...(idHint === undefined ? {} : { idHint }),
    ...(anchor === undefined ? {} : { anchor }),
    ...(validFrom === undefined ? {} : { validFrom }),
  };
}
