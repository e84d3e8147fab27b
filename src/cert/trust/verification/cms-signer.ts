import { namesEqual } from '../name-equality.js';
import { TrustedCertificate } from '../trusted-certificate.js';
import type { CertificateCache } from './certificate-cache.js';
import type { CmsSignedData, SignerIdentifier } from './cms-signed-data.js';

/**
 * Whether `cert` is the certificate a SignerInfo names (issuer and serial, or
 * subject key identifier). The issuer is compared as chain building compares
 * names (RFC 5280 7.1, byte-identical first): the SignerInfo's copy is not
 * signed, and encoders that rebuild it from the parsed name (another string
 * type, case) name the same certificate — OpenSSL finds it too. Only which
 * certificate is tried changes: its key must still verify the signature.
 */
export function namesSigner(cert: TrustedCertificate, signer: SignerIdentifier): boolean {
  return 'subjectKeyId' in signer
    ? cert.subjectKeyId === signer.subjectKeyId
    : cert.serialHex === signer.serialHex && namesEqual(cert.issuerDer, signer.issuerDer);
}

/** What a CMS carries: its certificates decoded, and the one its SignerInfo names (when carried). */
export interface CmsCertificates {
  /** The signer certificate, when the CMS carries it. */
  readonly signer: TrustedCertificate | undefined;
  /** Every carried certificate, decoded. */
  readonly all: readonly TrustedCertificate[];
}

/**
 * Decodes the certificates a CMS carries (through `cache` when given) and
 * finds the signer's. A carried certificate that does not decode is skipped
 * once the signer is known — found among the others, or `known` (the
 * certificate the caller gave): it is not the signer's, and as an untrusted
 * path candidate it could only have failed. CMS from other software carries
 * whole chains and unrelated certificates, and one twpki cannot read must not
 * refuse a signature it plays no part in. Without the signer, the failure
 * may be the signer's own certificate, so it is thrown.
 * @throws ChainValidationError `MALFORMED_CERTIFICATE` for an undecodable one while the signer is not found (callers wrap it).
 */
export function cmsCertificates(cms: CmsSignedData, cache?: CertificateCache, known?: TrustedCertificate): CmsCertificates {
  const all: TrustedCertificate[] = [];
  let undecodable: unknown;
  for (const der of cms.certificates) {
    try {
      all.push(cache === undefined ? TrustedCertificate.from(der) : cache.fromDer(der));
    } catch (err) {
      undecodable ??= err;
    }
  }
  const signer = all.find((c) => namesSigner(c, cms.signer));
  if (undecodable !== undefined && signer === undefined && known === undefined) throw undecodable;
  return { signer, all };
}

/** The carried certificates other than the signer's, decoded: untrusted intermediates for path building. */
export function otherCertificates(all: readonly TrustedCertificate[], signer: TrustedCertificate): TrustedCertificate[] {
  return all.filter((c) => c.fingerprint !== signer.fingerprint);
}
