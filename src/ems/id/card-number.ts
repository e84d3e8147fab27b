import { invalid, prepareIdInput, type CommonIdFailure, type IdValidation } from './id-validation.js';

/** Why a 自然人憑證 card number is invalid. */
export type CardNumberFailure = CommonIdFailure | 'INVALID_FORMAT';

/**
 * Validates a 自然人憑證 card number (卡號, the barcode printed on the
 * card): 2 capital letters and 14 digits. There is no check digit.
 */
export function validateCardNumber(input: unknown): IdValidation<CardNumberFailure> {
  const prep = prepareIdInput(input, 'a card number', true);
  if (!prep.ok) return prep.failure;
  const { value } = prep;
  const length = Array.from(value).length;
  if (length !== 16) return invalid(value, 'INVALID_LENGTH', `a card number has 16 characters, not ${length}`);
  if (!/^[A-Z]{2}[0-9]{14}$/.test(value)) {
    return invalid(value, 'INVALID_FORMAT', 'a card number is 2 capital letters and 14 digits');
  }
  return { valid: true, value };
}
