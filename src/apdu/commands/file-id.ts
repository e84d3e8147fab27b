/** A 2-byte ISO 7816-4 file identifier, e.g. `0x5030`. */
export type FileId = number;

/** Known HiCOS file identifiers (both generations; Gen2 under the applet). */
export const HiCOSFile = {
  /** Master file (Gen2: the applet's root). */
  MF: 0x3f00,
  /** Path alias that means "the applet" on Gen2. */
  APPLET: 0x7fff,
  /** EF.DIR (PKCS#15 application, label 中華電信研究所). */
  DIR: 0x2f00,
  /** DF holding the PKCS#15 directories, certificates and keys. */
  PKCS15_DF: 0x5030,
  /** Object directory: absent on HiCOS (`6A82`). */
  ODF: 0x5015,
  /** PKCS#15 TokenInfo. */
  TOKEN_INFO: 0x5032,
  /** Private-key directory. */
  PRKDF: 0x4100,
  /** Public-key directory. */
  PUKDF: 0x4101,
  /** Certificate directory. */
  CDF: 0x4104,
  /** Data-object directory. */
  DODF: 0x4107,
  /** Authentication-object directory (unconfirmed). */
  AODF: 0x4108,
  /** The one EF holding every certificate. */
  CERTIFICATES: 0x08f2,
  /** Key EF; selected before VERIFY (Gen1) and private-key operations. */
  KEYS: 0x0810,
  /** Data objects. */
  DATA_OBJECTS: 0x0870,
  /** DF holding the card number. */
  CARD_NUMBER_DF: 0x0900,
  /** Card number (卡號), 16 ASCII bytes. */
  CARD_NUMBER: 0x0903,
  /** Version string (`CHT V32N` on Gen1). */
  VERSION: 0x0905,
} as const;

/**
 * Where the version EF `0905` lives is not settled by public captures; this
 * SDK (and its virtual card) put it beside the card number, in DF `0900`.
 */
export const VERSION_PATH: readonly FileId[] = [HiCOSFile.CARD_NUMBER_DF, HiCOSFile.VERSION];

/** Path of the card number EF below the MF / applet root. */
export const CARD_NUMBER_PATH: readonly FileId[] = [HiCOSFile.CARD_NUMBER_DF, HiCOSFile.CARD_NUMBER];

/** Two big-endian bytes of a file identifier. */
export function fileIdBytes(fid: FileId): Uint8Array {
  if (!Number.isInteger(fid) || fid < 0 || fid > 0xffff) throw new RangeError(`file ID must be 0..FFFF, got ${fid}`);
  return Uint8Array.of(fid >> 8, fid & 0xff);
}
