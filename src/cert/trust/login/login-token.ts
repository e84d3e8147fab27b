import { describeValue } from '../../../shared/describe-value.js';
import { base64Strict } from '../../encoding/pem.js';
import { TokenFormatError } from './errors.js';

/** Hash names the local component's `/sign` takes. */
export type SignHashAlgorithm = 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';

/**
 * What the browser posts to log in: the official local component's `/sign`
 * reply (`signature`, `certb64`, `cardSN`; other reply fields such as
 * `func`, `ret_code`, `version` are tolerated) plus the request fields that
 * say what was signed (`signatureType`, `tbs`, `tbsEncoding`,
 * `hashAlgorithm`). `tbs` is the login message (see `buildLoginMessage`).
 *
 * As the local component reads its request, `signatureType`, `tbsEncoding`
 * and `hashAlgorithm` are read in any case (`pkcs7`, `Base64`, `sha256`,
 * `SHA-256`), and an optional field sent as `""` (`cardSN`, `tbsEncoding`,
 * `hashAlgorithm`, `certb64`, `format`) is absent.
 *
 * ```json
 * { "signatureType": "PKCS7", "tbs": "twpki-login/1\norigin=…\nchallenge=…",
 *   "signature": "MIAGCSqGSIb3…", "certb64": "MIIF…", "cardSN": "TP03…" }
 * ```
 */
export interface LoginToken {
  /** Optional marker; when present it must be `twpki-login/1`. */
  readonly format?: string;
  /** `PKCS1`: raw RSA signature over `tbs`; `PKCS7`: CMS SignedData (attached or detached). */
  readonly signatureType: 'PKCS1' | 'PKCS7';
  /** base64 signature as `/sign` returned it. */
  readonly signature: string;
  /** base64 DER signer certificate (`/sign`'s `certb64`); required for PKCS1. */
  readonly certb64?: string;
  /** The exact `tbs` string sent to `/sign`. */
  readonly tbs: string;
  /** `NONE` (default): the UTF-8 bytes of `tbs` were signed; `base64`: its decoded bytes. */
  readonly tbsEncoding?: 'NONE' | 'base64';
  /** Hash used for PKCS1 (default `SHA256`); for PKCS7 the CMS says. */
  readonly hashAlgorithm?: SignHashAlgorithm;
  /** Card number `/sign` reported (unsigned; the CMS attribute is what counts). */
  readonly cardSN?: string;
}

/** Largest token accepted, to bound parsing work on hostile input. */
export const MAX_TOKEN_CHARS = 256 * 1024;

/** A token after shape checks, with the bytes its signature covers decoded. */
export interface SignedLoginToken {
  /** The token. */
  readonly token: LoginToken;
  /** The bytes that were signed. */
  readonly signedBytes: Uint8Array;
  /** Decoded signature (raw RSA for PKCS1, CMS DER for PKCS7). */
  readonly signature: Uint8Array;
}

/** A token after shape checks, with its base64 fields decoded. */
export interface DecodedLoginToken extends SignedLoginToken {
  /** Decoded `certb64`, when present. */
  readonly certificate: Uint8Array | undefined;
}

const SIGNATURE_TYPES = ['PKCS7', 'PKCS1'] as const;
const TBS_ENCODINGS = ['NONE', 'base64'] as const;
const HASH_ALGORITHMS = ['SHA256', 'SHA384', 'SHA512', 'SHA1'] as const;

/**
 * The entry of `names` that `value` spells, ignoring case (as the local
 * component reads `signatureType`, `tbsEncoding` and `hashAlgorithm`); with
 * `hyphen` (hash names), `SHA-256` is `SHA256`, as the component takes it. An exact spelling returns without
 * allocating.
 */
function oneOf<T extends string>(value: string, names: readonly T[], hyphen = false): T | undefined {
  for (const name of names) if (value === name) return name;
  const upper = value.toUpperCase();
  const folded = hyphen ? upper.replace('-', '') : upper;
  for (const name of names) if (folded === name.toUpperCase()) return name;
  return undefined;
}

/**
 * Checks the shape of a token (object or JSON text) and decodes its base64
 * fields.
 * @throws TokenFormatError naming the offending field.
 */
export function decodeLoginToken(input: unknown): DecodedLoginToken {
  const signed = decodeSignedLoginToken(input);
  const certText = signed.token.certb64;
  return { ...signed, certificate: certText === undefined ? undefined : decodeTokenField('certb64', certText) };
}

/**
 * Checks the shape of a token and decodes what its signature covers (the
 * signed bytes and the signature), leaving `certb64` as text: a verifier
 * that has seen the same certificate text before need not decode it again.
 * The signature is decoded into `signatureInto(length)` (default fresh
 * memory; the login verifier passes `transientBytes`).
 * @throws TokenFormatError naming the offending field.
 */
