import { bytesEqual } from '../../../shared/bytes.js';
import { nameMatchKey } from '../name-equality.js';
import { TrustedCertificate } from '../trusted-certificate.js';
import type { CertificateCache } from './certificate-cache.js';
import type { CmsSignedData, SignerIdentifier } from './cms-signed-data.js';

/**
 * The largest SignerInfo issuer name compared by meaning (bytes are always
 * compared). Real names are a few hundred bytes; the SignerInfo is not signed,
 * so a forged one could otherwise be prepared once per carried certificate.
 */
const MAX_COMPARED_NAME_BYTES = 16 * 1024;

/**
 * Whether `cert` is the certificate a SignerInfo names (issuer and serial, or
 * subject key identifier). The issuer is compared as chain building compares
 * names (RFC 5280 7.1, byte-identical first): the SignerInfo's copy is not
 * signed, and encoders that rebuild it from the parsed name (another string
 * type, case) name the same certificate — OpenSSL finds it too. Only which
 * certificate is tried changes: its key must still verify the signature.
 */
export function namesSigner(cert: TrustedCertificate, signer: SignerIdentifier): boolean {
  // The usual SignerInfo names its certificate byte for byte: answered without the lists of the general search.
  if (!('subjectKeyId' in signer) && cert.serialHex === signer.serialHex && bytesEqual(cert.issuerDer, signer.issuerDer)) return true;
  return signerAmong([cert], signer) !== undefined;
}

/**
 * The certificate of `certs` a SignerInfo names: by subject key identifier,
 * or by serial and an issuer with the same bytes, and only when none has
 * those, by serial and an issuer equal by meaning (so a certificate named
 * byte for byte wins over a look-alike). The SignerInfo's issuer is prepared
 * once, each carried issuer at most once.
 */
function signerAmong(certs: readonly TrustedCertificate[], signer: SignerIdentifier): TrustedCertificate | undefined {
  if ('subjectKeyId' in signer) return certs.find((c) => c.subjectKeyId === signer.subjectKeyId);
  const sameSerial = certs.filter((c) => c.serialHex === signer.serialHex);
  const exact = sameSerial.find((c) => bytesEqual(c.issuerDer, signer.issuerDer));
  if (exact !== undefined || sameSerial.length === 0 || signer.issuerDer.length > MAX_COMPARED_NAME_BYTES) return exact;
  const wanted = nameMatchKey(signer.issuerDer);
  if (wanted === undefined) return undefined;
  const keys = new Map<string, string | undefined>();
  return sameSerial.find((c) => {
    const bytes = Buffer.from(c.issuerDer).toString('latin1');
    if (!keys.has(bytes)) keys.set(bytes, nameMatchKey(c.issuerDer));
    return keys.get(bytes) === wanted;
  });
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
  const signer = signerAmong(all, cms.signer);
  if (undecodable !== undefined && signer === undefined && known === undefined) throw undecodable;
  return { signer, all };
}

/** The carried certificates other than the signer's, decoded: untrusted intermediates for path building. */
export function otherCertificates(all: readonly TrustedCertificate[], signer: TrustedCertificate): TrustedCertificate[] {
  return all.filter((c) => c.fingerprint !== signer.fingerprint);
}
