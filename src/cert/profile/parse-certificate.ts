import { caHolder } from './authorities/authority-definition.js';
import { authorityDefinition, recogniseAuthority } from './authorities/recognise-authority.js';
import { DerError } from '../../shared/der/der-error.js';
import { type DerNode, readRoot } from '../../shared/der/der-reader.js';
import { integerHex, timeOf } from '../../shared/der/der-values.js';
import { decodeExtensions, type EarlierExtensions, isKnownExtension } from './certificate-extensions.js';
import { certificateDer } from './certificate-input.js';
import { certificatePolicyOf, highestAssuranceLevel } from './certificate-policy.js';
import type { CertificateProfile } from './certificate-profile.js';
import { certificatePurposeOf } from './certificate-purpose.js';
import { type CertificateStructure, readCertificateStructure } from './certificate-structure.js';
import { decodeDistinguishedName, type DistinguishedName, hasNonTextNamedField } from './distinguished-name.js';
import { CertificateParseError, type CertificateParseErrorCode } from './errors.js';
import { decodeGpkiAttributes, NO_GPKI_ATTRIBUTES } from './gpki-attributes.js';
import type { IdentityHints } from './identity-hints.js';
import { readPublicKeyInfo } from './public-key-info.js';
import { signatureAlgorithmOf } from './signature-algorithm.js';
import { bytesEqual } from '../../shared/bytes.js';

/**
 * Runs one decoding stage, turning a DER error (or anything else a decoder throws
 * on hostile input) into a CertificateParseError with the stage's code.
 */
function stage<T>(code: CertificateParseErrorCode, what: string, run: () => T): T {
  try {
    return run();
  } catch (cause) {
    if (cause instanceof CertificateParseError) throw cause;
    const detail = cause instanceof DerError ? cause.message : `${what} is malformed`;
    throw new CertificateParseError(code, detail, { cause });
  }
}

/**
 * Serial as operators type it: the trust layer's spelling of the value ({@link integerHex}) in upper case, so
 * `serialNumber` is `TrustedCertificate.serialHex.toUpperCase()`: no DER sign byte or other leading zero octet, and a
 * negative serial (RFC 5280 forbids one, but a CA may have written it) its magnitude after a `-`, as OpenSSL (and
 * node's X509Certificate) print it.
 */
function serialHex(bytes: Uint8Array): string {
  return integerHex(bytes).toUpperCase();
}

function decodeName(node: DerNode, what: string): DistinguishedName {
  return stage('BAD_NAME', `${what} name`, () => decodeDistinguishedName(node, what));
}

/**
 * Reads a certificate's DER into its fields: the one walk over the outer
 * structure that both `parseCertificate` and the trust layer's
 * `TrustedCertificate` build on.
 * @throws CertificateParseError `NOT_A_CERTIFICATE`.
 */
export function readCertificate(der: Uint8Array): CertificateStructure {
  return stage('NOT_A_CERTIFICATE', 'certificate', () => readCertificateStructure(readRoot(der, 'certificate')));
}

/**
 * Parses a certificate (DER bytes, PEM, or base64 DER) into its profile:
 * authority and generation, subject with Chinese names decoded whatever the
 * string type, GPKI identity hints, serial, validity, key usage and purpose,
 * policies, revocation URLs and key identifiers.
 *
 * A certificate from an unknown CA still parses (authority `unknown`).
 *
 * @throws CertificateParseError naming what is wrong (`NOT_A_CERTIFICATE`,
 *   `BAD_PEM`, `BAD_NAME`, `BAD_EXTENSION`, …). Nothing else is thrown.
 */
export function parseCertificate(input: Uint8Array | string): CertificateProfile {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new CertificateParseError('NOT_A_CERTIFICATE', 'input must be DER bytes or PEM/base64 text');
  }
  const der = stage('NOT_A_CERTIFICATE', 'input', () => certificateDer(input));
  return profileOf(der, readCertificate(der));
}

/**
 * The profile of a certificate already read by {@link readCertificate}.
 * `earlier` holds extensions decoded before (the trust view's); only the
 * others are decoded here.
 * @throws CertificateParseError naming the part that does not decode.
 */
