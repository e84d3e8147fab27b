import type { KeyObject } from 'node:crypto';
import type { Scp03CounterPolicy } from '../../apdu/secure-channel/scp03-options.js';

/** A key pair and its certificate, as the virtual card holds it. */
export interface VirtualCardKeyPair {
  /** DER certificate. */
  certificate: Uint8Array;
  /** RSA-2048 private key. */
  privateKey: KeyObject;
}

/** What the virtual card stores: its two user keys and any CA certificates. */
export interface VirtualCardCredentials {
  /** Signing key (iD `SIGN`, label `cert1`). */
  sign: VirtualCardKeyPair;
  /** Key-exchange / decryption key (iD `KEYX`, label `cert2`). */
  keyx: VirtualCardKeyPair;
  /** CA certificates to store too (issuing CA, then root), labelled `CACert`, `ROOTCACert`. */
  caCertificates?: Uint8Array[];
}

/** Behaviours a test can switch on to exercise host-side handling. */
export interface VirtualCardQuirks {
  /**
   * Answer every response that has data with `61xx` and hand the data out by
   * GET RESPONSE (T=0 style), so the transport's follow-up runs.
   */
  responseChaining?: boolean;
  /**
   * Answer `6Cxx` (with the right length) when Le does not match what is
   * there, instead of returning the shorter data with `6282`.
   */
  wrongLengthRetry?: boolean;
  /**
   * Answer `6700` (wrong length, no further indication) when Le runs past the end of what is there, instead of
   * returning the shorter data with `6282`: ISO 7816-4 allows it, and Java Card applets answer so
   * (`SW_WRONG_LENGTH`). A read at or past the end still gets `6B00`. Not with `wrongLengthRetry`.
   */
  wrongLengthError?: boolean;
  /**
   * Answer `6987` to any READ BINARY asking for more than 16 bytes, the way
   * some card made the official middleware retry with Le `10`. Whether real
   * HiCOS cards do this, and why, is unknown.
   */
  refuseLargeReads?: boolean;
}

/**
 * What the Gen2 applet does with a plain (non-SM) command while an SCP03
 * session is open (unknown for real HiCOS cards): `'accept'` processes it
 * and keeps the session (GlobalPlatform allows this); `'refuse'` answers
 * `6982` and drops the session, as a strict applet may. SELECT by AID (which
 * ends the session anyway) and GET RESPONSE are always processed.
 */
export type PlainCommandsDuringSecureMessaging = 'accept' | 'refuse';

/**
 * Gen2: how the applet answers SELECT FID `3F00`, which the facts never give for Gen2 (they give the applet AID as
 * the entry and say "path `7FFF` means the applet"): `'applet-root'` selects the applet root, like `7FFF`;
 * `'not-found'` answers `6A82`, so that only `7FFF` and the applet AID reach the root.
 */
export type Gen2SelectMf = 'applet-root' | 'not-found';

/**
 * Where the version EF `0905` lives (unknown for real cards):
 * `'card-number-df'` beside the card number in DF `0900`, `'root'` directly
 * under the MF / applet root, `'none'` nowhere.
 */
export type VirtualVersionLocation = 'card-number-df' | 'root' | 'none';

/**
 * The card-number EF `0900/0903` (whether every HiCOS card has it, and whether one can be left blank, is not
 * documented): `'present'` holds `cardNumber`; `'no-ef'` DF `0900` without EF `0903` (its SELECT answers `6A82`);
 * `'no-df'` no DF `0900` at all (`6A82` to its SELECT, so a version EF can only be at the root); `'unreadable'` the
 * EF is there but READ BINARY answers `6982`. Blank, as a file never written may be: `'blank-00'` and `'blank-ff'`
 * the EF holds as many bytes as `cardNumber` has, every one `00` or `FF`; `'empty'` the EF holds no bytes (READ
 * BINARY at offset 0 answers `6B00`).
 */
export type VirtualCardNumberFile = 'present' | 'no-ef' | 'no-df' | 'unreadable' | 'blank-00' | 'blank-ff' | 'empty';