export function decodeSignedLoginToken(input: unknown, signatureInto?: (length: number) => Uint8Array): SignedLoginToken {
  const token = readLoginToken(input);
  return {
    token,
    // A Buffer is a Uint8Array: no second copy of the UTF-8 bytes.
    signedBytes: token.tbsEncoding === 'base64' ? decodeTokenField('tbs', token.tbs) : Buffer.from(token.tbs, 'utf8'),
    signature: decodeTokenField('signature', token.signature, signatureInto),
  };
}

/**
 * Decodes the base64 token field `name` (into `into(length)` when given).
 * @throws TokenFormatError `token field "…" is not base64`.
 */
export function decodeTokenField(name: string, text: string, into?: (length: number) => Uint8Array): Uint8Array {
  try {
    return base64Strict(text, into);
  } catch (err) {
    throw new TokenFormatError(`token field "${name}" is not base64`, { cause: err });
  }
}

/** The shape checks: JSON object, known field values, sizes, and the fields each kind needs. */
function readLoginToken(input: unknown): LoginToken {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_TOKEN_CHARS) throw new TokenFormatError(`token longer than ${MAX_TOKEN_CHARS} characters`);
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new TokenFormatError('token is not JSON', { cause: err });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenFormatError('token must be a JSON object');
  }
  // Read by name at each site (not `t[name]` in one helper), so each read
  // learns the token's shape on its own instead of going megamorphic.
  const t = value as { readonly [K in keyof LoginToken | 'ret_code']?: unknown };
  const retCode = t.ret_code;
  if (retCode !== undefined && retCode !== 0 && retCode !== '0') {
    // Described, never String()ed: the body is the caller's, and `{"toString":1}` makes String() throw.
    throw new TokenFormatError(`the local component reported failure (ret_code ${describeValue(retCode)})`);
  }
  const format = field(t.format, 'format', false);
  if (format !== undefined && format !== 'twpki-login/1') throw new TokenFormatError(`unsupported token format "${format}"`);
  // Names are compared as the local component reads them (case-insensitively); the exact spelling costs nothing.
  const signatureType = oneOf(field(t.signatureType, 'signatureType', true) as string, SIGNATURE_TYPES);
  if (signatureType === undefined) {
    throw new TokenFormatError('token field "signatureType" must be "PKCS1" or "PKCS7"');
  }
  const tbsEncodingText = field(t.tbsEncoding, 'tbsEncoding', false);
  const tbsEncoding = tbsEncodingText === undefined ? 'NONE' : oneOf(tbsEncodingText, TBS_ENCODINGS);
  if (tbsEncoding === undefined) {
    throw new TokenFormatError('token field "tbsEncoding" must be "NONE" or "base64"');
  }
  const hashText = field(t.hashAlgorithm, 'hashAlgorithm', false);
  const hashAlgorithm = hashText === undefined ? undefined : oneOf(hashText, HASH_ALGORITHMS, true);
  if (hashText !== undefined && hashAlgorithm === undefined) {
    throw new TokenFormatError('token field "hashAlgorithm" must be SHA1, SHA256, SHA384 or SHA512');
  }
  const tbs = field(t.tbs, 'tbs', true) as string;
  const signature = field(t.signature, 'signature', true) as string;
  const certb64 = field(t.certb64, 'certb64', false);
  const cardSN = field(t.cardSN, 'cardSN', false);
  if (signatureType === 'PKCS1' && certb64 === undefined) {
    throw new TokenFormatError('a PKCS1 token needs "certb64": the signature alone does not name its signer');
  }
  const token: { -readonly [K in keyof LoginToken]: LoginToken[K] } = { signatureType, signature, tbs, tbsEncoding };
  if (format !== undefined) token.format = format;
  if (certb64 !== undefined) token.certb64 = certb64;
  if (hashAlgorithm !== undefined) token.hashAlgorithm = hashAlgorithm;
  if (cardSN !== undefined) token.cardSN = cardSN;
  return token;
}

/**
 * The string value `v` of the token field `name`, `undefined` when absent
 * (or null) and not `required`. An optional field sent as `""` is absent
 * too: pages fill the fields they do not use with `""`, and the local
 * component reads `""` as absent (a `/sign` reply without `withCardSN` has
 * `cardSN: ""`).
 */
function field(v: unknown, name: string, required: boolean): string | undefined {
  if (v === undefined || v === null || (v === '' && !required)) {
    if (required) throw new TokenFormatError(`token field "${name}" is missing`);
    return undefined;
  }
  if (typeof v !== 'string') throw new TokenFormatError(`token field "${name}" must be a string`);
  if (v.length > MAX_TOKEN_CHARS) throw new TokenFormatError(`token field "${name}" is too long`);
  return v;
}
