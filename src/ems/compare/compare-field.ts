import type { FieldDefinition } from '../fields/field-definition.js';
import { compareNormalized } from '../normalize/pipeline.js';
import { findDifferingSpan } from './differing-span.js';
import type { ComparedFieldResult, FieldResult } from './field-result.js';
import { parsePolicy, type ComparisonPolicy } from './policy.js';
import { notAString } from '../record.js';

/**
 * Judges one field. Values are trimmed of outer whitespace (the only
 * leniency of the `strict` policy); normalization runs only when the
 * trimmed values differ, which keeps the common all-equal case cheap.
 */
export function compareField(
  field: FieldDefinition,
  applicant: string | undefined,
  record: string | undefined,
  policy: ComparisonPolicy,
): FieldResult {
  // Public: a misspelt policy from JavaScript must not read as a failed strict comparison.
  if (policy !== 'strict' && policy !== 'normalized') parsePolicy(policy);
  // Public too: a value that is not text is named, as parseFieldValues names it, never a TypeError from trim().
  if (applicant !== undefined && typeof applicant !== 'string') throw notAString(field, 'applicant', applicant);
  if (record !== undefined && typeof record !== 'string') throw notAString(field, 'record', record);
  if (!field.compared) {
    return {
      field,
      compared: false,
      applicant: applicant?.trim(),
      record: record?.trim(),
      pass: null,
      normalizedEqual: null,
      reason: null,
    };
  }
  const a = (applicant ?? '').trim();
  const r = (record ?? '').trim();
  if (a === '' || r === '') {
    const side = a === '' && r === '' ? 'both' : a === '' ? 'applicant' : 'record';
    return { field, compared: true, applicant: a, record: r, pass: false, normalizedEqual: a === r, reason: { code: 'empty', side } };
  }
  if (a === r) {
    return { field, compared: true, applicant: a, record: r, pass: true, normalizedEqual: true, reason: null };
  }
  const norm = compareNormalized(field.kind, a, r);
  const result: ComparedFieldResult = norm.equal
    ? {
        field,
        compared: true,
        applicant: a,
        record: r,
        pass: policy === 'normalized',
        normalizedEqual: true,
        reason: { code: 'formattingOnly', rules: norm.rules },
      }
    : {
        field,
        compared: true,
        applicant: a,
        record: r,
        pass: false,
        normalizedEqual: false,
        reason: {
          code: 'different',
          span: findDifferingSpan(a, r),
          normalizedSpan: findDifferingSpan(norm.left, norm.right),
        },
      };
  return result;
}
