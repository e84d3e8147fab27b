import { describeTime, isInstant } from '../instant.js';
import { VerifierConfigurationError } from './errors.js';

/**
 * The verifier clock's answer, checked: a clock that gives an Invalid Date
 * (or anything else) would let an expired or revoked certificate pass, so the
 * verification stops here (`INVALID_CONFIGURATION`, a server fault).
 */
export function clockTime(value: unknown): Date {
  if (!isInstant(value)) {
    throw new VerifierConfigurationError('INVALID_CONFIGURATION', `the clock (withClock) gave ${describeTime(value)}, not a valid Date: refusing to verify`);
  }
  return value;
}
