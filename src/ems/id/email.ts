import { invalid, prepareIdInput, type CommonIdFailure, type IdValidation } from './id-validation.js';

/** Why an e-mail address is invalid. */
export type EmailFailure = CommonIdFailure | 'MISSING_AT' | 'INVALID_LOCAL_PART' | 'INVALID_DOMAIN';

// Dot-atom local part (RFC 5322 without quoted strings or comments: no
// government form accepts those) and a host name of at least two labels.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Validates the syntax of an e-mail address (no DNS lookup). */
export function validateEmail(input: unknown): IdValidation<EmailFailure> {
  const prep = prepareIdInput(input, 'an e-mail address', false);
  if (!prep.ok) return prep.failure;
  const { value } = prep;
  if (value.length > 254) return invalid(value, 'INVALID_LENGTH', 'an e-mail address has at most 254 characters');
  const at = value.lastIndexOf('@');
  if (at < 0) return invalid(value, 'MISSING_AT', 'an e-mail address has an @');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length === 0 || local.length > 64 || !LOCAL.test(local)) {
    return invalid(value, 'INVALID_LOCAL_PART', 'the part before @ has letters, digits or !#$%&\'*+/=?^_`{|}~- separated by single dots (at most 64)');
  }
  // A compatibility character (`²`, `②`, `ﬁ`) in a host name is not the plain one it resembles to us, but IDNA
  // maps it to that one: stored as typed, the address would never match the plain spelling. Refused, not changed.
  if (domain !== domain.normalize('NFKC')) {
    return invalid(value, 'INVALID_DOMAIN', 'the part after @ has a character that only resembles a letter or digit (such as ² or ﬁ): type it plainly');
  }
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (
    labels.length < 2 ||
    !labels.every((l) => LABEL.test(l)) ||
    /^[0-9]+$/.test(tld) ||
    tld.length < 2
  ) {
    return invalid(value, 'INVALID_DOMAIN', 'the part after @ is a host name such as example.com.tw');
  }
  return { valid: true, value };
}
