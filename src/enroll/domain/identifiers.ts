/**
 * Identifier value types of the enrollment flows. Each is a branded string that
 * only its `parse…` function produces, so a command cannot mix a control number
 * with a business ID by accident.
 */
import {
  validateBusinessId,
  validateCardNumber,
  validateControlNumber,
  validateEmail,
  validateNationalId,
  validateResidentId,
  foldWidth,
  type IdValidation,
} from '../../ems/index.js';
import { isObjectIdentifierText } from '../../shared/der/der-primitives.js';
import { asciiUpperCase } from '../../shared/ascii-case.js';
import { unstorableText } from '../../shared/storable-text.js';
import { InvalidInputError, type FieldIssue, type FieldIssueCode } from '../errors.js';

declare const brand: unique symbol;
/** A string that passed the named validation. */
export type Branded<B extends string> = string & {
  /** Compile-time marker naming the validation; never present at run time. */
  readonly [brand]: B;
};

/** EPA facility control number (管制編號), e.g. `H5600123`. */
export type ControlNumber = Branded<'ControlNumber'>;
/** 統一編號, the 8-digit business ID with its checksum. */
export type BusinessId = Branded<'BusinessId'>;
/** 身分證統一編號 (national ID or new-format resident certificate number). */
export type NationalId = Branded<'NationalId'>;
/** HiCOS card number (卡號), 2 capital letters and 14 digits, e.g. `TP03000012345678` (the `twpki/ems` rule). */
export type CardNumber = Branded<'CardNumber'>;
/** Certificate serial number as lower-case hex without separators. */
export type CertificateSerial = Branded<'CertificateSerial'>;
/** Dotted object identifier of an agency or organization, e.g. `2.16.886.101.20003`. */
export type AgencyOid = Branded<'AgencyOid'>;
/** An e-mail address (syntax checked only). */
export type EmailAddress = Branded<'EmailAddress'>;

// Longer strings are refused before any scan, so a megabyte costs nothing.
const MAX_STRING = 10_000;

/**
 * Why a string cannot be stored as text, or `undefined` when it can. NUL is
 * refused by PostgreSQL text (22021) and a lone surrogate has no UTF-8 form
 * (the driver would store U+FFFD or jsonb would refuse it with 22P02), so both
 * are an input error here instead of a driver error or a silent change.
 */
export function textDefect(value: string): Pick<FieldIssue, 'code' | 'reason'> | undefined {
  if (value.length > MAX_STRING) return { code: 'TOO_LONG', reason: `must be at most ${MAX_STRING} characters` };
  const unstorable = unstorableText(value);
  return unstorable === undefined ? undefined : { code: 'UNSTORABLE_TEXT', reason: unstorable };
}

/** A string that can be stored as text: otherwise INVALID_INPUT naming `field`. */
export function parseStorableString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidInputError([{ field, code: 'NOT_TEXT', reason: 'must be a string' }]);
  const defect = textDefect(value);
  if (defect !== undefined) throw new InvalidInputError([{ field, ...defect }]);
  return value;
}

function text(value: unknown, field: string): string {
  // Left out (or null from a form) is a missing field, not a wrong type.
  if (value === undefined || value === null) throw new InvalidInputError([{ field, code: 'REQUIRED', reason: 'is required' }]);
  const trimmed = parseStorableString(value, field).trim();
  if (trimmed === '') throw new InvalidInputError([{ field, code: 'REQUIRED', reason: 'is required' }]);
  return trimmed;
}

/** Applies an EMS-layer validator after the storable-string check; its message becomes the reason. */
function viaEms(value: unknown, field: string, validate: (v: string) => IdValidation<string>, code: FieldIssueCode = 'INVALID_ID'): string {
  const r = validate(text(value, field));
  if (!r.valid) fail(field, code, r.message);
  return r.value;
}

function fail(field: string, code: FieldIssueCode, reason: string): never {
  throw new InvalidInputError([{ field, code, reason }]);
}

/**
 * Whether an optional form value was left out: absent, `null` (a JSON form's empty field) or only white space (a
 * text box left empty). Such a value takes the field's default, as an absent one does.
 */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Non-empty trimmed text, at most `max` characters. */
export function parseRequiredText(value: unknown, field: string, max = 200): string {
  const t = text(value, field);
  if (t.length > max) fail(field, 'TOO_LONG', `must be at most ${max} characters`);
  return t;
}

