import type { SignatureHash } from '../apdu/index.js';
import type { SignHashAlgorithm } from '../cert/index.js';
import { base64Strict } from '../cert/encoding/pem.js';
import { TwpkiError } from '../shared/twpki-error.js';
import { RetCode } from './codes.js';
import { topLevelMemberText } from './json-member-text.js';

/** A parsed `/sign` request. The PIN is a Buffer the caller must zero. */
export interface SignRequest {
  /** `PKCS7` (default): a CMS SignedData with `tbs` attached; `PKCS1`: a bare RSA signature of `tbs`. */
  signatureType: 'PKCS7' | 'PKCS1';
  /** The data to be signed, already decoded per `tbsEncoding` (UTF-8 text or base64). */
  tbs: Uint8Array;
  /** Hash from `hashAlgorithm` (default SHA-256). */
  hash: SignatureHash;
  /** Whether to return the card number (and, for PKCS7, sign it as an attribute). */
  withCardSN: boolean;
  /** The PIN as UTF-8 bytes; zero it after use. */
  pin: Buffer;
  /**
   * The page's `nonce` as UTF-8 bytes, signed as PKCS#9 randomNonce; undefined when absent or empty. A JSON number
   * is its text as the page sent it (`1700000000123`): what `String(nonce)` gives on a page that built the package
   * with `JSON.stringify`.
   */
  nonce: Uint8Array | undefined;
  /** Reader to use; undefined picks the first reader holding a card. */
  slotDescription: string | undefined;
}

/** Codes of {@link SignRequestError}, one per official `ret_code` a refused body can get. */
export const SIGN_REQUEST_ERROR_CODES = [
  'AGENT_BAD_JSON',
  'AGENT_BAD_PARAMETER',
  'AGENT_BASE64',
  'AGENT_UNSUPPORTED_FUNCTION',
  'AGENT_NO_PIN',
] as const;

/** One of {@link SIGN_REQUEST_ERROR_CODES}. */
export type SignRequestErrorCode = (typeof SIGN_REQUEST_ERROR_CODES)[number];

const RET_CODE_OF: Readonly<Record<SignRequestErrorCode, number>> = {
  AGENT_BAD_JSON: RetCode.BAD_JSON,
  AGENT_BAD_PARAMETER: RetCode.BAD_PARAMETER,
  AGENT_BASE64: RetCode.BASE64_ERROR,
  AGENT_UNSUPPORTED_FUNCTION: RetCode.UNSUPPORTED_FUNCTION,
  AGENT_NO_PIN: RetCode.NO_PIN,
};

/** Why a `/sign` body was refused (never contains the PIN), with the official `ret_code` it answers. */
export class SignRequestError extends TwpkiError<SignRequestErrorCode> {
  /** The official component's `ret_code` for this refusal (see `RetCode`). */
  public readonly retCode: number;

  public constructor(code: SignRequestErrorCode, message: string) {
    super(code, message);
    this.retCode = RET_CODE_OF[code];
  }
}

