import { PolicyNotAllowedError } from '../errors.js';
import { need, type LoginContext } from './login-context.js';

/** Step 10, policy: at least one certificate policy is on the allowed list. */
export function checkPolicy(ctx: LoginContext): void {
  const policies = need(ctx, 'certificate').policies;
  if (!policies.some((p) => ctx.settings.allowedPolicies.has(p))) {
    throw new PolicyNotAllowedError(
      `certificate policies [${policies.join(', ')}] include none of [${[...ctx.settings.allowedPolicies].join(', ')}]`,
    );
  }
}
