import { KeyObject } from 'node:crypto';
import { TestPkiError } from './pki/errors.js';
import { unknownOptionProblem } from '../shared/option-names.js';
import { describeValue } from '../shared/describe-value.js';
import { isObjectIdentifierText } from '../shared/der/der-primitives.js';
import { hasLoneSurrogate } from '../shared/storable-text.js';

/** PrintableString's characters (X.680), as messages name them. */
export const PRINTABLE_STRING_CHARACTERS = "A–Z a–z 0–9 space ' ( ) + , - . / : = ?";

/** Whether every character of `value` is one PrintableString has (the empty string is). */
export function isPrintableString(value: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
}

/**
 * The checks the kit's builders (`issueCertificate`, `buildCrl`) run on their arguments before any work, so a
 * misuse fails as `TestPkiError` `BAD_OPTIONS` naming the field (`buildCrl: option "entries[2].revokedAt" must
 * be a valid Date, not "2026-01-01"`) instead of a TypeError deep in a DER writer, a driver error, or bytes that
 * silently say something else (a serial `xyz` written as zero, an unknown reason as 0xFF).
 */
export class InputCheck {
  public constructor(private readonly where: string) {}

  /** `BAD_OPTIONS`: `<where>: option "<field>" <must>`, with `, not <value>` when a value is given. */
  public fail(field: string, must: string, ...value: [unknown?]): never {
    const shown = value.length === 0 ? '' : `, not ${describeValue(value[0])}`;
    throw new TestPkiError('BAD_OPTIONS', `${this.where}: option "${field}" ${must}${shown}`);
  }

