import type { DistinguishedName } from '../distinguished-name.js';
import type { GpkiAttributes, GpkiSubjectKind } from '../gpki-attributes.js';

/** Certification authorities of Taiwan's government PKI a profile can name. */
export type AuthorityId = 'grca' | 'moica' | 'moeaca' | 'gca' | 'xca' | 'hca' | 'unknown';

/** CA generation, told by key identifier only. */
export type CaGeneration = 'G1' | 'G2' | 'G3';

/** What a holder's identity hints are drawn from. */
export interface HolderSource {
  readonly subject: DistinguishedName;
  readonly attributes: GpkiAttributes;
}

/** Authority-specific identity of the holder. */
export interface HolderDetails {
  /** Person or organisation name as the authority's subject layout carries it. */
  readonly holderName: string | undefined;
  /** 統一編號, from the attribute or, failing that, the subject. */
  readonly businessId: string | undefined;
}

/** One authority: how to recognise it and where its holders' identity lives. */
export interface AuthorityDefinition {
  readonly id: Exclude<AuthorityId, 'unknown'>;
  /** Official Chinese name, e.g. 內政部憑證管理中心. */
  readonly displayName: string;
  /** Whether a CA DN value (test marker removed) names this authority. */
  matchesCaName(value: string): boolean;
  /** Subject kinds (GPKI subject-type attribute) only this authority issues. */
  readonly subjectKinds: readonly GpkiSubjectKind[];
  /** CA key identifiers (SKI of the CA = AKI of what it issued), upper-case hex → generation. */
  readonly keyIdentifiers: ReadonlyMap<string, CaGeneration>;
  /** Holder details for certificates this authority issued. */
  holder(source: HolderSource): HolderDetails;
}

/** `holder` for authorities whose subjects name a person in CN. */
export function personHolder(source: HolderSource): HolderDetails {
  return { holderName: source.subject.commonName, businessId: source.attributes.businessId };
}

/**
 * `holder` of a CA's own certificate, whoever issued it: the CA is named by its CN, or else by its most specific
 * OU or O (`C=TW, O=行政院, OU=內政部憑證管理中心` is 內政部憑證管理中心, not 行政院). Each authority's own rule is
 * for the holders it certifies, and read MOICA's CA certificate as nobody and MOEACA's as 行政院.
 */
export function caHolder(source: HolderSource): HolderDetails {
  const { subject } = source;
  return { holderName: subject.commonName ?? lastOf(subject.organizationalUnits) ?? lastOf(subject.organizations), businessId: source.attributes.businessId };
}

/** Last element of a list (the most specific O / OU). */
export function lastOf(values: readonly string[]): string | undefined {
  return values[values.length - 1];
}
