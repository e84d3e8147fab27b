/**
 * PC/SC transport: readers and hot-plug events over pcscd, card sessions,
 * APDU value types, and an in-process reader for emulated cards.
 * @packageDocumentation
 */
export { StatusWord } from './status-word.js';
export { CommandApdu, type CommandApduInit } from './command-apdu.js';
export { ResponseApdu } from './response-apdu.js';
export type { Transport, TransmitOptions, CardEmulator } from './transport.js';
export { CardChannel, MAX_FOLLOW_UP_ROUNDS } from './card-channel.js';
export {
  PcscError,
  CardRemovedError,
  PcscTimeoutError,
  ApduFormatError,
  CardProtocolError,
  mapPcscError,
  type PcscErrorCode,
} from './errors.js';
export { PCSC_ERROR_CODES } from './errors.js';
export {
  PcscContext,
  type ReaderState,
  type PcscEventMap,
  type PcscContextOptions,
  type ConnectOptions,
} from './pcsc-context.js';
export type { ServiceProbeOptions } from './service-probe.js';
export { PcscSession, type ShareMode, type CardProtocol, type Disposition } from './pcsc-session.js';
export { EmulatorReader, EmulatorSession, type EmulatorReaderOptions } from './emulator-reader.js';
