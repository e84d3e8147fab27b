import type { KeyObject } from 'node:crypto';
import { REVOCATION_REASONS, reasonCode, type RevocationReason } from '../../cert/trust/revocation/revocation-status.js';
import { TrustedCertificate } from '../../cert/trust/trusted-certificate.js';
import { InputCheck, isSerialHex } from '../check-input.js';
import { TestPkiError } from '../pki/errors.js';
import type { RawExtensionSpec } from '../pki/types.js';
import type { TestSignatureHash } from './signing.js';

/** One revoked certificate for `buildCrl`. */
export interface TestCrlEntry {
  /** Serial, as `TrustedCertificate.serialHex` spells it: hex (any case, leading zeros allowed), after a `-` for a negative one. */
  readonly serialHex: string;
  /** revocationDate. */
  readonly revokedAt: Date;
  /** reasonCode entry extension; omitted when undefined. */
  readonly reason?: RevocationReason;
  /** Further crlEntryExtensions, after reasonCode (e.g. a critical certificateIssuer). */
  readonly extraExtensions?: readonly RawExtensionSpec[];
}

/** An issuingDistributionPoint for `buildCrl`: what a partitioned or scoped CRL declares. */
export interface TestIssuingDistributionPoint {
  /** distributionPoint fullName URIs; omitted when undefined. */
  readonly uris?: readonly string[];
  /** onlyContainsUserCerts. */
  readonly onlyUserCerts?: boolean;
  /** onlyContainsCACerts. */
  readonly onlyCaCerts?: boolean;
  /** onlySomeReasons, as the ReasonFlags bit string's bytes (e.g. `[0x40]` keyCompromise). */
  readonly onlySomeReasons?: readonly number[];
  /** indirectCRL. */
  readonly indirect?: boolean;
  /** Mark the extension critical; default true (RFC 5280 5.2.5). */
  readonly critical?: boolean;
}

/** Options of `buildCrl`. */
export interface BuildCrlOptions {
  /** The CA: its certificate (DER) names the issuer, its key signs. */
  readonly issuer: {
    /** The CA certificate, DER; supplies the CRL issuer name and authorityKeyIdentifier. */
    readonly certificate: Uint8Array;
    /** The CA's private key; signs the CRL unless `signWith` is given. */
    readonly privateKey: KeyObject;
  };
  /** Revoked certificates. */
  readonly entries: Iterable<TestCrlEntry>;
  /** thisUpdate; default now. */
  readonly thisUpdate?: Date;
  /** nextUpdate; default thisUpdate + 1 day; `null` omits it. */
  readonly nextUpdate?: Date | null;
  /** Signature hash; default SHA-256. */
  readonly hash?: TestSignatureHash;
  /** cRLNumber; default 1. */
  readonly crlNumber?: number;
  /** Sign with this key instead (the CRL then fails verification). */
  readonly signWith?: KeyObject;
  /** Break the signature after signing. */
  readonly corruptSignature?: boolean;
  /** issuingDistributionPoint; none (full scope) when undefined. */
  readonly issuingDistributionPoint?: TestIssuingDistributionPoint;
  /** Make it a delta CRL: a critical deltaCRLIndicator naming this base cRLNumber. */
  readonly deltaOf?: number;
  /** Further crlExtensions, added last. */
  readonly extraExtensions?: readonly RawExtensionSpec[];
}

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'issuer',
  'entries',
  'thisUpdate',
  'nextUpdate',
  'hash',
  'crlNumber',
  'signWith',
  'corruptSignature',
  'issuingDistributionPoint',
  'deltaOf',
  'extraExtensions',
]);
const ENTRY_NAMES: ReadonlySet<string> = new Set(['serialHex', 'revokedAt', 'reason', 'extraExtensions']);
const IDP_NAMES: ReadonlySet<string> = new Set(['uris', 'onlyUserCerts', 'onlyCaCerts', 'onlySomeReasons', 'indirect', 'critical']);
const HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;
// signTbs writes ECDSA for an EC key and PKCS#1 v1.5 for every other: an RSA-PSS or Ed25519 key would be mislabelled.
const KEY_TYPES = ['rsa', 'ec'];

