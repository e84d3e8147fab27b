import { ExtensionOid } from '../../profile/oids.js';
import { readCertificate } from '../../profile/parse-certificate.js';
import { MIN_RSA_BITS_FLOOR } from '../algorithms.js';
import type { TrustedCertificate } from '../trusted-certificate.js';

/**
 * Extensions a delegated responder's certificate may mark critical: those
 * twpki reads, or which constrain nothing about signing OCSP answers. A
 * critical extension outside this set may restrict the certificate in a way
 * twpki would not enforce (RFC 5280 4.2), so the certificate is refused.
 */
const UNDERSTOOD: ReadonlySet<string> = new Set([
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.15', // keyUsage: digitalSignature required below
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.32', // certificatePolicies
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.37', // extKeyUsage: id-kp-OCSPSigning required by the caller
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
  '1.3.6.1.5.5.7.48.1.5', // id-pkix-ocsp-nocheck
]);

/**
 * Why `cert`, already found to be issued by the CA with id-kp-OCSPSigning,
 * may still not sign OCSP answers; `undefined` when it may. RFC 6960 4.2.2.2
 * and RFC 5280 4.2.1.3: a keyUsage without digitalSignature forbids
 * signatures (an absent keyUsage allows them), and an unrecognised critical
 * extension must not be ignored. An RSA key under 2048 bits is refused.
 */
export function delegatedResponderProblem(cert: TrustedCertificate): string | undefined {
  const unknown = cert.criticalExtensions.find((oid) => !UNDERSTOOD.has(oid));
  if (unknown !== undefined) return `critical extension ${unknown} is not processed`;
  if (cert.keyUsage !== undefined && !cert.keyUsage.digitalSignature) return 'its keyUsage lacks digitalSignature';
  // The floor a card's own key is held to: a weaker delegate would carry answers about every card of the CA.
  const bits = rsaBitsOf(cert);
  if (bits !== undefined && bits < MIN_RSA_BITS_FLOOR) return `its RSA key has ${bits} bits, fewer than ${MIN_RSA_BITS_FLOOR}`;
  return undefined;
}

/** The modulus size of an RSA key; `undefined` for another kind of key, or one Node cannot load (refused later). */
function rsaBitsOf(cert: TrustedCertificate): number | undefined {
  try {
    const key = cert.publicKey();
    return key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the delegate carries id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1):
 * the CA's word that its revocation is not to be checked. Without it the
 * delegate's own status is looked up before its answer is used. Read from the
 * certificate's extension list (the trust fields leave it out); once per
 * response, on the path that has just waited for the responder anyway.
 */
export function hasOcspNoCheck(cert: TrustedCertificate): boolean {
  return readCertificate(cert.der).extensions.some((e) => e.oid === ExtensionOid.ocspNoCheck);
}
