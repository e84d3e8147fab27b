import type { DistinguishedName } from '../distinguished-name.js';
import type { GpkiAttributes } from '../gpki-attributes.js';
import type { AuthorityDefinition, AuthorityId, CaGeneration } from './authority-definition.js';
import { gca } from './gca.js';
import { grca } from './grca.js';
import { hca } from './hca.js';
import { moeaca } from './moeaca.js';
import { moica } from './moica.js';
import { xca } from './xca.js';

/** Every known authority, in the order rules try them. */
export const AUTHORITIES: readonly AuthorityDefinition[] = [grca, moica, moeaca, gca, xca, hca];

/** Which facts identified the authority. */
export type AuthorityEvidence = 'key-identifier' | 'ca-name' | 'subject-type';

/** The authority a certificate belongs to: its issuer, or itself for a CA certificate. */
export interface AuthorityInfo {
  /** `unknown` when no rule matched; the certificate still parses. */
  readonly id: AuthorityId;
  /** Official Chinese name, when recognised. */
  readonly displayName: string | undefined;
  /** G1/G2/G3, only from a known key identifier (MOICA's generations share one DN). */
  readonly generation: CaGeneration | undefined;
  /** The CA name is marked as a test CA, e.g. `(測試用) 內政部憑證管理中心`. */
  readonly test: boolean;
  /** Facts that agree with `id`, strongest first. */
  readonly evidence: readonly AuthorityEvidence[];
}

/** The facts the recogniser looks at. */
export interface AuthorityFacts {
  /** The DN naming the CA: the issuer, or the subject for a CA certificate. */
  readonly caName: DistinguishedName;
  /** The CA's key identifier: AKI, or SKI for a CA certificate. */
  readonly caKeyId: string | undefined;
  readonly attributes: GpkiAttributes;
}

const TEST_MARKER = /[(（]\s*測試用?\s*[)）]|測試|\btest\b/giu;

function caNameValues(name: DistinguishedName): string[] {
  return [...name.organizationalUnits, ...name.organizations, ...(name.commonName === undefined ? [] : [name.commonName])];
}

/** A DN value with test markers and surrounding space removed. */
function withoutTestMarker(value: string): string {
  return value.replace(TEST_MARKER, '').replace(/\s+/g, ' ').trim();
}

/**
 * Whether a CA name is marked as a test CA: a value holds a test marker. (Comparing each value with its
 * marker-free, space-collapsed form also called a production CA a test CA when its name held two spaces in a
 * row, a tab or a full-width space.)
 */
export function isTestCaName(name: DistinguishedName): boolean {
  return caNameValues(name).some((value) => value.search(TEST_MARKER) >= 0);
}

/** The definition of a recognised authority id. */
export function authorityDefinition(id: AuthorityId): AuthorityDefinition | undefined {
  return AUTHORITIES.find((a) => a.id === id);
}

/**
 * Recognises the authority: a known key identifier first (it is the only
 * fact that also gives the generation), then the CA's name, then the GPKI
 * subject-type attribute.
 */
export function recogniseAuthority(facts: AuthorityFacts): AuthorityInfo {
  const byKey = facts.caKeyId === undefined ? undefined : AUTHORITIES.find((a) => a.keyIdentifiers.has(facts.caKeyId ?? ''));
  const names = caNameValues(facts.caName).map(withoutTestMarker);
  const byName = AUTHORITIES.find((a) => names.some((n) => a.matchesCaName(n)));
  const kind = facts.attributes.subjectType?.kind;
  const byType = kind === undefined ? undefined : AUTHORITIES.find((a) => a.subjectKinds.includes(kind));
  const chosen = byKey ?? byName ?? byType;
  const test = isTestCaName(facts.caName);
  if (chosen === undefined) {
    return { id: 'unknown', displayName: undefined, generation: undefined, test, evidence: [] };
  }
  const evidence: AuthorityEvidence[] = [];
  if (byKey === chosen) evidence.push('key-identifier');
  if (byName === chosen) evidence.push('ca-name');
  if (byType === chosen) evidence.push('subject-type');
  return {
    id: chosen.id,
    displayName: chosen.displayName,
    generation: byKey === chosen ? chosen.keyIdentifiers.get(facts.caKeyId ?? '') : undefined,
    test,
    evidence,
  };
}