export function profileOf(der: Uint8Array, structure: CertificateStructure, earlier?: EarlierExtensions): CertificateProfile {
  const issuer = decodeName(structure.issuer, 'issuer');
  const subject = decodeName(structure.subject, 'subject');
  const validity = stage('BAD_VALIDITY', 'validity', () => ({
    // Tolerant for display; the trust view reads the same nodes as strict DER.
    notBefore: timeOf(structure.notBefore, 'notBefore', { tolerant: true }),
    notAfter: timeOf(structure.notAfter, 'notAfter', { tolerant: true }),
  }));
  const publicKey = stage('NOT_A_CERTIFICATE', 'subjectPublicKeyInfo', () => readPublicKeyInfo(structure.subjectPublicKeyInfo));
  const ext =
    earlier === undefined
      ? decodeExtensions(structure.extensions)
      : decodeExtensions(structure.extensions, { onto: earlier.values, include: (oid) => !earlier.oids.has(oid) });
  const attributes = stage('BAD_EXTENSION', 'GPKI attributes', () =>
    ext.directoryAttributes === undefined ? NO_GPKI_ATTRIBUTES : decodeGpkiAttributes(ext.directoryAttributes),
  );

  const isCa = ext.basicConstraints?.ca === true;
  const authority = recogniseAuthority({
    caName: isCa ? subject : issuer,
    caKeyId: isCa ? ext.subjectKeyId : ext.authorityKeyId,
    attributes,
  });
  // A subject with a CN, O, OU, L, C, serialNumber or E that is not text names no holder: the rules' fallbacks (an
  // O where the CN is absent, the CN where the O is) would name what the certificate does not. The GPKI attributes
  // are typed text of their own and still count.
  const holder = hasNonTextNamedField(subject)
    ? { holderName: undefined, businessId: attributes.businessId }
    : isCa
      ? caHolder({ subject, attributes })
      : (authorityDefinition(authority.id)?.holder({ subject, attributes }) ?? {
          holderName: subject.commonName ?? subject.organizations[subject.organizations.length - 1],
          businessId: attributes.businessId,
        });
  const identity: IdentityHints = {
    holderName: holder.holderName,
    subjectType: attributes.subjectType,
    cardType: attributes.cardType,
    idHint: attributes.idHint,
    businessId: holder.businessId,
    organizationOid: attributes.organizationOid,
    subjectSerialNumber: subject.serialNumber,
  };
  const policies = (ext.policies ?? []).map(certificatePolicyOf);
  const keyUsageExtension = structure.extensions.find((e) => e.oid === '2.5.29.15');
  const emails = [...(ext.subjectAltName?.emails ?? [])];
  if (subject.email !== undefined && !emails.includes(subject.email)) emails.push(subject.email);

  return {
    authority,
    version: structure.version,
    serialNumber: serialHex(structure.serialNumber),
    subject,
    issuer,
    selfIssued: bytesEqual(subject.der, issuer.der),
    validity,
    identity,
    keyUsage: ext.keyUsage,
    keyUsageCritical: keyUsageExtension?.critical === true,
    extendedKeyUsage: ext.extendedKeyUsage ?? [],
    purpose: certificatePurposeOf(ext.keyUsage, ext.basicConstraints),
    basicConstraints: ext.basicConstraints,
    policies,
    assuranceLevel: highestAssuranceLevel(policies),
    crlUrls: ext.crlUrls ?? [],
    ocspUrls: ext.authorityInfoAccess?.ocsp ?? [],
    caIssuersUrls: ext.authorityInfoAccess?.caIssuers ?? [],
    subjectKeyId: ext.subjectKeyId,
    authorityKeyId: ext.authorityKeyId,
    emails,
    dnsNames: ext.subjectAltName?.dnsNames ?? [],
    publicKey,
    signatureAlgorithm: signatureAlgorithmOf(structure.signatureAlgorithmOid),
    extensions: structure.extensions.map((e) => ({ oid: e.oid, critical: e.critical, known: isKnownExtension(e.oid) })),
    der,
  };
}
