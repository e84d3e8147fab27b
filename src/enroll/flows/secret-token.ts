/**
 * Random single-use secrets (activation links, verification codes). Only the
 * SHA-256 hash is stored, so a database leak does not leak usable links.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors.js';

/** A fresh 256-bit token, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** True if `value` has the shape {@link newToken} produces. */
export function isTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** Hex SHA-256 of a token or code, the only form persisted. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A verification code of `length` characters from an alphabet without look-alikes (0/O, 1/I). */
export function newVerificationCode(length = 10): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let code = '';
  // 256 is a multiple of 32, so the modulo introduces no bias.
  for (const b of bytes) code += alphabet[b % alphabet.length];
  return code;
}

/** Validates and returns a record ID (UUID) so a malformed one is an input error, not a SQL error. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** A record ID (UUID), lower-cased; INVALID_INPUT `INVALID_FORMAT` naming `field`, with `reason`, otherwise. */
export function parseRecordId(value: unknown, field: string, reason = 'must be a UUID'): string {
  if (!isUuid(value)) throw new InvalidInputError([{ field, code: 'INVALID_FORMAT', reason }]);
  return value.toLowerCase();
}
