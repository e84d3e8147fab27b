/**
 * Object identifiers of Taiwan's government PKI (GPKI) that profiles read.
 *
 * Values come from real GRCA-chained certificates (see
 * docs `taiwan-cert-facts.md`, "Seen in real certificates"); where a public
 * relying party reported a different OID, the one seen on certificates wins.
 */

/** GPKI attributes carried in subjectDirectoryAttributes (2.5.29.9). */
export const GpkiAttributeOid = {
  /** Subject type, an OID value (citizen, company, group, agency). */
  subjectType: '2.16.886.1.100.2.1',
  /** Card type, a PrintableString: `primary`, `secondary`, `mobile`. */
  cardType: '2.16.886.1.100.2.2',
  /** MOICA: 4-digit hint tied to the holder's national ID (UTF8String). */
  idHint: '2.16.886.1.100.2.51',
  /** MOEACA: 統一編號, the 8-digit business ID (UTF8String). */
  businessId: '2.16.886.1.100.2.101',
  /** GCA/XCA: agency or organisation OID (OID value). */
  organizationOid: '2.16.886.1.100.2.102',
} as const;

/** Values of the GPKI subject-type attribute seen on real certificates. */
export const GpkiSubjectTypeOid = {
  /** 自然人 (citizen), MOICA. */
  citizen: '2.16.886.1.100.3.1.1',
  /** 公司 (company), MOEACA. */
  company: '2.16.886.1.100.3.2.2.1.1',
  /** 學校/團體 (school or group), XCA. */
  group: '2.16.886.1.100.3.2.11',
  /** 政府機關 (government agency), GCA. */
  agency: '2.16.886.1.100.3.3.1',
} as const;

/** GPKI certificate policy arc; the last component is the assurance level. */
export const GPKI_POLICY_ARC = '2.16.886.101.0.3';

/** The policy every GPKI issuing CA and end-entity certificate carries. */
export const GPKI_POLICY_LEVEL3 = '2.16.886.101.0.3.3';

/** X.509 extension OIDs the profile reads. */
export const ExtensionOid = {
  /** Subject directory attributes; carries the GPKI attributes. */
  subjectDirectoryAttributes: '2.5.29.9',
  /** Subject key identifier (SKI). */
  subjectKeyIdentifier: '2.5.29.14',
  /** Key usage bits. */
  keyUsage: '2.5.29.15',
  /** Subject alternative names (e-mail, DNS). */
  subjectAltName: '2.5.29.17',
  /** Basic constraints (CA flag, path length). */
  basicConstraints: '2.5.29.19',
  /** CRL distribution points (CRL URLs). */
  crlDistributionPoints: '2.5.29.31',
  /** Certificate policies (GPKI assurance level). */
  certificatePolicies: '2.5.29.32',
  /** Authority key identifier (AKI). */
  authorityKeyIdentifier: '2.5.29.35',
  /** Extended key usage. */
  extendedKeyUsage: '2.5.29.37',
  /** Authority information access (OCSP and CA-issuer URLs). */
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  /** id-pkix-ocsp-nocheck: an OCSP responder certificate that is not itself checked for revocation. */
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

/** Access methods inside authorityInfoAccess. */
export const AccessMethodOid = {
  /** OCSP responder URL. */
  ocsp: '1.3.6.1.5.5.7.48.1',
  /** URL of the issuing CA's certificate. */
  caIssuers: '1.3.6.1.5.5.7.48.2',
} as const;

/** Extended key usages a relying party commonly meets. */
export const ExtendedKeyUsageOid = {
  /** TLS server authentication. */
  serverAuth: '1.3.6.1.5.5.7.3.1',
  /** TLS client authentication. */
  clientAuth: '1.3.6.1.5.5.7.3.2',
  /** Code signing. */
  codeSigning: '1.3.6.1.5.5.7.3.3',
  /** E-mail protection (S/MIME). */
  emailProtection: '1.3.6.1.5.5.7.3.4',
  /** Trusted time-stamping. */
  timeStamping: '1.3.6.1.5.5.7.3.8',
  /** Signing OCSP responses. */
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/** Distinguished-name attribute types, short name → OID. */
export const NameAttributeOid = {
  /** Common name. */
  CN: '2.5.4.3',
  /** Surname. */
  SN: '2.5.4.4',
  /** Subject serial number (not the certificate serial). */
  serialNumber: '2.5.4.5',
  /** Country (`TW`). */
  C: '2.5.4.6',
  /** Locality. */
  L: '2.5.4.7',
  /** State or province. */
  ST: '2.5.4.8',
  /** Street address. */
  street: '2.5.4.9',
  /** Organisation. */
  O: '2.5.4.10',
  /** Organisational unit. */
  OU: '2.5.4.11',
  /** Title. */
  title: '2.5.4.12',
  /** Given name. */
  GN: '2.5.4.42',
  /** PKCS#9 emailAddress (legacy e-mail in the DN). */
  E: '1.2.840.113549.1.9.1',
  /** Domain component. */
  DC: '0.9.2342.19200300.100.1.25',
  /** User ID. */
  UID: '0.9.2342.19200300.100.1.1',
} as const;

const SHORT_NAMES: ReadonlyMap<string, string> = new Map(Object.entries(NameAttributeOid).map(([name, oid]) => [oid, name]));

/** Short name of a DN attribute OID, when it has one. */
export function nameAttributeShortName(oid: string): string | undefined {
  return SHORT_NAMES.get(oid);
}
