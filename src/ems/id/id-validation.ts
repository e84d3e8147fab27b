import { asciiUpperCase } from '../../shared/ascii-case.js';
import { foldWidth } from '../normalize/width-forms.js';

/** Reasons every identifier validator can give. */
export type CommonIdFailure = 'NOT_A_STRING' | 'EMPTY' | 'INVALID_LENGTH';

/** Outcome of an identifier validator, with a typed reason on failure. */
export type IdValidation<R extends string, V extends object = object> =
  | ({
      /** Discriminant. */
      readonly valid: true;
      /** The normalized identifier, the form to store and compare. */
      readonly value: string;
    } & V)
  | {
      /** Discriminant. */
      readonly valid: false;
      /** The normalized input ('' when the input was not a string). */
      readonly value: string;
      /** Stable failure code. */
      readonly reason: R;
      /** English explanation for logs and operators. */
      readonly message: string;
    };

// Values longer than this are rejected before any Unicode work, so a
// megabyte of input costs nothing.
const MAX_INPUT_LENGTH = 320;

/** Result of {@link prepareIdInput}: a normalized string or a failure. */
export type PreparedInput =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly failure: IdValidation<CommonIdFailure> & { valid: false } };

/**
 * Common first step of the validators: type check, length cap, width folding
 * (full-width Ａ１２３ is read as A123; not NFKC, which would also read
 * `A12345678⁹` or `①` as digits), trim and optionally upper-case a–z.
 */
export function prepareIdInput(input: unknown, what: string, upperCase: boolean): PreparedInput {
  if (typeof input !== 'string') {
    return fail('', 'NOT_A_STRING', `${what} must be a string, not ${input === null ? 'null' : typeof input}`);
  }
  if (input.length > MAX_INPUT_LENGTH) {
    return fail(input.slice(0, 40), 'INVALID_LENGTH', `${what} is far too long (${input.length} characters)`);
  }
  let value = foldWidth(input).trim();
  // a–z only (see asciiUpperCase): `E56001ß` is not the control number `E56001SS`.
  if (upperCase) value = asciiUpperCase(value);
  if (value === '') return fail(value, 'EMPTY', `${what} is empty`);
  return { ok: true, value };
}

function fail(value: string, reason: CommonIdFailure, message: string): PreparedInput {
  return { ok: false, failure: { valid: false, value, reason, message } };
}

/** Builds a failed validation. */
export function invalid<R extends string>(value: string, reason: R, message: string): { valid: false; value: string; reason: R; message: string } {
  return { valid: false, value, reason, message };
}
