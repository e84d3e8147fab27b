import type { GpkiSubjectType } from './gpki-attributes.js';

/** GPKI card type values seen on real certificates; others pass through as strings. */
export type GpkiCardTypeValue = 'primary' | 'secondary' | 'mobile';

/**
 * Who the certificate is for, as far as the certificate tells. Fields are
 * undefined when the certificate does not carry them; which are present
 * depends on the authority (MOICA: `idHint`; MOEACA: `businessId`;
 * GCA/XCA: `organizationOid`). For HCA none is known: no HCA certificate was
 * available, so what it carries is read as on any certificate and nothing is
 * expected of it (see the HCA authority definition).
 */
export interface IdentityHints {
  /**
   * Person or organisation name per the authority's subject layout. Undefined when a CN, O, OU, L, C, serialNumber
   * or E of the subject is not text (shown as `#` hex in `subject.text`): no name is read from such a subject.
   */
  readonly holderName: string | undefined;
  /** GPKI subject type (citizen, company, group, agency). */
  readonly subjectType: GpkiSubjectType | undefined;
  /** GPKI card type (`primary`, `secondary`, `mobile`, …). */
  readonly cardType: GpkiCardTypeValue | (string & {}) | undefined;
  /**
   * MOICA: the 4-digit hint tied to the national ID (2.16.886.1.100.2.51), as the certificate writes it. Not
   * checked here, so a certificate with an odd one still shows it: check that it is 4 digits before comparing it
   * with an ID (twpki/enroll refuses a card whose hint is not).
   */
  readonly idHint: string | undefined;
  /**
   * MOEACA: 統一編號 (2.16.886.1.100.2.101, or an 8-digit subject serialNumber), the attribute as the certificate
   * writes it. Not checked here (`" 22099131 "` and `04271` are shown as written): check 8 digits and the checksum
   * before matching it (twpki/enroll refuses a card whose 統一編號 is not one, as written).
   */
  readonly businessId: string | undefined;
  /** GCA/XCA: agency / organisation OID (2.16.886.1.100.2.102). */
  readonly organizationOid: string | undefined;
  /** The subject serialNumber attribute (16 characters on citizen and agency certificates); undefined when not text. */
  readonly subjectSerialNumber: string | undefined;
}
