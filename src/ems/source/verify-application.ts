import { checkCompareOptions, compareFieldValues, fieldSetOf, type CompareOptions } from '../compare/compare-with-ems.js';
import type { ComparisonResult } from '../compare/field-result.js';
import { policyOf } from '../compare/policy.js';
import { parseFieldValues } from '../record.js';
import { checkEmsSource, type EmsSource } from './ems-source.js';

/** Outcome of {@link verifyApplication}. */
export type ApplicationVerification =
  | {
      /** Discriminant: EMS has no record for the control number. */
      readonly status: 'notFound';
      /** Normalized control number. */
      readonly controlNumber: string;
    }
  | {
      /** Discriminant: the record was found and compared. */
      readonly status: 'compared';
      /** Normalized control number. */
      readonly controlNumber: string;
      /** The comparison. */
      readonly result: ComparisonResult;
    };

/**
 * The seed's whole check: look the applicant's 管制編號 up in EMS and compare
 * the application with the record found.
 *
 * @throws {@link EmsError} for malformed applicant data, an ill-formed
 *   control number, a malformed record, an unreadable source, an
 *   unknown policy (`UNKNOWN_POLICY`) or an invalid field set
 *   (`INVALID_FIELD_DEFINITION`), the last two before the look-up.
 * @throws RangeError, before the look-up, for `options` that is not an object or has a name that is no option,
 *   and a `source` that is not an {@link EmsSource}.
 */
export async function verifyApplication(
  applicant: unknown,
  source: EmsSource,
  options: CompareOptions = {},
): Promise<ApplicationVerification> {
  // Checked before the look-up: a misconfigured policy or field set never costs an EMS query.
  checkCompareOptions('verifyApplication', options);
  checkEmsSource('verifyApplication', source);
  const policy = policyOf(options);
  const fields = fieldSetOf(options);
  const a = parseFieldValues(applicant, fields, { side: 'applicant' });
  const lookup = await source.lookup(a.controlNumber ?? '');
  if (lookup.status === 'notFound') return lookup;
  const r = parseFieldValues(lookup.record, fields, { side: 'record' });
  return {
    status: 'compared',
    controlNumber: lookup.controlNumber,
    result: compareFieldValues(a, r, fields, policy),
  };
}
