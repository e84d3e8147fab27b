import type { HiCOSGeneration } from './generation.js';
import type { KnownAtr } from './known-atrs.js';
import type { PinPolicy } from './pin/pin-policy.js';
import type { RetryCounterStore } from './pin/retry-counter-store.js';
import type { SignatureHash } from './pkcs1/signature-hash.js';
import type { CertificateUsage } from './pkcs15/certificate-usage.js';
import type { Scp03Options } from './secure-channel/scp03-options.js';

/** Options of {@link HiCOSCard.open}; fixed for the card object's life. */
export interface HiCOSCardOptions {
  /** Local PIN rules (default 6–8 printable ASCII characters). */
  pinPolicy?: Partial<PinPolicy>;
  /** Where last known retry counts live (default: one store per process). */
  retryStore?: RetryCounterStore;
  /**
   * Tries a correct PIN restores (default 3, MOICA's limit; a whole number 2–15). The card does
   * not report it; it is what `lastKnownRetries` shows after a success.
   */
  pinTryLimit?: number;
  /** Gen2 secure-channel choices the public captures leave open. */
  scp03?: Scp03Options;
  /** Allow SHA-1 signatures (off by default). */
  allowSha1?: boolean;
  /**
   * Allow {@link HiCOSCard.probePinStatus}, the ISO "VERIFY with no data"
   * probe. Off by default: unconfirmed on HiCOS, and MOICA warns that
   * unofficial PIN handling can lock cards.
   */
  enableStatusProbe?: boolean;
}

/** A certificate stored on the card. */
export interface CardCertificate {
  /** CDF label (`cert1`, `cert2`, `CACert`, …). */
  readonly label: string;
  /** CDF iD as lower-case hex (`5349474e` = `SIGN`). */
  readonly id: string;
  /** What the certificate is for. */
  readonly usage: CertificateUsage;
  /** The DER certificate. */
  readonly der: Uint8Array;
}

/** A private key the card holds, from the PrKDF. */
export interface CardPrivateKey {
  /** PrKDF label. */
  readonly label: string;
  /** iD as lower-case hex; equals its certificate's iD. */
  readonly id: string;
  /** SIGN / KEYX by iD, else OTHER. */
  readonly usage: CertificateUsage;
  /** Key reference sent in P2 of EA. */
  readonly keyRef: number;
  /** Modulus size in bits. */
  readonly modulusBits: number;
}

/** What {@link HiCOSCard.info} reports; none of it needs a PIN. */
export interface HiCOSCardInfo {
  /** Reader name. */
  readonly readerName: string;
  /** Answer-to-reset. */
  readonly atr: Uint8Array;
  /** Entry of the known-ATR list, when the ATR is listed. */
  readonly knownAtr: KnownAtr | undefined;
  /** Card generation. */
  readonly generation: HiCOSGeneration;
  /**
   * 卡號: 16 ASCII characters from EF `0900/0903`; empty when the card has no such file (whether every HiCOS card
   * has it is not documented). Such a card's PIN try count is kept by a digest of its SIGN certificate.
   */
  readonly cardNumber: string;
  /**
   * Version string from EF `0905` (e.g. `CHT V32N`), looked for in DF
   * `0900` and then under the MF (where it lives is unknown); empty when the
   * card has it in neither place.
   */
  readonly version: string;
  /** Certificates in CDF order. */
  readonly certificates: readonly CardCertificate[];
}

/**
 * What ends a PIN-verified state the SDK left on the card when the session that presented the PIN ends: `reset`
 * (the default wherever twpki ends a session: SCARD_RESET_CARD, so no later connection, another program's
 * included, finds the card verified) or `leave` (SCARD_LEAVE_CARD: the card stays verified until it is reset or
 * removed, for setups whose other programs rely on that). See {@link HiCOSCard.pinVerifiedOnCard}.
 */
export type AfterPin = 'reset' | 'leave';

/** Options of PIN-presenting calls. */
export interface PinOptions {
  /**
   * Send the VERIFY even though the last known count is 1 (a wrong PIN then
   * locks the card). Default `false`: the SDK refuses with `LAST_TRY_GUARD`.
   */
  allowLastTry?: boolean;
}

/** Options of {@link HiCOSCard.sign}. */
export interface SignOptions extends PinOptions {
  /** Hash of the data (default `sha256`). */
  hash?: SignatureHash;
  /**
   * PIN to verify in the same transaction. Gen2 needs it unless
   * {@link HiCOSCard.verifyPin} opened a channel that no private-key
   * operation and no plain card read has used up since (one verified channel
   * serves one operation); Gen1 uses the card's security state otherwise.
   */
  pin?: string | Uint8Array;
  /** Key to use (default `SIGN`). */
  key?: 'SIGN' | 'KEYX';
  /**
   * Allow SHA-1 for this signature, when the card was opened without
   * {@link HiCOSCardOptions.allowSha1} (a caller that decides per request,
   * such as the local agent's `allowSha1`). Default `false`.
   */
  allowSha1?: boolean;
}

/** Options of {@link HiCOSCard.decrypt}. */
export interface DecryptOptions extends PinOptions {
  /** PIN to verify first (see {@link SignOptions.pin}). */
  pin?: string | Uint8Array;
  /** Key to use (default `KEYX`). */
  key?: 'SIGN' | 'KEYX';
}

/** Result of the opt-in retry-counter probe. */
export interface PinStatus {
  /** The card answered `9000`: the PIN is verified in the current security state. */
  readonly verified: boolean;
  /** Tries left, when the card reported them (`63Cx`). */
  readonly retriesLeft: number | undefined;
  /** The card answered `6983`. */
  readonly locked: boolean;
}