/**
 * Gen1: how a public-key record orders the number's bytes. The facts say "stored as reversed 32-bit words":
 * `'reversed-words'` reads that as the big-endian bytes cut into 32-bit words, least significant word first, each
 * word's bytes kept in order; `'reversed-bytes'` as every byte reversed (little-endian, as a little-endian CPU would
 * store 32-bit limbs).
 */
export type Gen1PublicKeyByteOrder = 'reversed-words' | 'reversed-bytes';

/**
 * Gen2: how the two public-key reads order the number's bytes: `'big-endian'` as Java Card's `RSAPublicKey`
 * `getModulus`/`getExponent` write them, or `'reversed-words'` as Gen1 does.
 */
export type Gen2PublicKeyByteOrder = 'big-endian' | 'reversed-words';

/**
 * The EF that must be current for a public-key read: `'none'` answers whatever is selected (or nothing), `'0810'`
 * the key EF, `'0811'` the EF the middleware was seen selecting for them, `'0810-or-0811'` either. Otherwise `6986`.
 */
export type PublicKeyReadFile = 'none' | '0810' | '0811' | '0810-or-0811';

/**
 * Gen2: over which channel the applet answers a public-key read: `'either'` plain (CLA `80`) or under SCP03 (CLA
 * `84`); `'plain'` only, `6882` under SCP03; `'secure-messaging'` only, `6982` for a plain one.
 */
export type Gen2PublicKeyReadChannel = 'either' | 'plain' | 'secure-messaging';

/**
 * How the card answers the official middleware's public-key reads (READ RECORD, INS `B2`), which the facts give
 * as commands only: Gen1 `80 B2 <record> 00 81` (the exponent in record keyRef, the modulus halves in records
 * keyRef+2 and keyRef+3), Gen2 `80 B2 <keyRef> 03 00` and `04 00`. Each thing they leave open is a setting here,
 * so a host or middleware can be run against every plausible card; the defaults are documented guesses.
 *
 * A record is always the public key of the key pair the card holds under that reference (the one its private-key
 * operation uses), which is the certificate's key for every holder the test PKI issues. Le: a shorter Le gets the
 * first Le bytes; Le `00` (the maximum) the whole record; a longer exact Le the whole record with `6282`, or `6Cxx`
 * with the `wrongLengthRetry` quirk, as READ BINARY does. No PIN is needed.
 */
export interface VirtualPublicKeyReads {
  /** Gen1 byte order (default `'reversed-words'`). */
  gen1ByteOrder?: Gen1PublicKeyByteOrder;
  /**
   * Gen1: each record starts with one length byte (`80`, the 128 bytes that follow), so that Le `81` reads it
   * whole (default `true`); `false` makes 128-byte records. Either way the exponent record is the exponent as a
   * 128-byte number, zero-filled, in the same byte order, and the modulus records are the first and second 128
   * bytes of the ordered modulus (with a reversed order, the least significant half comes first).
   */
  gen1LengthPrefix?: boolean;
  /** Gen2 byte order (default `'big-endian'`). */
  gen2ByteOrder?: Gen2PublicKeyByteOrder;
  /** Gen2: the P2 that reads the 256-byte modulus; the other of `03`/`04` reads the exponent (default `3`). */
  gen2ModulusP2?: 3 | 4;
  /** The EF that must be current (default `'none'`). */
  requiredFile?: PublicKeyReadFile;
  /** Gen2: plain, secured or both (default `'either'`). */
  gen2Channel?: Gen2PublicKeyReadChannel;
  /**
   * Status word for a record (Gen1) or key reference (Gen2) that holds no key (default `0x6A83`, record not
   * found); an error status `0x6400`–`0x6FFF` other than `6Cxx`. A P2 the read does not use answers `6A86`.
   */
  missingKeyStatus?: number;
}

/** Key references the virtual card lists in its PrKDF. */
export interface VirtualCardKeyRefs {
  /** Reference of the SIGN key. */
  sign: number;
  /** Reference of the KEYX key. */
  keyx: number;
}

