import { GPKI_POLICY_ARC } from './oids.js';

/** A certificate policy and, for GPKI policies, its assurance level. */
export interface CertificatePolicy {
  /** Policy OID in dotted form. */
  readonly oid: string;
  /** GPKI assurance level 0–4 (the last arc of 2.16.886.101.0.3.N), undefined for other policies. */
  readonly assuranceLevel: number | undefined;
}

/**
 * The GPKI policies that name an assurance level: `2.16.886.101.0.3.0` to `.4`, the levels the GRCA
 * cross-certificate lists (real issuing CAs and end-entity certificates carry `.3`). Another arc under the same
 * prefix (`.5`, `.10`, `.3.1`) is no level the GPKI defines, so it stays a policy without one: read as level 10,
 * it outranked every real certificate.
 */
const ASSURANCE_LEVEL_ARC = /^[0-4]$/;

/** Reads the GPKI assurance level out of a policy OID. */
export function certificatePolicyOf(oid: string): CertificatePolicy {
  const prefix = `${GPKI_POLICY_ARC}.`;
  const rest = oid.startsWith(prefix) ? oid.slice(prefix.length) : undefined;
  const assuranceLevel = rest !== undefined && ASSURANCE_LEVEL_ARC.test(rest) ? Number(rest) : undefined;
  return { oid, assuranceLevel };
}

/** The highest GPKI assurance level among policies. */
export function highestAssuranceLevel(policies: readonly CertificatePolicy[]): number | undefined {
  let best: number | undefined;
  for (const p of policies) if (p.assuranceLevel !== undefined && (best === undefined || p.assuranceLevel > best)) best = p.assuranceLevel;
  return best;
}
