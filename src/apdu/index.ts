/**
 * The HiCOS command set: generation detection, PKCS#15 directories,
 * certificates and card number, protected PIN verification (Gen1 3DES,
 * Gen2 SCP03), and RSA signing/decryption on the card.
 * @packageDocumentation
 */
export { HiCOSCard } from './hicos-card.js';
// The façade's option and result types (card-types holds nothing else).
export type * from './card-types.js';
export {
  CardStatusError,
  HiCOSError,
  type HiCOSErrorCode,
  InvalidPinFormatError,
  LastTryGuardError,
  MalformedResponseError,
  NotHiCOSCardError,
  PinRejectedError,
} from './errors.js';
export { HICOS_ERROR_CODES } from './errors.js';
export { type HiCOSGeneration } from './generation.js';
export { KNOWN_HICOS_ATRS, type KnownAtr, recogniseAtr } from './known-atrs.js';
export { detectGeneration } from './detect-generation.js';
export { CARD_NUMBER_PATH, type FileId, HiCOSFile, VERSION_PATH } from './commands/file-id.js';
export { GEN2_APPLET_AID } from './commands/select.js';
export { READ_CHUNK } from './commands/read-binary.js';
export { DEFAULT_PIN_POLICY, type PinCharset, type PinPolicy } from './pin/pin-policy.js';
export { defaultRetryCounterStore, RetryCounterStore } from './pin/retry-counter-store.js';
export { FileRetryCounterStore } from './pin/file-retry-counter-store.js';
export { type PinTokenFlags, pinTokenFlags } from './pin/pin-token-flags.js';
export type { PinLocked, PinOk, PinVerifyResult, PinWrong } from './pin/verify-status.js';
export { type SignatureHash } from './pkcs1/signature-hash.js';
export { type CertificateUsage } from './pkcs15/certificate-usage.js';
export { type CertificateDirectoryEntry, parseCertificateRecord } from './pkcs15/certificate-directory.js';
export { parsePrivateKeyRecord, type PrivateKeyDirectoryEntry } from './pkcs15/private-key-directory.js';
export { parseTokenInfo, type TokenInfo } from './pkcs15/token-info.js';
export { splitTlvRecords, type TlvRecordSplit } from './pkcs15/tlv-records.js';
export { aesCmac } from './crypto/aes-cmac.js';
export { Scp03Constant, type Scp03DerivationConstant, scp03Kdf } from './crypto/scp03-kdf.js';
export {
  deriveScp03SessionKeys,
  scp03CardCryptogram,
  scp03HostCryptogram,
  type Scp03SessionKeys,
  type Scp03StaticKeys,
} from './crypto/scp03-session-keys.js';
export {
  diversifyHiCOSStaticKeys,
  HICOS_ISD_AID,
  HICOS_ISD_CM_AID,
  unwrapHiCOSMasterKey,
} from './crypto/hicos-static-keys.js';
export { decryptGen1PinBlock, encryptGen1PinBlock, GEN1_PIN_KEY } from './crypto/gen1-pin-block.js';
export { type Scp03CardIdSource, type Scp03CounterPolicy, type Scp03Options } from './secure-channel/scp03-options.js';
export { Scp03Session, type Scp03SessionCounter } from './secure-channel/scp03-session.js';
export { pkcs1SignatureBlock, removePkcs1Type2Padding } from './pkcs1/encryption-block.js';
