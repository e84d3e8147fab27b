import type { CommandApdu } from './command-apdu.js';
import type { ResponseApdu } from './response-apdu.js';

/** Per-call options of {@link Transport.transmit}. */
export interface TransmitOptions {
  /** Give up after this many milliseconds (default: the session's timeout). */
  timeoutMs?: number;
  /**
   * Follow `61xx` with GET RESPONSE and `6Cxx` by resending with the right Le
   * (default `true`). Turn off to see the card's raw answers.
   */
  followUp?: boolean;
}

/**
 * A connection to one card, whatever carries it (PC/SC, an in-process
 * emulator). Upper layers (`twpki/apdu`) only ever talk to this interface.
 */
export interface Transport {
  /** Name of the reader the card sits in. */
  readonly readerName: string;
  /** Answer-to-reset of the card as last seen. */
  readonly atr: Uint8Array;
  /**
   * Increments whenever the card may have lost its state (reset, reconnect,
   * re-insertion). Caches of card content are keyed by it.
   */
  readonly epoch: number;
  /**
   * How many times the card was reset, or powered anew, under this connection in ways the transport knows of: its
   * own `reset()`, a disconnect with reset, a re-insertion. Unlike {@link Transport.epoch}, a reconnect that leaves
   * the card as it is does not count: the card may have kept its state (a Gen1 card its PIN-verified state), and
   * the SDK must still end such a session with a reset. A transport that cannot tell leaves it out; a Gen1 card
   * it presented a PIN to is then taken as verified until the session ends (and ended with a reset).
   */
  readonly cardResets?: number | undefined;
  /** Sends one command and returns the card's (followed-up) answer. */
  transmit(command: CommandApdu | Uint8Array, options?: TransmitOptions): Promise<ResponseApdu>;
  /**
   * Runs `fn` with exclusive use of the card: no other caller of this
   * transport can interleave APDUs until it settles, and the lock is released
   * when `fn` throws. Inside `fn` use the transport passed in.
   */
  transaction<T>(fn: (tx: Transport) => Promise<T>): Promise<T>;
}

/** A card the in-process transport can drive: what a virtual card implements. */
export interface CardEmulator {
  /**
   * Powers the card up (cold or warm reset): all volatile state such as the
   * selected file, security status and secure channels is cleared.
   * @returns the answer-to-reset
   */
  reset(): Uint8Array;
  /** Processes one encoded command APDU and returns the encoded response. */
  process(command: Uint8Array): Uint8Array | Promise<Uint8Array>;
}
