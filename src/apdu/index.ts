/**
 * The HiCOS command set: generation detection, PKCS#15 directories,
 * certificates and card number, protected PIN verification (Gen1 3DES,
 * Gen2 SCP03), and RSA signing/decryption on the card.
 *
 * This entry is what an application uses. The protocol pieces underneath (file
 * identifiers, PKCS#15 record parsers, the Gen1 PIN block, SCP03 key derivation
 * and sessions, PKCS#1 blocks) are in `twpki/apdu/advanced`, for tools that
 * speak HiCOS themselves.
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
  type PinFormatRule,
  LastTryGuardError,
  MalformedResponseError,
  NotHiCOSCardError,
  PinRejectedError,
} from './errors.js';
export { HICOS_ERROR_CODES } from './errors.js';
export { type HiCOSGeneration } from './generation.js';
export { KNOWN_HICOS_ATRS, type KnownAtr, recogniseAtr } from './known-atrs.js';
export { detectGeneration } from './detect-generation.js';
export { DEFAULT_PIN_POLICY, type DateShapedPin, type PinCharset, type PinPolicy } from './pin/pin-policy.js';
export { defaultRetryCounterStore, RetryCounterStore } from './pin/retry-counter-store.js';
export { retryCounterKey } from './pin/pin-card-key.js';
export { FileRetryCounterStore, type FileRetryCounterStoreOptions } from './pin/file-retry-counter-store.js';
export { type PinTokenFlags, pinTokenFlags } from './pin/pin-token-flags.js';
export type { PinLocked, PinOk, PinVerifyResult, PinWrong } from './pin/verify-status.js';
export { type SignatureHash } from './pkcs1/signature-hash.js';
export { type CertificateUsage } from './pkcs15/certificate-usage.js';
export { type Scp03CardIdSource, type Scp03CounterPolicy, type Scp03Options } from './secure-channel/scp03-options.js';