  /** An object (not null, not an array). */
  public object(field: string, value: unknown, example: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, `must be an object such as ${example}`, value);
    return value as Record<string, unknown>;
  }

  /** No key outside `names`. */
  public knownNames(field: string | undefined, value: Record<string, unknown>, names: ReadonlySet<string>, hint?: string): void {
    const unknown = unknownOptionProblem(value, names, hint);
    if (unknown === undefined) return;
    throw new TestPkiError('BAD_OPTIONS', `${this.where}: ${field === undefined ? '' : `option "${field}": `}${unknown}`);
  }

  /** `true`, `false` or absent. */
  public optionalBoolean(field: string, value: unknown): void {
    if (value !== undefined && typeof value !== 'boolean') this.fail(field, 'must be true or false', value);
  }

  /** A string, or absent; `nonEmpty` refuses `''`. */
  public optionalString(field: string, value: unknown, nonEmpty = false, why = ''): void {
    if (value === undefined) return;
    if (typeof value !== 'string') this.fail(field, 'must be a string', value);
    if (nonEmpty && value === '') this.fail(field, `must not be empty${why}`);
  }

  /**
   * A valid Date that ASN.1 time can carry (years 0000–9999), or absent. An invalid Date failed as a RangeError
   * while encoding, or made a certificate with an unreadable validity; a later year was written as `+010000…`.
   */
  public optionalDate(field: string, value: unknown): void {
    if (value === undefined) return;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) this.fail(field, 'must be a valid Date', value);
    const year = value.getUTCFullYear();
    if (year < 0 || year > 9999) this.fail(field, 'must be a Date from year 0000 to 9999 (what UTCTime and GeneralizedTime can carry)', value);
  }

  /** One of `choices`, or absent. */
  public optionalChoice(field: string, value: unknown, choices: readonly string[]): void {
    if (value !== undefined && !choices.includes(value as string)) {
      this.fail(field, `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
    }
  }

  /**
   * A PrintableString of `min` to `max` characters, or absent. The kit's DER writer puts a string's UTF-8 bytes in
   * a PrintableString as they are (a `王` became bytes no reader takes for PrintableString), so text outside its
   * character set is refused here rather than written as another value.
   */
  public optionalPrintableString(field: string, value: unknown, min: number, max: number, example: string): void {
    if (value === undefined) return;
    if (typeof value !== 'string') this.fail(field, 'must be a string', value);
    if (isPrintableString(value) && value.length >= min && value.length <= max) return;
    const size = max === Infinity ? (min > 0 ? `at least ${min} ` : '') : `${min} to ${max} `;
    this.fail(field, `must be ${size}PrintableString characters (${PRINTABLE_STRING_CHARACTERS}), such as ${example}`, value);
  }

  /**
   * An IA5String (ASCII), or absent. @peculiar/x509 writes an rfc822Name's characters as their low bytes, so
   * `wáng@例子.tw` came out as another address; refused here instead.
   */
  public optionalIa5String(field: string, value: unknown, what: string): void {
    if (value === undefined) return;
    if (typeof value !== 'string') this.fail(field, 'must be a string', value);
    // IA5String is exactly the 128 ASCII codes, controls included.
    if (!/^[\x00-\x7f]*$/.test(value)) this.fail(field, `must be ASCII only: ${what} is an IA5String`, value);
  }

  /**
   * A string a UTF8String can carry unchanged, or absent: a lone UTF-16 surrogate has no UTF-8 form, and the DER
   * writer's TextEncoder writes it as U+FFFD, another value.
   */
  public optionalUtf8String(field: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== 'string') this.fail(field, 'must be a string', value);
    if (hasLoneSurrogate(value)) this.fail(field, 'must be well-formed Unicode (it has a lone surrogate, which a UTF8String cannot carry)', value);
  }

  /** A dotted object identifier such as `2.16.886.101.0.3.3` (see {@link isOid}). */
  public oid(field: string, value: unknown): void {
    if (!isOid(value)) this.fail(field, "must be a dotted object identifier such as '2.16.886.101.0.3.3' that DER can carry as written", value);
  }

  /** An array of dotted object identifiers, or absent. */
  public optionalOidList(field: string, value: unknown): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) this.fail(field, "must be an array of dotted object identifiers such as ['2.16.886.101.0.3.3']", value);
    value.forEach((oid: unknown, i) => this.oid(`${field}[${i}]`, oid));
  }

  /**
   * `value` decoded by `parse` as a certificate (DER, or PEM where `parse` takes it); bytes it refuses are
   * `BAD_OPTIONS` `<where>: option "<field>" is not a certificate: <why>`.
   */
  public certificate<T>(field: string, value: unknown, parse: (der: Uint8Array) => T): T {
    try {
      return parse(value as Uint8Array);
    } catch (error) {
      throw new TestPkiError('BAD_OPTIONS', `${this.where}: option "${field}" is not a certificate: ${(error as Error).message}`, { cause: error });
    }
  }

  /** A private KeyObject whose type is one of `types` (`rsa`, `ec`). */
  public privateKey(field: string, value: unknown, types: readonly string[], purpose: string): void {
    const fits = value instanceof KeyObject && value.type === 'private' && types.includes(value.asymmetricKeyType ?? '');
    if (!fits) this.fail(field, `must be ${purpose}: a node:crypto private KeyObject (${types.join(' or ')})`, value);
  }

  /** `RawExtensionSpec[]`, or absent. */
  public optionalRawExtensions(field: string, value: unknown): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) this.fail(field, "must be an array of { oid, critical, value } such as [{ oid: '1.2.3.4', critical: false, value: Uint8Array.of(0x05, 0x00) }]", value);
    value.forEach((spec: unknown, i) => {
      const at = `${field}[${i}]`;
      const s = this.object(at, spec, "{ oid: '1.2.3.4', critical: false, value: Uint8Array.of(0x05, 0x00) }");
      this.knownNames(at, s, RAW_EXTENSION_NAMES);
      this.oid(`${at}.oid`, s.oid);
      if (typeof s.critical !== 'boolean') this.fail(`${at}.critical`, 'must be true or false', s.critical);
      if (!(s.value instanceof Uint8Array)) this.fail(`${at}.value`, "must be the DER of extnValue's content (a Uint8Array)", s.value);
    });
  }
}

const RAW_EXTENSION_NAMES: ReadonlySet<string> = new Set(['oid', 'critical', 'value']);

/**
 * A dotted OID that DER can carry as written ({@link isObjectIdentifierText}), within what the writer (asn1js) can
 * encode: the first two arcs are written as one number, 40 × first + second, which it takes as a JavaScript number,
 * so under 2 the second arc must keep it within 2^53 − 1, or the OID came out empty. Later arcs may be any size
 * (`2.25.<UUID>`).
 */
export function isOid(value: unknown): value is string {
  if (typeof value !== 'string' || !isObjectIdentifierText(value)) return false;
  const [first = '', second = ''] = value.split('.');
  return first !== '2' || BigInt(second) + 80n <= BigInt(Number.MAX_SAFE_INTEGER);
}

/** Whether `value` is hex digits only (at least one). */
export function isHex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-fA-F]+$/.test(value);
}

/**
 * A serial as `TrustedCertificate.serialHex` spells it: hex digits, after a `-` for a negative one (RFC 5280 forbids
 * it, but a CA may have issued it, and a harness must be able to revoke such a certificate).
 */
export function isSerialHex(value: unknown): value is string {
  return typeof value === 'string' && /^-?[0-9a-fA-F]+$/.test(value);
}

