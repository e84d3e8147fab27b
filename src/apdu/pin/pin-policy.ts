import { InvalidPinFormatError } from '../errors.js';
import { PIN_BUFFER_LENGTH } from '../crypto/gen1-pin-block.js';

/** Which bytes a PIN may contain. */
export type PinCharset = 'digits' | 'alphanumeric' | 'printable-ascii';

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
}

/** The token's own limits: 6–8 characters. */
export const DEFAULT_PIN_POLICY: Readonly<PinPolicy> = { minLength: 6, maxLength: 8, charset: 'printable-ascii' };

/** Merges a partial policy over the defaults and checks it is coherent. */
export function resolvePinPolicy(partial: Partial<PinPolicy> = {}): PinPolicy {
  const policy = { ...DEFAULT_PIN_POLICY, ...partial };
  if (
    !Number.isInteger(policy.minLength) ||
    !Number.isInteger(policy.maxLength) ||
    policy.minLength < 1 ||
    policy.maxLength > PIN_BUFFER_LENGTH ||
    policy.minLength > policy.maxLength
  ) {
    throw new RangeError(`PIN policy lengths must satisfy 1 <= min <= max <= ${PIN_BUFFER_LENGTH}`);
  }
  return policy;
}

/**
 * Copies a PIN into a fresh Buffer that the caller zeroes after use.
 * A caller's own Uint8Array is copied, never kept or modified.
 */
export function pinToBuffer(pin: string | Uint8Array): Buffer {
  if (typeof pin === 'string') return Buffer.from(pin, 'utf8');
  if (pin instanceof Uint8Array) return Buffer.from(pin);
  throw new InvalidPinFormatError('a PIN must be a string or bytes');
}

/**
 * Throws {@link InvalidPinFormatError} unless `pin` satisfies the policy.
 * The message names the rule, never the PIN.
 */
export function validatePin(pin: Uint8Array, policy: PinPolicy): void {
  // Characters first: the length is counted in bytes, so six characters a PIN cannot have (全形 digits,
  // Chinese) would otherwise read as "too long" instead of what they are.
  for (const b of pin) {
    if (!allowed(b, policy.charset)) throw new InvalidPinFormatError(`only ${policy.charset} characters are allowed`);
  }
  if (pin.length < policy.minLength || pin.length > policy.maxLength) {
    throw new InvalidPinFormatError(`length must be ${policy.minLength}–${policy.maxLength} characters, got ${pin.length}`);
  }
}

function allowed(b: number, charset: PinCharset): boolean {
  const digit = b >= 0x30 && b <= 0x39;
  if (charset === 'digits') return digit;
  if (charset === 'alphanumeric') return digit || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
  return b >= 0x21 && b <= 0x7e;
}
