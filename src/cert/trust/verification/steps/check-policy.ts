import { PolicyNotAllowedError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/** Policy: the signer certificate carries at least one policy on the allowed list. */
export function checkPolicy(ctx: SignerContext): void {
  const policies = need(ctx, 'certificate').policies;
  if (!policies.some((p) => ctx.settings.allowedPolicies.has(p))) {
    throw new PolicyNotAllowedError(
      `certificate policies [${policies.join(', ')}] include none of [${[...ctx.settings.allowedPolicies].join(', ')}]`,
    );
  }
}
