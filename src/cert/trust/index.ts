/**
 * Trust: chain building and validation to configured anchors, OCSP/CRL
 * revocation behind an injectable fetch, and backend verification of
 * card-signed logins (challenge, token, fixed step order).
 * @packageDocumentation
 */
export { ChainValidationError, RevocationError, type ChainErrorCode, type RevocationErrorCode } from './errors.js';
export { CHAIN_ERROR_CODES, REVOCATION_ERROR_CODES } from './errors.js';
export { AlgorithmPolicy, type DigestName, type SignatureScheme } from './algorithms.js';
export { TrustedCertificate, type BasicConstraintsValue, type KeyUsageBits } from './trusted-certificate.js';
export { TrustStore, type CertificateInput, type TrustStoreOptions } from './trust-store.js';
export {
  ChainValidator,
  type ChainValidationRequest,
  type ChainValidatorOptions,
  type ValidatedChain,
} from './chain/chain-validator.js';
export {
  httpRevocationFetch,
  type HttpRevocationFetchOptions,
  type RevocationFetch,
  type RevocationRequest,
  type RevocationResponse,
} from './revocation/revocation-fetch.js';
export type { RevocationReason, RevocationSource, RevocationStatus } from './revocation/revocation-status.js';
export {
  RevocationChecker,
  type RevocationCheckerOptions,
  type RevocationMode,
} from './revocation/revocation-checker.js';
export type { RevocationCheckOptions } from './revocation/ocsp-client.js';
export {
  InMemoryChallengeStore,
  type ChallengeRecord,
  type ChallengeStore,
  type ConsumedChallenge,
  type InMemoryChallengeStoreOptions,
} from './login/challenge-store.js';
export { ChallengeIssuer, MAX_SESSION_ID_CHARS, type ChallengeIssuerOptions, type IssuedChallenge } from './login/challenge-issuer.js';
export { buildLoginMessage, parseLoginMessage, LOGIN_MESSAGE_HEADER, type LoginMessage } from './login/login-message.js';
export { MAX_TOKEN_CHARS, type LoginToken, type SignHashAlgorithm } from './login/login-token.js';
export {
  AlgorithmNotAllowedError,
  CertificateExpiredError,
  CertificateRevokedError,
  CertificateUntrustedError,
  PolicyNotAllowedError,
  SignatureInvalidError,
  SignatureVerificationError,
  VerifierConfigurationError,
  WrongKeyUsageError,
  type SignerErrorCode,
  type VerificationStep,
} from './verification/errors.js';
export {
  ChallengeRejectedError,
  LoginConfigurationError,
  LoginVerificationError,
  SignedDataMismatchError,
  TokenFormatError,
  type LoginErrorCode,
  type LoginStep,
} from './login/errors.js';
export { LOGIN_ERROR_CODES } from './login/errors.js';
export { SIGNER_ERROR_CODES } from './verification/errors.js';
export {
  LoginVerifier,
  type LoginVerificationRequest,
  type VerifiedLogin,
} from './login/login-verifier.js';
export { isVerifiedLogin } from './login/verified-login-mark.js';
export { DEFAULT_LOGIN_POLICIES, LoginVerifierBuilder } from './login/login-verifier-builder.js';
export { DEFAULT_SIGNER_EXTENDED_KEY_USAGES, DEFAULT_SIGNER_POLICIES, MIN_RSA_BITS_FLOOR, SignerVerifierBuilder } from './verification/signer-verifier-builder.js';
export { CertificateCache, DEFAULT_CERTIFICATE_CACHE_SIZE } from './verification/certificate-cache.js';
export { DocumentFormatError, DOCUMENT_FORMAT_ERROR_CODES, type DocumentErrorCode, type DocumentFormatErrorCode, type DocumentStep } from './documents/errors.js';
export {
  MAX_SIGNATURE_INPUT_BYTES,
  type CmsSignedDocument,
  type Pkcs1SignedDocument,
  type SignedDocument,
} from './documents/signed-document.js';
export {
  SignedDocumentVerifier,
  type DocumentVerificationRequest,
  type VerifiedDocument,
} from './documents/signed-document-verifier.js';
export { SignedDocumentVerifierBuilder, type Sha1Allowance } from './documents/signed-document-verifier-builder.js';