/** EMS control number (管制編號), by the EMS layer's rule (width folded, upper-cased). */
export function parseControlNumber(value: unknown, field = 'controlNumber'): ControlNumber {
  return viaEms(value, field, validateControlNumber) as ControlNumber;
}

/** True for an 8-digit 統一編號 with a valid checksum (the EMS layer's current ÷5 rule). */
export function isValidBusinessId(id: string): boolean {
  return /^\d{8}$/.test(id) && validateBusinessId(id).valid;
}

/** Parses a 統一編號. */
export function parseBusinessId(value: unknown, field = 'businessId'): BusinessId {
  const t = text(value, field);
  if (!isValidBusinessId(t)) fail(field, 'INVALID_ID', 'must be an 8-digit 統一編號 with a valid checksum');
  return t as BusinessId;
}

/** True for a national ID (A123456789) or new-format resident number (A800000014). */
export function isValidNationalId(id: string): boolean {
  if (!/^[A-Z][1289]\d{8}$/.test(id)) return false;
  return validateNationalId(id).valid || validateResidentId(id).valid;
}

/** Parses a 身分證統一編號 (upper-cased). */
export function parseNationalId(value: unknown, field = 'nationalId'): NationalId {
  const t = asciiUpperCase(text(value, field));
  if (!isValidNationalId(t)) fail(field, 'INVALID_ID', 'must be a valid 身分證統一編號');
  return t as NationalId;
}

/** Parses a card number (卡號) by the EMS layer's rule: 2 capital letters and 14 digits. */
export function parseCardNumber(value: unknown, field = 'cardNumber'): CardNumber {
  return viaEms(value, field, validateCardNumber) as CardNumber;
}

/**
 * Normalizes a certificate serial: separators dropped, lower-case, leading zero
 * bytes kept out so `00:AB` and `ab` name the same certificate.
 */
export function parseCertificateSerial(value: unknown, field = 'certificateSerial'): CertificateSerial {
  const t = text(value, field).replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(t)) fail(field, 'INVALID_FORMAT', 'must be hexadecimal');
  const stripped = t.replace(/^0+(?=.)/, '');
  return stripped as CertificateSerial;
}

/** Parses a dotted OID such as `2.16.886.101.20003.20001.20003`. */
export function parseAgencyOid(value: unknown, field = 'agencyOid'): AgencyOid {
  const t = text(value, field);
  if (t.length > 128 || !isObjectIdentifierText(t)) fail(field, 'INVALID_FORMAT', 'must be a dotted object identifier a certificate can carry as written, at most 128 characters');
  return t as AgencyOid;
}

/** Parses an e-mail address by the EMS layer's syntax rule. */
export function parseEmail(value: unknown, field = 'email'): EmailAddress {
  return viaEms(value, field, validateEmail, 'INVALID_FORMAT') as EmailAddress;
}

/**
 * The small punctuation forms (Big5's U+FE50 block) a phone number may have been typed or stored with, read as
 * their ASCII signs. Only here: in names and addresses they stay what was written.
 */
const SMALL_FORMS: Readonly<Record<string, string>> = { '\uFE59': '(', '\uFE5A': ')', '\uFE5F': '#', '\uFE62': '+', '\uFE63': '-' };

/** A number (7 to 15 digits, with +, -, spaces, parentheses) and an optional extension after #, 分機, 轉 or ext. */
const PHONE = /^(\+?[0-9(][0-9()\- ]*[0-9)])(?:\s*(?:#|分機|轉|ext\.?)\s*([0-9]{1,6}))?$/i;

/**
 * Parses a phone number: 7 to 15 digits with optional +, -, spaces and
 * parentheses, and an extension after `#`, 分機, 轉 or `ext`. Full-width
 * digits and spaces are read as their ASCII forms (`foldWidth`, as the other
 * identifiers), and so are the small forms `﹙﹚﹟﹢﹣`; text that is mostly separators (`0#####`) or ends in an empty
 * extension is refused.
 */
export function parsePhone(value: unknown, field = 'phone'): string {
  const t = foldWidth(text(value, field))
    .replace(/[\uFE59\uFE5A\uFE5F\uFE62\uFE63]/g, (c) => SMALL_FORMS[c] ?? c)
    .replace(/\s+/g, ' ');
  const m = PHONE.exec(t);
  const digits = m?.[1]?.replace(/[^0-9]/g, '').length ?? 0;
  if (m === null || digits < 7 || digits > 15) fail(field, 'INVALID_FORMAT', 'must be a phone number (7 to 15 digits, an extension after # or 分機)');
  return t;
}