/** What {@link buildCrl} builds from, once checked: the issuer parsed and the entries read once. */
export interface CheckedCrlOptions {
  readonly issuer: TrustedCertificate;
  readonly entries: readonly TestCrlEntry[];
}

/**
 * Checks {@link buildCrl}'s options before anything is encoded or signed, so each misuse is `TestPkiError`
 * `BAD_OPTIONS` naming the field (`entries[3].revokedAt`). Before, a missing or invalid date was a TypeError or
 * RangeError, an authority name as issuer a chain error, a public key a node:crypto error, and many were written
 * silently into a CRL that says something else or does not parse: a serial `xyz` or `''` as zero, `-1` as 1, an
 * unknown reason as 0xFF, a negative or fractional cRLNumber, an unknown hash as an empty OID, an unknown option
 * or entry field dropped, a non-ASCII distribution point URI mangled, a nextUpdate before thisUpdate.
 * `entries` is read once here (it may be a generator); valid options build the same CRL as before.
 */
export function checkCrlOptions(options: unknown): CheckedCrlOptions {
  const check: InputCheck = new InputCheck('buildCrl');
  if (typeof options !== 'object' || options === null) {
    throw new TestPkiError('BAD_OPTIONS', "buildCrl: options must be an object such as { issuer: pki.issuer('moica'), entries: [] }");
  }
  const o = options as Record<string, unknown>;
  check.knownNames(undefined, o, OPTION_NAMES);

  const issuer = checkIssuer(check, o.issuer, o.signWith !== undefined);
  if (o.signWith !== undefined) check.privateKey('signWith', o.signWith, KEY_TYPES, 'the key to sign with instead of the issuer\'s');
  const entries = checkEntries(check, o.entries);

  check.optionalDate('thisUpdate', o.thisUpdate);
  if (o.nextUpdate !== null) check.optionalDate('nextUpdate', o.nextUpdate);
  // A nextUpdate in the past beside the default thisUpdate (now) is the usual slip when a stale CRL was meant; with
  // both given, an inverted CRL is taken as asked (a test of a verifier's handling of one).
  if (o.nextUpdate instanceof Date && o.thisUpdate === undefined) {
    const now = new Date();
    // A second of slack: `nextUpdate: new Date()` made just before the call is not "before".
    if (o.nextUpdate.getTime() + 1_000 < now.getTime()) {
      check.fail(
        'nextUpdate',
        `(${o.nextUpdate.toISOString()}) is before thisUpdate (${now.toISOString()}, the default: now); ` +
          'a stale CRL has both in the past, thisUpdate first (give thisUpdate too for an inverted CRL on purpose)',
      );
    }
  }
  check.optionalChoice('hash', o.hash, HASHES);
  for (const name of ['crlNumber', 'deltaOf']) {
    if (o[name] !== undefined && !(Number.isSafeInteger(o[name]) && (o[name] as number) >= 0)) check.fail(name, 'must be a non-negative integer', o[name]);
  }
  check.optionalBoolean('corruptSignature', o.corruptSignature);
  if (o.issuingDistributionPoint !== undefined) checkIdp(check, o.issuingDistributionPoint);
  check.optionalRawExtensions('extraExtensions', o.extraExtensions);
  return { issuer, entries };
}

