import { invalid, prepareIdInput, type CommonIdFailure, type IdValidation } from './id-validation.js';
import { AREA_LETTER_CODES, personalIdChecksumOk } from './letter-codes.js';

/** Why a 身分證字號 or resident certificate number is invalid. */
export type PersonalIdFailure =
  | CommonIdFailure
  | 'INVALID_AREA_LETTER'
  | 'INVALID_SECOND_CHARACTER'
  | 'INVALID_CHARACTER'
  | 'INVALID_CHECKSUM';

/**
 * Format of a resident certificate number (居留證/外來人口統一證號): `new`
 * (since 2021: second character 8 or 9) or `old` (second character A–D,
 * usable until the end of 2030).
 */
export type ResidentIdFormat = 'new' | 'old';

/** Extra facts of a valid resident certificate number. */
export interface ResidentIdFacts {
  /** Which format it is. */
  readonly format: ResidentIdFormat;
}

function checkCommon(
  input: unknown,
  what: string,
): { ok: true; value: string; area: number } | { ok: false; failure: IdValidation<PersonalIdFailure> & { valid: false } } {
  const prep = prepareIdInput(input, what, true);
  if (!prep.ok) return prep;
  const { value } = prep;
  const length = Array.from(value).length;
  if (length !== 10) {
    return { ok: false, failure: invalid(value, 'INVALID_LENGTH', `${what} has 10 characters, not ${length}`) };
  }
  const area = AREA_LETTER_CODES[value[0] ?? ''];
  if (area === undefined) {
    return { ok: false, failure: invalid(value, 'INVALID_AREA_LETTER', `${what} starts with a letter A–Z`) };
  }
  if (!/^[0-9]{8}$/.test(value.slice(2))) {
    return { ok: false, failure: invalid(value, 'INVALID_CHARACTER', `${what} ends with 8 digits`) };
  }
  return { ok: true, value, area };
}

/**
 * Validates a 國民身分證統一編號: area letter, 1 (male) or 2 (female),
 * 8 digits, the last a weighted checksum.
 */
export function validateNationalId(input: unknown): IdValidation<PersonalIdFailure> {
  const what = 'a national ID';
  const c = checkCommon(input, what);
  if (!c.ok) return c.failure;
  const second = c.value[1];
  if (second !== '1' && second !== '2') {
    return invalid(c.value, 'INVALID_SECOND_CHARACTER', `the second character of ${what} is 1 or 2`);
  }
  if (!personalIdChecksumOk(c.area, Number(second), c.value.slice(2))) {
    return invalid(c.value, 'INVALID_CHECKSUM', `the check digit of ${what} does not match`);
  }
  return { valid: true, value: c.value };
}

/**
 * Validates a resident certificate number (外來人口統一證號), new format
 * (letter, 8 or 9, 8 digits) or old format (letter, A–D, 8 digits; the
 * second letter counts as the units digit of its area code).
 */
export function validateResidentId(input: unknown): IdValidation<PersonalIdFailure, ResidentIdFacts> {
  const what = 'a resident certificate number';
  const c = checkCommon(input, what);
  if (!c.ok) return c.failure;
  const second = c.value[1] ?? '';
  let format: ResidentIdFormat;
  let secondDigit: number;
  if (second === '8' || second === '9') {
    format = 'new';
    secondDigit = Number(second);
  } else if (/^[A-D]$/.test(second)) {
    format = 'old';
    secondDigit = (AREA_LETTER_CODES[second] ?? 0) % 10;
  } else {
    return invalid(
      c.value,
      'INVALID_SECOND_CHARACTER',
      `the second character of ${what} is 8 or 9 (new format) or A–D (old format)`,
    );
  }
  if (!personalIdChecksumOk(c.area, secondDigit, c.value.slice(2))) {
    return invalid(c.value, 'INVALID_CHECKSUM', `the check digit of ${what} does not match`);
  }
  return { valid: true, value: c.value, format };
}
