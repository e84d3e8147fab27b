import { DEFAULT_FIELDS } from '../fields/default-fields.js';
import { checkedFieldSet, type FieldSet } from '../fields/field-definition.js';
import { parseFieldValues, type FieldValues } from '../record.js';
import { compareField } from './compare-field.js';
import type { ComparisonResult } from './field-result.js';
import { parsePolicy, policyOf, type ComparisonPolicy } from './policy.js';

/** Options of {@link compareWithEms}. */
export interface CompareOptions {
  /** Matching policy; default `strict` (the seed's rule). */
  readonly policy?: ComparisonPolicy;
  /** Fields to compare; default {@link DEFAULT_FIELDS}. */
  readonly fields?: FieldSet;
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
 */
export function compareWithEms(applicant: unknown, record: unknown, options: CompareOptions = {}): ComparisonResult {
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
