/**
 * The pieces under `twpki/cert`'s verifiers, for tools that build their own
 * checks: chain rules and the issuing-chain cache, CRL and OCSP parsing and
 * clients, the CMS attribute and certificate OIDs.
 * An application that parses certificates and verifies logins or signed
 * documents needs only `twpki/cert`.
 * @packageDocumentation
 */
export type { ChainRule, ChainRuleContext } from './trust/chain/chain-rule.js';
export { IssuingChainCache } from './trust/chain/issuing-chain-cache.js';
export {
  algorithmRule,
  caRule,
  criticalExtensionRule,
  cycleRule,
  defaultChainRules,
  issuerKeyUsageRule,
  pathLengthRule,
  signatureRule,
  validityRule,
} from './trust/chain/rules/index.js';
export { CertificateRevocationList, type CrlEntry } from './trust/revocation/crl.js';
export type { IssuingDistributionPoint } from './trust/revocation/issuing-distribution-point.js';
export { CrlCache, verifyCrl, type CrlCacheOptions } from './trust/revocation/crl-cache.js';
export { buildOcspRequest, ocspCertId, type OcspCertId, type OcspRequestBundle } from './trust/revocation/ocsp-request.js';
export { parseOcspResponse, type OcspBasicResponse, type OcspSingleResponse } from './trust/revocation/ocsp-response.js';
export { OcspClient, OID_KP_OCSP_SIGNING, type OcspClientOptions } from './trust/revocation/ocsp-client.js';
export { CmsAttribute } from './trust/verification/cms-signed-data.js';
export {
  AccessMethodOid,
  ExtendedKeyUsageOid,
  ExtensionOid,
  GPKI_POLICY_ARC,
  GPKI_POLICY_LEVEL3,
  GpkiAttributeOid,
  GpkiSubjectTypeOid,
  NameAttributeOid,
} from './profile/oids.js';
