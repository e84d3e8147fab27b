import type { KeyObject } from 'node:crypto';
import { reasonCode, type RevocationReason } from '../../cert/trust/revocation/revocation-status.js';
import { enumerated, explicit, integerFromHex, octetString, objectIdentifier, sequence, smallInteger, tlv, x509Time } from '../der/der-writer.js';
import type { RawExtensionSpec } from '../pki/types.js';
import { checkCrlOptions } from './crl-options.js';
import { signTbs, type TestSignatureHash } from './signing.js';

/** One revoked certificate for {@link buildCrl}. */
export interface TestCrlEntry {
  /** Serial, hex (any case, leading zeros allowed). */
  readonly serialHex: string;
  /** revocationDate. */
  readonly revokedAt: Date;
  /** reasonCode entry extension; omitted when undefined. */
  readonly reason?: RevocationReason;
  /** Further crlEntryExtensions, after reasonCode (e.g. a critical certificateIssuer). */
  readonly extraExtensions?: readonly RawExtensionSpec[];
}

/** An issuingDistributionPoint for {@link buildCrl}: what a partitioned or scoped CRL declares. */
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

/** Options of {@link buildCrl}. */
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

/**
 * Builds a DER CRL v2 (with authorityKeyIdentifier and cRLNumber) the way
 * GPKI CAs publish them. Made for tests: a 100k-entry list builds quickly.
 * @throws TestPkiError `BAD_OPTIONS` naming the option (`entries[3].revokedAt`, `issuer.privateKey`, …), before
 * anything is signed.
 */
export function buildCrl(options: BuildCrlOptions): Uint8Array {
  const { issuer, entries: revoked } = checkCrlOptions(options);
  const thisUpdate = options.thisUpdate ?? new Date();
  const nextUpdate = options.nextUpdate === undefined ? new Date(thisUpdate.getTime() + 86_400_000) : options.nextUpdate;
  const hash = options.hash ?? 'SHA-256';
  const signingKey = options.signWith ?? options.issuer.privateKey;
  const entries: Uint8Array[] = [];
  for (const e of revoked) {
    const serial = e.serialHex.toLowerCase().replace(/^(00)+(?=..)/, '');
    const exts = [
      ...(e.reason === undefined ? [] : [sequence(objectIdentifier('2.5.29.21'), octetString(enumerated(reasonCode(e.reason))))]),
      ...(e.extraExtensions ?? []).map(extension),
    ];
    entries.push(sequence(integerFromHex(serial), x509Time(e.revokedAt), ...(exts.length === 0 ? [] : [sequence(...exts)])));
  }
  const extensions: Uint8Array[] = [];
  if (issuer.subjectKeyId !== undefined) {
    const aki = sequence(tlv(0x80, new Uint8Array(Buffer.from(issuer.subjectKeyId, 'hex'))));
    extensions.push(sequence(objectIdentifier('2.5.29.35'), octetString(aki)));
  }
  extensions.push(sequence(objectIdentifier('2.5.29.20'), octetString(smallInteger(options.crlNumber ?? 1))));
  if (options.deltaOf !== undefined) {
    extensions.push(extension({ oid: '2.5.29.27', critical: true, value: smallInteger(options.deltaOf) }));
  }
  if (options.issuingDistributionPoint !== undefined) extensions.push(issuingDistributionPoint(options.issuingDistributionPoint));
  extensions.push(...(options.extraExtensions ?? []).map(extension));
  // The algorithm must appear inside tbs too, so derive it from a throwaway signature first.
  const { algorithm } = signTbs(new Uint8Array(0), signingKey, hash);
  const tbs = sequence(
    smallInteger(1),
    algorithm,
    issuer.subjectDer,
    x509Time(thisUpdate),
    ...(nextUpdate === null ? [] : [x509Time(nextUpdate)]),
    ...(entries.length === 0 ? [] : [tlv(0x30, new Uint8Array(Buffer.concat(entries)))]),
    explicit(0, sequence(...extensions)),
  );
  const { signature } = signTbs(tbs, signingKey, hash, options.corruptSignature === true);
  return sequence(tbs, algorithm, signature);
}

const TRUE = Uint8Array.of(0xff);

function extension(spec: RawExtensionSpec): Uint8Array {
  return sequence(objectIdentifier(spec.oid), ...(spec.critical ? [tlv(0x01, TRUE)] : []), octetString(spec.value));
}

function issuingDistributionPoint(idp: TestIssuingDistributionPoint): Uint8Array {
  const fields: Uint8Array[] = [];
  if (idp.uris !== undefined) {
    const names = idp.uris.map((uri) => tlv(0x86, new Uint8Array(Buffer.from(uri, 'latin1'))));
    fields.push(tlv(0xa0, tlv(0xa0, new Uint8Array(Buffer.concat(names)))));
  }
  if (idp.onlyUserCerts === true) fields.push(tlv(0x81, TRUE));
  if (idp.onlyCaCerts === true) fields.push(tlv(0x82, TRUE));
  if (idp.onlySomeReasons !== undefined) fields.push(tlv(0x83, Uint8Array.of(0, ...idp.onlySomeReasons)));
  if (idp.indirect === true) fields.push(tlv(0x84, TRUE));
  return extension({ oid: '2.5.29.28', critical: idp.critical ?? true, value: sequence(...fields) });
}
