import { EmsError } from '../errors.js';

/**
 * How field values are matched.
 * - `strict`: the seed's rule (比對EMS登載資料，完全一致才算通過): equal after
 *   trimming outer whitespace only. Default.
 * - `normalized`: equal after the field kind's normalization, for
 *   deployments that choose to forgive formatting.
 */
export type ComparisonPolicy = 'strict' | 'normalized';

/** Every {@link ComparisonPolicy}. */
export const COMPARISON_POLICIES: readonly ComparisonPolicy[] = ['strict', 'normalized'];

/** The default policy: the seed's exact match. */
export const DEFAULT_POLICY: ComparisonPolicy = 'strict';

/**
 * Parses a policy name from configuration or a command line, and checks the
 * policy given to the comparison functions (a JavaScript caller or a config
 * file can pass anything).
 *
 * @throws {@link EmsError} `UNKNOWN_POLICY`.
 */
export function parsePolicy(name: unknown): ComparisonPolicy {
  if ((COMPARISON_POLICIES as readonly unknown[]).includes(name)) return name as ComparisonPolicy;
  const shown = typeof name === 'string' ? `"${name.slice(0, 40)}"` : `of type ${name === null ? 'null' : typeof name}`;
  throw new EmsError('UNKNOWN_POLICY', `unknown comparison policy ${shown}; use ${COMPARISON_POLICIES.join(' or ')}`);
}

/** The policy of `options`: {@link DEFAULT_POLICY} when not given. @throws {@link EmsError} `UNKNOWN_POLICY`. */
export function policyOf(options: { readonly policy?: unknown }): ComparisonPolicy {
  return options.policy === undefined ? DEFAULT_POLICY : parsePolicy(options.policy);
}
