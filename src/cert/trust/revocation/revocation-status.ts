/** RFC 5280 CRLReason values, by name. */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

const REASONS: readonly (RevocationReason | undefined)[] = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined, // 7 is not used
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

/** Every {@link RevocationReason}, in CRLReason order. */
export const REVOCATION_REASONS: readonly RevocationReason[] = REASONS.filter((r): r is RevocationReason => r !== undefined);

/** Maps a CRLReason enumeration value to its name (`undefined` for unknown values). */
export function reasonFromCode(code: number): RevocationReason | undefined {
  return REASONS[code];
}

/** The CRLReason enumeration value of a reason name. */
export function reasonCode(reason: RevocationReason): number {
  return REASONS.indexOf(reason);
}

/** Where a revocation answer came from. */
export type RevocationSource = 'ocsp' | 'crl';

/** What a revocation check found. `unknown` is an answer, not an error: the source does not know the certificate. */
export type RevocationStatus =
  | {
      /** Not revoked at the time checked. */
      readonly kind: 'good';
      /** Whether an OCSP responder or a CRL answered. */
      readonly source: RevocationSource;
      /** The OCSP responder or CRL URL that answered. */
      readonly url: string;
      /** When the answer was produced (OCSP thisUpdate, or the CRL's thisUpdate). */
      readonly thisUpdate: Date;
      /** When a newer answer is due; undefined when the source gives no nextUpdate. */
      readonly nextUpdate: Date | undefined;
    }
  | {
      /** Revoked at or before the time checked. */
      readonly kind: 'revoked';
      /** Whether an OCSP responder or a CRL answered. */
      readonly source: RevocationSource;
      /** The OCSP responder or CRL URL that answered. */
      readonly url: string;
      /** When the certificate was revoked (OCSP falls back to thisUpdate when no time is given). */
      readonly revokedAt: Date;
      /** The CRLReason; undefined when none or an unrecognised one is given. */
      readonly reason: RevocationReason | undefined;
    }
  | {
      /** The source does not know the certificate (OCSP only). */
      readonly kind: 'unknown';
      /** Whether an OCSP responder or a CRL answered. */
      readonly source: RevocationSource;
      /** The OCSP responder URL that answered. */
      readonly url: string;
    };