/** The component's `hashAlgorithm` names and the card layer's hash for each (also what the test kit signs with). */
export const COMPONENT_HASHES: Readonly<Record<SignHashAlgorithm, SignatureHash>> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
const FULLY_ESCAPED = /^[A-Za-z0-9\-_.!~*'()%]*$/;

/**
 * Pages send `tbsPackage=<JSON>` as form data (urlencoded, or multipart from
 * a `FormData`) or as text/plain. A form-encoded package, and a base64 `tbs`
 * (whose alphabet has no `%`), is unescaped when it contains an escape and
 * nothing a form encoder would have escaped.
 */
function unescapeValue(value: string, alwaysEscaped = false): string {
  if (!value.includes('%') || (!alwaysEscaped && !FULLY_ESCAPED.test(value))) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The escapes of the characters RFC 3986 encoders escape and `encodeURIComponent` does not. */
const RFC3986_EXTRA: ReadonlyMap<string, string> = new Map([...`!'()*~`].map((c) => [`%${c.charCodeAt(0).toString(16).toUpperCase()}`, c]));

/**
 * A `tbs` or `pin` value a page may have passed through `encodeURIComponent`
 * (or a stricter RFC 3986 encoder):
 * decoded only when it is exactly what that function makes of the decoded
 * text (hex digits in either case), so literal text that merely looks
 * escaped is kept. A PIN `12%41567` typed as is stays that PIN: decoded, it
 * would be `12A567`, a wrong PIN the card charges a try for, each time the
 * user types the right one.
 */
function unescapeExact(value: string): string {
  if (!value.includes('%')) return value;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return value;
  }
  // RFC 3986 encoders (MDN's fixedEncodeURIComponent, PHP's rawurlencode) also escape ! ' ( ) * ~, which
  // encodeURIComponent leaves as they are: those escapes are read as the characters before comparing. An encoder
  // escapes ! ' ( ) * all or none, so a value with one of them escaped and one as it is (`ab!%21cd`, `x(1%29y`) is
  // no encoder's output: typed so. (`~` either way: the strict encoders differ on it.)
  let escapedSubDelim = false;
  const canonical = value.replace(/%[0-9a-f]{2}/gi, (escape) => {
    const upper = escape.toUpperCase();
    const extra = RFC3986_EXTRA.get(upper);
    if (extra === undefined) return upper;
    if (extra !== '~') escapedSubDelim = true;
    return extra;
  });
  if (escapedSubDelim && /[!'()*]/.test(value)) return value;
  return encodeURIComponent(decoded) === canonical ? decoded : value;
}

/** The `boundary` parameter of a multipart content type. */
const BOUNDARY = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i;
/** A part's `Content-Disposition` naming the field `tbsPackage` (not `filename`: the match starts at `;`). */
const TBS_PACKAGE_PART = /^content-disposition:[ \t]*form-data[ \t]*;(?:.*;)?[ \t]*name="tbsPackage"[ \t]*(?:;|$)/im;

/**
 * The `tbsPackage` field of a `multipart/form-data` body (a page's
 * `FormData`): the text between the part's headers and the next delimiter,
 * as the page gave it (FormData does not percent-encode). Linear in the body,
 * which the server has already bounded.
 */
function multipartPackage(body: string, contentType: string): string {
  const match = BOUNDARY.exec(contentType);
  if (match === null) throw new SignRequestError('AGENT_BAD_PARAMETER', 'the multipart body has no boundary');
  const delimiter = `--${match[1] ?? match[2] ?? ''}`;
  let at = body.startsWith(delimiter) ? 0 : body.indexOf(`\r\n${delimiter}`);
  if (at > 0) at += 2;
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.startsWith('--', start)) break;
    const headersEnd = body.indexOf('\r\n\r\n', start);
    if (headersEnd === -1) break;
    const end = body.indexOf(`\r\n${delimiter}`, headersEnd + 4);
    if (end === -1) break;
    if (TBS_PACKAGE_PART.test(body.slice(start, headersEnd))) return body.slice(headersEnd + 4, end);
    at = end + 2;
  }
  throw new SignRequestError('AGENT_BAD_PARAMETER', 'the form has no tbsPackage field');
}

function packageJson(body: string, contentType: string): string {
  if (/^\s*multipart\/form-data\b/i.test(contentType)) return multipartPackage(body, contentType).trim();
  const trimmed = body.trim();
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const value = new URLSearchParams(trimmed).get('tbsPackage');
    if (value === null) throw new SignRequestError('AGENT_BAD_PARAMETER', 'the form has no tbsPackage field');
    return value;
  }
  if (trimmed.startsWith('tbsPackage=')) {
    const rest = trimmed.slice('tbsPackage='.length);
    // text/plain carries the JSON as is; a form-encoded body sent as text/plain is decoded.
    return rest.startsWith('{') ? rest : unescapeValue(rest.replace(/\+/g, '%20'));
  }
  if (trimmed.startsWith('{')) return trimmed;
  // An empty body is a request without the field, whatever its content type says (as the guide's table has it).
  if (trimmed === '') throw new SignRequestError('AGENT_BAD_PARAMETER', 'the body is empty: no tbsPackage field');
  throw new SignRequestError('AGENT_BAD_JSON', 'the body is not tbsPackage=<JSON>');
}

/**
 * An optional string field. Pages fill optional fields with `""` instead of
 * leaving them out; like the official component, `""` (and null) mean absent.
 */
function field(pkg: Record<string, unknown>, name: string): string | undefined {
  const v = pkg[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new SignRequestError('AGENT_BAD_PARAMETER', `${name} must be a string`);
  return v;
}

/**
 * `withCardSN`: the string `"true"`/`"false"` as the official pages send it, or a JSON boolean, which a page that
 * builds the package with `JSON.stringify({ withCardSN: true })` sends. Both mean the same request; any other type
 * (a number, an object) is refused rather than guessed at.
 */
function withCardSNField(pkg: Record<string, unknown>): boolean {
  const v = pkg.withCardSN;
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null || typeof v === 'string') return (field(pkg, 'withCardSN') ?? 'false').toLowerCase() === 'true';
  throw new SignRequestError('AGENT_BAD_PARAMETER', 'withCardSN must be "true", "false" or a boolean');
}

