import { DEFAULT_FIELDS } from '../fields/default-fields.js';
import { checkedFieldSet, type FieldSet } from '../fields/field-definition.js';
import { parseFieldValues, type FieldValues } from '../record.js';
import { compareField } from './compare-field.js';
import type { ComparisonResult } from './field-result.js';
import { parsePolicy, policyOf, type ComparisonPolicy } from './policy.js';
import { checkOptionNames } from '../../shared/option-names.js';

/** Options of {@link compareWithEms}. */
export interface CompareOptions {
  /** Matching policy; default `strict` (the seed's rule). */
  readonly policy?: ComparisonPolicy;
  /** Fields to compare; default {@link DEFAULT_FIELDS}. */
  readonly fields?: FieldSet;
}

/** The names of {@link CompareOptions}; a Record so that an option added there and not here fails to compile. */
const COMPARE_OPTIONS: Record<keyof CompareOptions, true> = { policy: true, fields: true };

/**
 * Refuses `options` that is not an object or has a name that is no option: a misspelt `polcy: 'normalized'` was
 * dropped for the strict default, `field: […]` for the default field set, and `null` was a TypeError from inside.
 * @throws RangeError naming `where` and the option.
 * @internal
 */
export function checkCompareOptions(where: string, options: unknown): asserts options is CompareOptions {
  checkOptionNames(where, options, COMPARE_OPTIONS);
}

/**
 * Compares an application with its EMS record, field by field.
 *
 * Both sides are untrusted input (a request body, a parsed JSON file) and
 * are checked first: compared fields must be strings within the length
 * limit. The verdict passes only if every compared field passes.
 *
 * @throws {@link EmsError} for malformed input (see {@link parseFieldValues})
 *   and `UNKNOWN_POLICY` for a policy that is not one of {@link ComparisonPolicy}.
 * @throws RangeError for `options` that is not an object or has a name that is no option.
 */
export function compareWithEms(applicant: unknown, record: unknown, options: CompareOptions = {}): ComparisonResult {
  checkCompareOptions('compareWithEms', options);
  const policy = policyOf(options);
  const fields = fieldSetOf(options);
  const a = parseFieldValues(applicant, fields, { side: 'applicant' });
  const r = parseFieldValues(record, fields, { side: 'record' });
  return compareFieldValues(a, r, fields, policy);
}

/**
 * The field set of `options`, checked: {@link DEFAULT_FIELDS} when not given.
 * Every entry point that takes {@link CompareOptions} reads it here, so a set
 * read from a configuration file (`"compared": 0`, a non-array) is refused the
 * same way wherever it is given, never used as if valid.
 * @throws {@link EmsError} `INVALID_FIELD_DEFINITION` naming the problem.
 */
export function fieldSetOf(options: { readonly fields?: unknown }): FieldSet {
  return options.fields === undefined ? DEFAULT_FIELDS : checkedFieldSet(options.fields);
}

/**
 * {@link compareWithEms} for values already checked by {@link parseFieldValues}.
 * @throws {@link EmsError} `UNKNOWN_POLICY` for a policy that is not one of {@link ComparisonPolicy}.
 */
export function compareFieldValues(
  applicant: FieldValues,
  record: FieldValues,
  fields: FieldSet,
  policy: ComparisonPolicy,
): ComparisonResult {
  parsePolicy(policy);
  // Own values only: a field keyed like an Object.prototype member (`toString`) and left out is absent, not a function.
  const results = fields.map((f) => compareField(f, ownValue(applicant, f.key), ownValue(record, f.key), policy));
  return {
    pass: results.every((r) => !r.compared || r.pass),
    policy,
    fields: results,
  };
}

function ownValue(values: FieldValues, key: string): string | undefined {
  return Object.hasOwn(values, key) ? values[key] : undefined;
}
