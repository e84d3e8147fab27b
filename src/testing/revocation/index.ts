/**
 * Revocation test support: a local OCSP responder and CRL server on
 * 127.0.0.1, and builders for CRLs and OCSP responses.
 * @packageDocumentation
 */
export { LocalRevocationServer, type KeyedCertificate, type OcspBehaviour } from './local-revocation-server.js';
export { buildCrl } from './crl-builder.js';
export type { BuildCrlOptions, TestCrlEntry, TestIssuingDistributionPoint } from './crl-options.js';
export {
  buildOcspErrorResponse,
  buildOcspResponse,
  type BuildOcspResponseOptions,
  type TestOcspSingle,
  type TestOcspStatus,
} from './ocsp-response-builder.js';
export type { TestSignatureHash } from './signing.js';
