/**
 * Certificate profiles of Taiwan's government PKI: parse a MOICA, MOEACA,
 * GCA, XCA or HCA certificate (or any X.509 certificate) into a typed profile.
 */
export { parseCertificate } from './parse-certificate.js';
export { certificateProfileToJson } from './profile-json.js';
export { CertificateParseError, type CertificateParseErrorCode } from './errors.js';
export { CERTIFICATE_PARSE_ERROR_CODES } from './errors.js';
export type { CertificateProfile, ExtensionSummary, Validity } from './certificate-profile.js';
export type { IdentityHints, GpkiCardTypeValue } from './identity-hints.js';
export type { DistinguishedName, NameAttribute } from './distinguished-name.js';
export type { AsnStringType } from './directory-string.js';
export type { KeyUsageName } from './extensions/key-usage.js';
export type { BasicConstraints } from './extensions/basic-constraints.js';
export type { CertificatePurpose } from './certificate-purpose.js';
export type { CertificatePolicy } from './certificate-policy.js';
export type { PublicKeyInfo } from './public-key-info.js';
export type { SignatureAlgorithmInfo } from './signature-algorithm.js';
export type { GpkiSubjectKind, GpkiSubjectType } from './gpki-attributes.js';
export type { AuthorityEvidence, AuthorityInfo } from './authorities/recognise-authority.js';
export type { AuthorityId, CaGeneration } from './authorities/authority-definition.js';