function checkIssuer(check: InputCheck, issuer: unknown, signWith: boolean): TrustedCertificate {
  const must = "must be the CA with its key, such as pki.issuer('moica') or pki.root ({ certificate, privateKey })";
  if (typeof issuer !== 'object' || issuer === null || issuer instanceof Uint8Array) check.fail('issuer', must, issuer);
  const i = issuer as Record<string, unknown>;
  if (i.certificate === undefined) check.fail('issuer.certificate', `must be the CA certificate, DER (issuer ${must})`, i.certificate);
  const parsed = check.certificate('issuer.certificate', i.certificate, (der) => TrustedCertificate.from(der));
  // The issuer's key signs unless signWith is given; then it is never used.
  if (!signWith || i.privateKey !== undefined) check.privateKey('issuer.privateKey', i.privateKey, KEY_TYPES, "the CA's private key, which signs the CRL");
  return parsed;
}

function checkEntries(check: InputCheck, entries: unknown): TestCrlEntry[] {
  const iterable = typeof entries === 'object' && entries !== null && typeof (entries as Iterable<unknown>)[Symbol.iterator] === 'function';
  if (!iterable) check.fail('entries', "must be the revoked certificates, an array (or other iterable) such as [{ serialHex: '0a', revokedAt: new Date() }] ([] for none)", entries);
  const list = Array.isArray(entries) ? (entries as unknown[]) : [...(entries as Iterable<unknown>)];
  list.forEach((entry, n) => {
    const at = `entries[${n}]`;
    const e = check.object(at, entry, "{ serialHex: '0a', revokedAt: new Date() }");
    check.knownNames(at, e, ENTRY_NAMES);
    if (!isSerialHex(e.serialHex)) {
      check.fail(`${at}.serialHex`, "must be the certificate's serial in hex digits, after a - for a negative one (TrustedCertificate.from(der).serialHex), with no 0x", e.serialHex);
    }
    if (e.revokedAt === undefined) check.fail(`${at}.revokedAt`, 'must be a valid Date (the revocationDate)', e.revokedAt);
    check.optionalDate(`${at}.revokedAt`, e.revokedAt);
    if (e.reason !== undefined && (typeof e.reason !== 'string' || reasonCode(e.reason as RevocationReason) < 0)) {
      check.fail(`${at}.reason`, `must be a revocation reason (${REVOCATION_REASONS.join(', ')}; a suspension is certificateHold)`, e.reason);
    }
    check.optionalRawExtensions(`${at}.extraExtensions`, e.extraExtensions);
  });
  return list as TestCrlEntry[];
}

function checkIdp(check: InputCheck, value: unknown): void {
  const idp = check.object('issuingDistributionPoint', value, "{ uris: ['http://127.0.0.1:8080/crl/moica-1.crl'] }");
  check.knownNames('issuingDistributionPoint', idp, IDP_NAMES);
  if (idp.uris !== undefined) {
    if (!Array.isArray(idp.uris)) check.fail('issuingDistributionPoint.uris', 'must be an array of URIs', idp.uris);
    idp.uris.forEach((uri: unknown, n) => {
      // IA5String: a character beyond ASCII was cut to its low byte.
      if (typeof uri !== 'string' || uri === '' || !/^[\x20-\x7e]+$/.test(uri)) {
        check.fail(`issuingDistributionPoint.uris[${n}]`, 'must be a non-empty URI in printable ASCII (percent-encode the rest)', uri);
      }
    });
  }
  for (const name of ['onlyUserCerts', 'onlyCaCerts', 'indirect', 'critical']) check.optionalBoolean(`issuingDistributionPoint.${name}`, idp[name]);
  if (idp.onlySomeReasons !== undefined) {
    if (!Array.isArray(idp.onlySomeReasons)) check.fail('issuingDistributionPoint.onlySomeReasons', 'must be the ReasonFlags bytes, such as [0x40]', idp.onlySomeReasons);
    idp.onlySomeReasons.forEach((byte: unknown, n) => {
      if (!(Number.isInteger(byte) && (byte as number) >= 0 && (byte as number) <= 255)) check.fail(`issuingDistributionPoint.onlySomeReasons[${n}]`, 'must be a byte (0–255)', byte);
    });
  }
}
