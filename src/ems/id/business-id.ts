import { invalid, prepareIdInput, type CommonIdFailure, type IdValidation } from './id-validation.js';
import { describeValue } from '../../shared/describe-value.js';
import { checkOptionNames } from '../../shared/option-names.js';

/** Why a 統一編號 is invalid. */
export type BusinessIdFailure = CommonIdFailure | 'INVALID_CHARACTER' | 'INVALID_CHECKSUM';

/**
 * Checksum rule of 統一編號: `current` (sum divisible by 5, the Ministry of
 * Finance rule since April 2023, which also accepts every number valid
 * under the old rule) or `legacy` (divisible by 10), for old data.
 */
export type BusinessIdRule = 'current' | 'legacy';

/** Options of {@link validateBusinessId}. */
export interface BusinessIdOptions {
  /** Checksum rule; default `current`. */
  readonly rule?: BusinessIdRule;
}

/** The names of {@link BusinessIdOptions}; a Record so that an option added there and not here fails to compile. */
const BUSINESS_ID_OPTIONS: Record<keyof BusinessIdOptions, true> = { rule: true };

const WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

/**
 * `rule` as a {@link BusinessIdRule} (`current` when left out). Anything else is configuration gone wrong, not a bad
 * number: `'Legacy'` was read as `current` without a word, accepting numbers the legacy rule refuses.
 * @throws RangeError naming `where` and the option `name`.
 * @internal
 */
export function checkBusinessIdRule(where: string, name: string, rule: unknown): BusinessIdRule {
  if (rule === undefined) return 'current';
  if (rule === 'current' || rule === 'legacy') return rule;
  throw new RangeError(`${where}: option ${name} must be "current" or "legacy" (or left out for current), not ${describeValue(rule)}`);
}

/**
 * Validates a 統一編號 (8-digit business administration number): weights
 * 1,2,1,2,1,2,4,1, the digit sums of the products added up. When the 7th
 * digit is 7 its product 28 counts as 10 or 1, so `sum` or `sum + 1` may
 * be divisible.
 *
 * A bad input is a result with `valid: false`; bad options are a programming or configuration error and throw.
 * @throws RangeError naming the option, for options that are not an object, have a name that is no option, or a
 *   `rule` that is not `current` or `legacy`.
 */
export function validateBusinessId(input: unknown, options: BusinessIdOptions = {}): IdValidation<BusinessIdFailure> {
  // Options first: a wrong rule is refused whatever the input, not only when a number reaches the checksum.
  checkOptionNames('validateBusinessId', options, BUSINESS_ID_OPTIONS);
  const rule = checkBusinessIdRule('validateBusinessId', 'rule', options.rule);
  const prep = prepareIdInput(input, 'a business ID', false);
  if (!prep.ok) return prep.failure;
  const { value } = prep;
  const length = Array.from(value).length;
  if (length !== 8) return invalid(value, 'INVALID_LENGTH', `a business ID has 8 digits, not ${length} characters`);
  if (!/^[0-9]{8}$/.test(value)) return invalid(value, 'INVALID_CHARACTER', 'a business ID has only digits');
  const divisor = rule === 'legacy' ? 10 : 5;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const product = Number(value[i]) * (WEIGHTS[i] ?? 0);
    sum += Math.floor(product / 10) + (product % 10);
  }
  const ok = sum % divisor === 0 || (value[6] === '7' && (sum + 1) % divisor === 0);
  if (!ok) {
    return invalid(value, 'INVALID_CHECKSUM', `the weighted digit sum ${sum} is not divisible by ${divisor}`);
  }
  return { valid: true, value };
}