/** Options of `VirtualHiCOSCard`. */
export interface VirtualHiCOSCardOptions {
  /** Card generation (default 1). */
  generation?: 1 | 2;
  /** User PIN (default `123456`). */
  pin?: string;
  /** 卡號, 16 ASCII characters (default `TP03000012345678`). */
  cardNumber?: string;
  /**
   * Whether the card has its card-number EF and how (default `'present'`); see {@link VirtualCardNumberFile}. With
   * `'no-df'`, `versionLocation: 'card-number-df'` is `BAD_OPTIONS` (there is no such DF to put it in).
   */
  cardNumberFile?: VirtualCardNumberFile;
  /** Keys and certificates. */
  credentials: VirtualCardCredentials;
  /** Tries a correct PIN restores and the counter starts at (default 3). */
  pinTryLimit?: number;
  /** Starting tries left (default `pinTryLimit`); 0 makes a locked card. */
  pinTriesLeft?: number;
  /** Answer-to-reset (default: the listed Gen1 `CHTMOICA` or Gen2 `CHTGPKIJ` ATR). */
  atr?: Uint8Array;
  /** Version EF content (default `CHT V32N` for Gen1; `CHT GPPKI` for Gen2, an assumption). */
  version?: string;
  /** Gen2 card ID returned by GET DATA `0045` (10 bytes; default derived from the card number). */
  cardId?: Uint8Array;
  /**
   * Gen2: key diversification data in the INITIALIZE UPDATE answer (10
   * bytes). Unknown whether real cards put the card ID there; default: the
   * card ID. The host never relies on it (it uses GET DATA `0045`).
   */
  diversificationData?: Uint8Array;
  /** Gen2: SCP03 encryption counter stepping; must match the host (default `'every-command'`). */
  counterPolicy?: Scp03CounterPolicy;
  /** Key references in the PrKDF (default SIGN `01`, KEYX `11`). */
  keyRefs?: VirtualCardKeyRefs;
  /**
   * Key references the card actually holds the keys under (default:
   * `keyRefs`). A card whose PrKDF disagrees answers `6A88` to the
   * private-key operation.
   */
  heldKeyRefs?: VirtualCardKeyRefs;
  /**
   * P2 of the user PIN (default `01`); VERIFY with another reference answers `6A88` and costs a try of the user PIN
   * (a real card burns tries when references are walked), a status probe under it nothing.
   */
  pinReference?: number;
  /**
   * How the card answers public-key reads (READ RECORD `B2`); see {@link VirtualPublicKeyReads}. A `gen1*` setting
   * on a Gen2 card (or `gen2*` on Gen1) is `BAD_OPTIONS`: it would never be used. A setting given as `undefined`
   * keeps its default.
   */
  publicKeyReads?: VirtualPublicKeyReads;
  /** Gen2: plain commands during an SCP03 session (default `'accept'`). */
  plainCommandsDuringSecureMessaging?: PlainCommandsDuringSecureMessaging;
  /**
   * Gen2: how the applet answers SELECT `3F00` (default `'applet-root'`); see {@link Gen2SelectMf}. On a Gen1 card
   * (whose MF is `3F00`) it is `BAD_OPTIONS`.
   */
  gen2SelectMf?: Gen2SelectMf;
  /** Where EF `0905` sits (default `'card-number-df'`; `'none'` with `cardNumberFile: 'no-df'`). */
  versionLocation?: VirtualVersionLocation;
  /** Answer the ISO "VERIFY with no data" probe with the counter (default `true`). */
  supportsStatusProbe?: boolean;
  /** Host-handling test switches. */
  quirks?: VirtualCardQuirks;
  /** Random source for card challenges (default `crypto.randomBytes`). */
  random?: (length: number) => Uint8Array;
  /**
   * Most exchanges `log` keeps, the latest ones (default 10,000: some 300 full card reads of 34
   * exchanges and about 20 KB each). A harness that runs for days would otherwise hold every APDU it
   * ever sent. `apduCount` still counts every exchange; `Infinity` keeps them all.
   */
  logLimit?: number;
}
