/**
 * A virtual HiCOS card (Gen1 and Gen2) for tests and demos.
 * @packageDocumentation
 */
export { VirtualHiCOSCard, type ApduLogEntry } from './virtual-hicos-card.js';
export type {
  Gen1PublicKeyByteOrder,
  Gen2PublicKeyByteOrder,
  Gen2PublicKeyReadChannel,
  Gen2SelectMf,
  PlainCommandsDuringSecureMessaging,
  PublicKeyReadFile,
  VirtualCardCredentials,
  VirtualCardKeyPair,
  VirtualCardKeyRefs,
  VirtualCardNumberFile,
  VirtualCardQuirks,
  VirtualHiCOSCardOptions,
  VirtualPublicKeyReads,
  VirtualVersionLocation,
} from './virtual-card-options.js';
export {
  createVirtualHiCOSCard,
  type CreateVirtualHiCOSCardOptions,
  type VirtualCardProfile,
} from './create-virtual-hicos-card.js';
export { virtualCardCredentials } from './card-credentials.js';
export { GEN1_ATR, GEN2_ATR } from './hicos-atrs.js';
export { CERT_SLOT } from './card-layout.js';
export { minimumReadApdus } from './minimum-read-apdus.js';
