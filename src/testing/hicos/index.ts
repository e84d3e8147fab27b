/**
 * A virtual HiCOS card (Gen1 and Gen2) for tests and demos.
 * @packageDocumentation
 */
export { VirtualHiCOSCard, type ApduLogEntry } from './virtual-hicos-card.js';
export type {
  PlainCommandsDuringSecureMessaging,
  VirtualCardCredentials,
  VirtualCardKeyPair,
  VirtualCardKeyRefs,
  VirtualCardQuirks,
  VirtualHiCOSCardOptions,
  VirtualVersionLocation,
} from './virtual-card-options.js';
export {
  createVirtualHiCOSCard,
  type CreateVirtualHiCOSCardOptions,
  type VirtualCardProfile,
} from './create-virtual-hicos-card.js';
export { GEN1_ATR, GEN2_ATR } from './hicos-atrs.js';
export { CERT_SLOT } from './card-layout.js';
export { minimumReadApdus } from './minimum-read-apdus.js';
// Former spellings, kept so code written against them keeps compiling; use the `HiCOS…` names.
export { VirtualHiCOSCard as VirtualHicosCard } from './virtual-hicos-card.js';
export { createVirtualHiCOSCard as createVirtualHicosCard } from './create-virtual-hicos-card.js';
export type { VirtualHiCOSCardOptions as VirtualHicosCardOptions } from './virtual-card-options.js';
export type { CreateVirtualHiCOSCardOptions as CreateVirtualHicosCardOptions } from './create-virtual-hicos-card.js';
