import { invalid, prepareIdInput, type CommonIdFailure, type IdValidation } from './id-validation.js';

/** Why a 管制編號 is invalid. */
export type ControlNumberFailure = CommonIdFailure | 'INVALID_FORMAT';

// One capital letter (the county), two digits, then five letters or
// digits: the widest pattern seen. Most are a letter and seven digits.
const CONTROL_NUMBER = /^[A-Z][0-9]{2}[A-Z0-9]{5}$/;

/**
 * Validates an EMS control number (管制編號): 8 characters, a capital
 * letter, 2 digits and 5 letters or digits, after width folding, trimming and
 * upper-casing. `value` is the normalized form to store and look up.
 */
export function validateControlNumber(input: unknown): IdValidation<ControlNumberFailure> {
  const prep = prepareIdInput(input, 'a control number', true);
  if (!prep.ok) return prep.failure;
  const { value } = prep;
  const length = Array.from(value).length;
  if (length !== 8) {
    return invalid(value, 'INVALID_LENGTH', `a control number has 8 characters, not ${length}`);
  }
  if (!CONTROL_NUMBER.test(value)) {
    return invalid(
      value,
      'INVALID_FORMAT',
      'a control number is a capital letter, 2 digits and 5 letters or digits (e.g. H5602270)',
    );
  }
  return { valid: true, value };
}

/** Normalized control number, or `undefined` when invalid. */
export function normalizeControlNumber(input: unknown): string | undefined {
  const r = validateControlNumber(input);
  return r.valid ? r.value : undefined;
}
