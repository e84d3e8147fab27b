import { InvalidPinFormatError } from '../errors.js';
import { PIN_BUFFER_LENGTH } from '../crypto/gen1-pin-block.js';

/** Which bytes a PIN may contain. */
export type PinCharset = 'digits' | 'alphanumeric' | 'printable-ascii';

/**
 * What to do with a PIN written as a 民國 date with separators (`79/01/01`, `79-1-1`, `79.01.01`).
 * - `'refuse'`: refused before any APDU, with a message saying to type the digits only. A MOICA card's default
 *   PIN is the holder's 民國 birth date as 6 digits (the application form: 「民國出生○○年○○月○○日 共6碼」), and
 *   a holder who types it as a date spends a try for nothing.
 * - `'send'`: sent to the card like any other PIN, for a card whose PIN really is such a text (whether HiCOS
 *   takes `/`, `-` or `.` in a PIN changed with the official tool is not documented).
 */
export type DateShapedPin = 'refuse' | 'send';

/**
 * Local PIN rules, checked before any APDU so a malformed PIN never costs a
 * try. Defaults follow the token (min 6, max 8) and allow printable ASCII
 * without spaces; HiCOS buffers hold at most 10 bytes.
 */
export interface PinPolicy {
  /** Minimum length (default 6). */
  minLength: number;
  /** Maximum length (default 8, at most 10). */
  maxLength: number;
  /** Allowed characters (default `'printable-ascii'`). */
  charset: PinCharset;
  /** A PIN written as a 民國 date with separators (default `'refuse'`): see {@link DateShapedPin}. */
  dateShaped: DateShapedPin;
}

/** The token's own limits: 6–8 characters; a date typed with separators is refused unsent. */
export const DEFAULT_PIN_POLICY: Readonly<PinPolicy> = { minLength: 6, maxLength: 8, charset: 'printable-ascii', dateShaped: 'refuse' };

const CHARSETS: readonly unknown[] = ['digits', 'alphanumeric', 'printable-ascii'] satisfies PinCharset[];
const DATE_SHAPED: readonly unknown[] = ['refuse', 'send'] satisfies DateShapedPin[];

/**
 * Merges a partial policy over the defaults and checks it is coherent. A key given as `undefined` is left to its
 * default, as one left out is (configuration passed through as `{ charset: config.pinCharset }`).
 */
export function resolvePinPolicy(partial: Partial<PinPolicy> = {}): PinPolicy {
  // `?? {}`: a JavaScript caller's null was the defaults when the policy was spread, and must not become a TypeError.
  const given = Object.fromEntries(Object.entries(partial ?? {}).filter(([, value]) => value !== undefined)) as Partial<PinPolicy>;
  const policy = { ...DEFAULT_PIN_POLICY, ...given };
  if (
    !Number.isInteger(policy.minLength) ||
    !Number.isInteger(policy.maxLength) ||
    policy.minLength < 1 ||
    policy.maxLength > PIN_BUFFER_LENGTH ||
    policy.minLength > policy.maxLength
  ) {
    throw new RangeError(`PIN policy lengths must satisfy 1 <= min <= max <= ${PIN_BUFFER_LENGTH}`);
  }
  // Checked like the lengths: an unknown value would otherwise read as the laxest rule.
  if (!CHARSETS.includes(policy.charset)) throw new RangeError(`PIN policy charset must be one of ${CHARSETS.join(', ')}`);
  if (!DATE_SHAPED.includes(policy.dateShaped)) throw new RangeError(`PIN policy dateShaped must be one of ${DATE_SHAPED.join(', ')}`);
  return policy;
}

/**
 * Copies a PIN into a fresh Buffer that the caller zeroes after use.
 * A caller's own Uint8Array is copied, never kept or modified.
 */
export function pinToBuffer(pin: string | Uint8Array): Buffer {
  if (typeof pin === 'string') return Buffer.from(pin, 'utf8');
  if (pin instanceof Uint8Array) return Buffer.from(pin);
  throw new InvalidPinFormatError('a PIN must be a string or bytes', 'type');
}

/**
 * Throws {@link InvalidPinFormatError} unless `pin` satisfies the policy.
 * The message names the rule, never the PIN.
 */
export function validatePin(pin: Uint8Array, policy: PinPolicy): void {
  // Characters first: the length is counted in bytes, so six characters a PIN cannot have (全形 digits,
  // Chinese) would otherwise read as "too long" instead of what they are.
  for (const b of pin) {
    if (!allowed(b, policy.charset)) throw new InvalidPinFormatError(`only ${policy.charset} characters are allowed`, 'characters');
  }
  if (pin.length < policy.minLength || pin.length > policy.maxLength) {
    throw new InvalidPinFormatError(`length must be ${policy.minLength}–${policy.maxLength} characters, got ${pin.length}`, 'length');
  }
  if (policy.dateShaped === 'refuse' && isDateWithSeparators(pin)) {
    throw new InvalidPinFormatError(
      'it is written as a date with separators; a card whose PIN is the default (the 民國 birth date) takes its 6 digits only, as YYMMDD',
      'date-shaped',
    );
  }
}

/**
 * Whether `pin` is a 民國 date written with one kind of separator: a 2- or 3-digit year, then a month 1–12 and a
 * day 1–31 of one or two digits each (`79/01/01`, `79-1-1`, `79.12.31`). Read on the bytes, without making a string
 * of the PIN.
 */
function isDateWithSeparators(pin: Uint8Array): boolean {
  const values: number[] = [];
  const widths: number[] = [];
  let separator: number | undefined;
  let value = 0;
  let width = 0;
  for (let i = 0; i <= pin.length; i++) {
    const b = i < pin.length ? (pin[i] as number) : undefined;
    if (b !== undefined && b >= 0x30 && b <= 0x39) {
      value = value * 10 + (b - 0x30);
      width++;
      continue;
    }
    // A separator, or the end: the field before it is complete.
    if (b !== undefined && b !== 0x2f && b !== 0x2d && b !== 0x2e) return false;
    if (b !== undefined && separator !== undefined && b !== separator) return false;
    if (width === 0) return false;
    if (b !== undefined) separator = b;
    values.push(value);
    widths.push(width);
    value = 0;
    width = 0;
  }
  if (values.length !== 3) return false;
  const [yearWidth, monthWidth, dayWidth] = widths as [number, number, number];
  const [, month, day] = values as [number, number, number];
  return yearWidth >= 2 && yearWidth <= 3 && monthWidth <= 2 && dayWidth <= 2 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function allowed(b: number, charset: PinCharset): boolean {
  const digit = b >= 0x30 && b <= 0x39;
  if (charset === 'digits') return digit;
  if (charset === 'alphanumeric') return digit || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
  return b >= 0x21 && b <= 0x7e;
}
