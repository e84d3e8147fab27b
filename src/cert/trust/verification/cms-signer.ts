import { bytesEqual } from '../../../shared/bytes.js';
import { TrustedCertificate } from '../trusted-certificate.js';
import type { CertificateCache } from './certificate-cache.js';
import type { CmsSignedData, SignerIdentifier } from './cms-signed-data.js';

/** Whether `cert` is the certificate a SignerInfo names (issuer and serial, or subject key identifier). */
export function namesSigner(cert: TrustedCertificate, signer: SignerIdentifier): boolean {
  return 'subjectKeyId' in signer
    ? cert.subjectKeyId === signer.subjectKeyId
    : cert.serialHex === signer.serialHex && bytesEqual(cert.issuerDer, signer.issuerDer);
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
 * finds the signer's.
 * @throws ChainValidationError `MALFORMED_CERTIFICATE` for an undecodable one (callers wrap it).
 */
export function cmsCertificates(cms: CmsSignedData, cache?: CertificateCache): CmsCertificates {
  const all = cms.certificates.map((c) => (cache === undefined ? TrustedCertificate.from(c) : cache.fromDer(c)));
  return { signer: all.find((c) => namesSigner(c, cms.signer)), all };
}

/** The carried certificates other than the signer's, decoded: untrusted intermediates for path building. */
export function otherCertificates(all: readonly TrustedCertificate[], signer: TrustedCertificate): TrustedCertificate[] {
  return all.filter((c) => c.fingerprint !== signer.fingerprint);
}
