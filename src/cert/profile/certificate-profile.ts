import type { AuthorityInfo } from './authorities/recognise-authority.js';
import type { CertificatePolicy } from './certificate-policy.js';
import type { CertificatePurpose } from './certificate-purpose.js';
import type { DistinguishedName } from './distinguished-name.js';
import type { BasicConstraints } from './extensions/basic-constraints.js';
import type { KeyUsageName } from './extensions/key-usage.js';
import type { IdentityHints } from './identity-hints.js';
import type { PublicKeyInfo } from './public-key-info.js';
import type { SignatureAlgorithmInfo } from './signature-algorithm.js';

/** Validity period. */
export interface Validity {
  /** First instant the certificate is valid. */
  readonly notBefore: Date;
  /** Last instant the certificate is valid (inclusive). */
  readonly notAfter: Date;
}

/** One extension present in the certificate. */
export interface ExtensionSummary {
  /** Extension OID in dotted form (e.g. `2.5.29.15`). */
  readonly oid: string;
  /** Whether the extension is marked critical. */
  readonly critical: boolean;
  /** Whether the profile decodes it (unknown extensions are listed, not interpreted). */
  readonly known: boolean;
}

/** A certificate of Taiwan's GPKI (or any X.509 certificate), decoded into what relying parties use. */
export interface CertificateProfile {
  /** Which CA it belongs to, its generation, and whether that CA is a test CA. */
  readonly authority: AuthorityInfo;
  /** X.509 version (1–3). */
  readonly version: number;
  /**
   * 憑證序號: the serial number in upper-case hex, without sign padding or leading zero octets; a negative one
   * (which RFC 5280 forbids, but a CA may have issued) is its magnitude after a `-`, as OpenSSL prints it.
   */
  readonly serialNumber: string;
  /** The holder's distinguished name. */
  readonly subject: DistinguishedName;
  /** The issuing CA's distinguished name. */
  readonly issuer: DistinguishedName;
  /** Issuer and subject DNs are byte-identical (a root or self-issued certificate). */
  readonly selfIssued: boolean;
  /** Validity period. */
  readonly validity: Validity;
  /** Holder identity hints from the GPKI attributes and the subject. */
  readonly identity: IdentityHints;
  /** keyUsage bits; undefined when the extension is absent. */
  readonly keyUsage: readonly KeyUsageName[] | undefined;
  /** Whether keyUsage is marked critical. */
  readonly keyUsageCritical: boolean;
  /** extKeyUsage OIDs (empty when absent). */
  readonly extendedKeyUsage: readonly string[];
  /** SIGN vs KEYX vs CA. */
  readonly purpose: CertificatePurpose;
  /** basicConstraints; undefined when the extension is absent. */
  readonly basicConstraints: BasicConstraints | undefined;
  /** Policies with GPKI assurance levels. */
  readonly policies: readonly CertificatePolicy[];
  /** Highest GPKI assurance level (0–4) among the policies. */
  readonly assuranceLevel: number | undefined;
  /** CRL URIs from cRLDistributionPoints (empty when absent). */
  readonly crlUrls: readonly string[];
  /** OCSP responder URIs from authorityInfoAccess (empty when absent). */
  readonly ocspUrls: readonly string[];
  /** Issuer-certificate URIs (caIssuers) from authorityInfoAccess (empty when absent). */
  readonly caIssuersUrls: readonly string[];
  /** SKI, upper-case hex. */
  readonly subjectKeyId: string | undefined;
  /** AKI keyIdentifier, upper-case hex. */
  readonly authorityKeyId: string | undefined;
  /** E-mail addresses from subjectAltName (and a legacy DN emailAddress). */
  readonly emails: readonly string[];
  /** DNS names from subjectAltName (GCA server certificates). */
  readonly dnsNames: readonly string[];
  /** The subject public key. */
  readonly publicKey: PublicKeyInfo;
  /** The algorithm the issuer signed the certificate with. */
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  /** Every extension present, in certificate order. */
  readonly extensions: readonly ExtensionSummary[];
  /** The certificate DER. */
  readonly der: Uint8Array;
}
