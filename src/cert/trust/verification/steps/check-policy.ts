import type { TrustedCertificate } from '../../trusted-certificate.js';
import { PolicyNotAllowedError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/** anyPolicy: a CA that asserts it restricts nothing. */
const ANY_POLICY = '2.5.29.32.0';

/**
 * Policy: the signer certificate carries a policy on the allowed list, and
 * every CA certificate between it and the trust anchor that asserts
 * policies asserts that one too (or anyPolicy). A CA limited to assurance
 * level 2 cannot vouch for a certificate claiming level 3 (RFC 5280 6.1.3
 * (d): the policy must run the whole path). Real GPKI issuing CAs assert
 * 2.16.886.101.0.3.3, the cross certificate GRCA G1 → G2 levels 1–4; the
 * roots (anchors) assert none and are not asked. A CA without the extension
 * is not held against the path (lenient where RFC 5280 would clear the
 * policy tree): test and private CAs often omit it, and it asserts nothing
 * that contradicts the signer's policy. Policy mappings are not processed.
 */
export function checkPolicy(ctx: SignerContext): void {
  const policies = need(ctx, 'certificate').policies;
  const allowed = ctx.settings.allowedPolicies;
  const path = need(ctx, 'chain').path;
  let refusedBy: TrustedCertificate | undefined;
  for (const policy of policies) {
    if (!allowed.has(policy)) continue;
    const ca = caRefusing(path, policy);
    if (ca === undefined) return;
    refusedBy ??= ca;
  }
  if (refusedBy !== undefined) {
    throw new PolicyNotAllowedError(
      `the issuing CA ${refusedBy.subject()} asserts policies [${refusedBy.policies.join(', ')}], none of the signer's allowed ones`,
    );
  }
  throw new PolicyNotAllowedError(`certificate policies [${policies.join(', ')}] include none of [${[...allowed].join(', ')}]`);
}

/** The first CA of `path` (signer and anchor excluded) that asserts policies without `policy` or anyPolicy. */
function caRefusing(path: readonly TrustedCertificate[], policy: string): TrustedCertificate | undefined {
  for (let i = 1; i < path.length - 1; i++) {
    const ca = path[i] as TrustedCertificate;
    if (ca.policies.length > 0 && !ca.policies.includes(policy) && !ca.policies.includes(ANY_POLICY)) return ca;
  }
  return undefined;
}
