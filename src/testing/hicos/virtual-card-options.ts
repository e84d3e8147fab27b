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
 * Where the version EF `0905` lives (unknown for real cards):
 * `'card-number-df'` beside the card number in DF `0900`, `'root'` directly
 * under the MF / applet root, `'none'` nowhere.
 */
export type VirtualVersionLocation = 'card-number-df' | 'root' | 'none';

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
  /** Gen2: plain commands during an SCP03 session (default `'accept'`). */
  plainCommandsDuringSecureMessaging?: PlainCommandsDuringSecureMessaging;
  /** Where EF `0905` sits (default `'card-number-df'`). */
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
