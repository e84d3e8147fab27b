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
      readonly kind: 'good';
      readonly source: RevocationSource;
      readonly url: string;
      readonly thisUpdate: Date;
      readonly nextUpdate: Date | undefined;
    }
  | {
      readonly kind: 'revoked';
      readonly source: RevocationSource;
      readonly url: string;
      readonly revokedAt: Date;
      readonly reason: RevocationReason | undefined;
    }
  | { readonly kind: 'unknown'; readonly source: RevocationSource; readonly url: string };