/**
 * `nonce`: a string, or a JSON number (a page's `Date.now()` or random number). A number is signed as the text the
 * page sent, not as the double JSON.parse makes of it: a page that verifies the randomNonce compares it with the
 * nonce it sent, and a nonce of 17 or more digits (one made by a server) would otherwise be signed as another
 * number. For a package made by JSON.stringify the two are the same text (`String(nonce)`).
 */
function nonceField(pkg: Record<string, unknown>, json: string): string | undefined {
  const v = pkg.nonce;
  if (typeof v !== 'number') {
    if (v === undefined || v === null || typeof v === 'string') return field(pkg, 'nonce');
    throw new SignRequestError('AGENT_BAD_PARAMETER', 'nonce must be a string or a number');
  }
  const text = topLevelMemberText(json, 'nonce');
  // JSON has no NaN or Infinity, so a number here is finite and its text is there; the check keeps it fail-closed.
  if (text === undefined || !Number.isFinite(v) || Number(text) !== v) {
    throw new SignRequestError('AGENT_BAD_PARAMETER', 'nonce must be a string or a finite number');
  }
  return text;
}

/** Parses and validates a `/sign` body. */
export function parseSignRequest(body: string, contentType = ''): SignRequest {
  let pkg: unknown;
  let json: string;
  try {
    json = packageJson(body, contentType);
    pkg = JSON.parse(json);
  } catch (error) {
    if (error instanceof SignRequestError) throw error;
    throw new SignRequestError('AGENT_BAD_JSON', 'tbsPackage is not valid JSON');
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) throw new SignRequestError('AGENT_BAD_JSON', 'tbsPackage must be a JSON object');
  // Unknown fields (withSCAP, page-specific extras) are ignored, as the official component does.
  const p = pkg as Record<string, unknown>;
  const func = field(p, 'func');
  if (func !== undefined && func !== 'MakeSignature') throw new SignRequestError('AGENT_UNSUPPORTED_FUNCTION', `unsupported func ${JSON.stringify(func)}`);
  const signatureType = (field(p, 'signatureType') ?? 'PKCS7').toUpperCase();
  if (signatureType !== 'PKCS7' && signatureType !== 'PKCS1') throw new SignRequestError('AGENT_BAD_PARAMETER', 'signatureType must be PKCS7 or PKCS1');
  const hashName = (field(p, 'hashAlgorithm') ?? 'SHA256').toUpperCase().replace('-', '');
  const hash = Object.hasOwn(COMPONENT_HASHES, hashName) ? COMPONENT_HASHES[hashName as SignHashAlgorithm] : undefined;
  if (hash === undefined) throw new SignRequestError('AGENT_BAD_PARAMETER', 'hashAlgorithm must be SHA1, SHA256, SHA384 or SHA512');
  const encoding = (field(p, 'tbsEncoding') ?? 'NONE').toUpperCase();
  const rawTbs = field(p, 'tbs');
  if (rawTbs === undefined || rawTbs.length === 0) throw new SignRequestError('AGENT_BAD_PARAMETER', 'tbs is missing');
  let tbs: Uint8Array;
  if (encoding === 'BASE64') {
    // '%' is not in the base64 alphabet, so here it can only be an escape.
    const b64 = unescapeValue(rawTbs, true).replace(/ /g, '+');
    // Strict: Node's decoder drops what it cannot use, so "A" or "==" would be signed as nothing at all.
    try {
      tbs = base64Strict(b64, (n) => new Uint8Array(n));
    } catch {
      throw new SignRequestError('AGENT_BASE64', 'tbs is not base64');
    }
  } else if (encoding === 'NONE') {
    tbs = new Uint8Array(Buffer.from(unescapeExact(rawTbs), 'utf8'));
  } else {
    throw new SignRequestError('AGENT_BAD_PARAMETER', 'tbsEncoding must be NONE or base64');
  }
  const rawPin = field(p, 'pin');
  if (rawPin === undefined) throw new SignRequestError('AGENT_NO_PIN', 'pin is missing');
  const withCardSN = withCardSNField(p);
  const nonceText = nonceField(p, json);
  const slotDescription = field(p, 'slotDescription');
  // Last, once nothing else can refuse the body: the caller zeroes the PIN it gets, and a refusal would leave it.
  return {
    signatureType,
    tbs,
    hash,
    withCardSN,
    pin: Buffer.from(unescapeExact(rawPin), 'utf8'),
    nonce: nonceText ? new Uint8Array(Buffer.from(nonceText, 'utf8')) : undefined,
    slotDescription,
  };
}
