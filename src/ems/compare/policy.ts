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
 * Parses a policy name from configuration or a command line.
 *
 * @throws {@link EmsError} `UNKNOWN_POLICY`.
 */
export function parsePolicy(name: string): ComparisonPolicy {
  if ((COMPARISON_POLICIES as readonly string[]).includes(name)) return name as ComparisonPolicy;
  throw new EmsError(
    'UNKNOWN_POLICY',
    `unknown comparison policy "${name.slice(0, 40)}"; use ${COMPARISON_POLICIES.join(' or ')}`,
  );
}
