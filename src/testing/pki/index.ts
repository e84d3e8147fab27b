/**
 * A generated test PKI mimicking Taiwan's GPKI (GRCA root, MOICA/MOEACA/GCA/
 * XCA/HCA issuing CAs and card holders' SIGN/KEYX certificates).
 */
export { createTestPki } from './create-test-pki.js';
export { TestPkiError, type TestPkiErrorCode } from './errors.js';
export { TEST_PKI_ERROR_CODES } from './errors.js';
export {
  TEST_AUTHORITIES,
  type CardHolderCredentials,
  type CardHolderOptions,
  type CertificateOptions,
  type GpkiAttributesSpec,
  type GpkiCardType,
  type IssuedCertificate,
  type KeyUsageName,
  type NameAttributeSpec,
  type NameSpec,
  type NameStringEncoding,
  type RawExtensionSpec,
  type TestAuthority,
  type TestCa,
  type TestPki,
  type TestPkiOptions,
} from './types.js';
export {
  DEFAULT_TEST_AGENCY_OID,
  DEFAULT_TEST_BUSINESS_ID,
  DEFAULT_TEST_GROUP_OID,
  TEST_ROOT_NAME,
} from './test-authorities.js';
export { buildName } from './name-builder.js';
export { type UseTestKeyPoolOptions, useTestKeyPool } from './key-pool.js';
export { generateTestKeyPool } from './rsa-keys.js';
