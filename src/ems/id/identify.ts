import { checkBusinessIdRule, validateBusinessId, type BusinessIdRule } from './business-id.js';
import { validateCardNumber } from './card-number.js';
import { validateControlNumber } from './control-number.js';
import { validateEmail } from './email.js';
import { validateNationalId, validateResidentId } from './personal-id.js';
import { foldWidth } from '../normalize/width-forms.js';
import { checkOptionNames } from '../../shared/option-names.js';

/** Which identifier a value looks like. */
export type IdentifierKind =
  | 'controlNumber'
  | 'businessId'
  | 'nationalId'
  | 'residentId'
  | 'cardNumber'
  | 'email'
  | 'unknown';

/** What {@link identify} found. */
export interface Identification {
  /** The normalized value that was checked. */
  readonly value: string;
  /** The identifier it looks like (by shape, before any checksum). */
  readonly kind: IdentifierKind;
  /** Whether it is a valid identifier of that kind. */
  readonly valid: boolean;
  /** Stable failure code, `null` when valid. */
  readonly reason: string | null;
  /** English explanation, `null` when valid. */
  readonly message: string | null;
}

/** Options of {@link identify}. */
export interface IdentifyOptions {
  /** Checksum rule for 統一編號; default `current`. */
  readonly businessIdRule?: BusinessIdRule;
}

/** The names of {@link IdentifyOptions}; a Record so that an option added there and not here fails to compile. */
const IDENTIFY_OPTIONS: Record<keyof IdentifyOptions, true> = { businessIdRule: true };

/**
 * Tells which Taiwan identifier `input` is and whether it is valid.
 *
 * The kind is decided by shape, so a mistyped value is still named (a
 * 10-character value starting with a letter is a national or resident ID
 * with a bad checksum, not "unknown"): `@` → email; 6–10 digits → 統一編號;
 * two letters and a digit, 15–17 long → card number; a letter then 1/2 →
 * 身分證字號, then 8/9 or (at length 10) another letter → resident number,
 * when 9–11 long; otherwise a letter-led value 7–9 long → 管制編號.
 *
 * @throws RangeError naming the option, for options that are not an object, have a name that is no option, or a
 *   `businessIdRule` that is not `current` or `legacy` (an input of any kind is an answer, never a throw).
 */
export function identify(input: unknown, options: IdentifyOptions = {}): Identification {
  checkOptionNames('identify', options, IDENTIFY_OPTIONS);
  const businessIdRule = checkBusinessIdRule('identify', 'businessIdRule', options.businessIdRule);
  if (typeof input !== 'string') {
    return {
      value: '',
      kind: 'unknown',
      valid: false,
      reason: 'NOT_A_STRING',
      message: `the value must be a string, not ${input === null ? 'null' : typeof input}`,
    };
  }
  const kind = guessKind(input);
  const result = (() => {
    switch (kind) {
      case 'email':
        return validateEmail(input);
      case 'businessId':
        return validateBusinessId(input, { rule: businessIdRule });
      case 'cardNumber':
        return validateCardNumber(input);
      case 'nationalId':
        return validateNationalId(input);
      case 'residentId':
        return validateResidentId(input);
      case 'controlNumber':
        return validateControlNumber(input);
      case 'unknown':
        return undefined;
    }
  })();
  if (result === undefined) {
    const value = input.length > 320 ? input.slice(0, 40) : foldWidth(input).trim();
    return {
      value,
      kind,
      valid: false,
      reason: value === '' ? 'EMPTY' : 'UNRECOGNIZED',
      message: value === '' ? 'the value is empty' : 'the value has the shape of no known Taiwan identifier',
    };
  }
  return result.valid
    ? { value: result.value, kind, valid: true, reason: null, message: null }
    : { value: result.value, kind, valid: false, reason: result.reason, message: result.message };
}

function guessKind(input: string): IdentifierKind {
  if (input.length > 320) return 'unknown';
  const v = foldWidth(input).trim().toUpperCase();
  if (v.includes('@')) return 'email';
  if (/^[0-9]{6,10}$/.test(v)) return 'businessId';
  // Near misses (one character short or long) still get a kind, so the
  // answer is "a national ID with the wrong length", not "unknown".
  if (/^[A-Z]{2}[0-9]/.test(v) && v.length >= 15 && v.length <= 17) return 'cardNumber';
  if (/^[A-Z]/.test(v) && v.length >= 9 && v.length <= 11) {
    const second = v[1] ?? '';
    if (second === '1' || second === '2') return 'nationalId';
    if (second === '8' || second === '9' || (v.length === 10 && /^[A-Z]$/.test(second))) return 'residentId';
    if (v.length === 10) return 'nationalId';
  }
  if (/^[A-Z]/.test(v) && v.length >= 7 && v.length <= 9) return 'controlNumber';
  return 'unknown';
}
