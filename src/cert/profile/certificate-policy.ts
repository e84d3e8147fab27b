import { GPKI_POLICY_ARC } from './oids.js';

/** A certificate policy and, for GPKI policies, its assurance level. */
export interface CertificatePolicy {
  /** Policy OID in dotted form. */
  readonly oid: string;
  /** GPKI assurance level (the last arc of 2.16.886.101.0.3.N), undefined for other policies. */
  readonly assuranceLevel: number | undefined;
}

/** Reads the GPKI assurance level out of a policy OID. */
export function certificatePolicyOf(oid: string): CertificatePolicy {
  const prefix = `${GPKI_POLICY_ARC}.`;
  const rest = oid.startsWith(prefix) ? oid.slice(prefix.length) : undefined;
  const assuranceLevel = rest !== undefined && /^\d{1,2}$/.test(rest) ? Number(rest) : undefined;
  return { oid, assuranceLevel };
}

/** The highest GPKI assurance level among policies. */
export function highestAssuranceLevel(policies: readonly CertificatePolicy[]): number | undefined {
  let best: number | undefined;
  for (const p of policies) if (p.assuranceLevel !== undefined && (best === undefined || p.assuranceLevel > best)) best = p.assuranceLevel;
  return best;
}
