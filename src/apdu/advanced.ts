/**
 * The HiCOS protocol pieces under `twpki/apdu`'s card API, for tools that speak
 * HiCOS themselves (card emulators, traffic analysers, conformance tests): file
 * identifiers, PKCS#15 record parsers, the Gen1 PIN block, SCP03 key derivation
 * and sessions, PKCS#1 blocks. An application that reads cards, verifies PINs
 * and signs needs only `twpki/apdu`.
 * @packageDocumentation
 */
export { CARD_NUMBER_PATH, type FileId, HiCOSFile, VERSION_PATH } from './commands/file-id.js';
export { GEN2_APPLET_AID } from './commands/select.js';
export { READ_CHUNK } from './commands/read-binary.js';
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
export { Scp03Session, type Scp03SessionCounter } from './secure-channel/scp03-session.js';
export { pkcs1SignatureBlock, removePkcs1Type2Padding } from './pkcs1/encryption-block.js';
