import type { Transport } from '../pcsc/transport.js';
import { TwpkiError } from '../shared/twpki-error.js';
import type { CardCertificate, CardPrivateKey } from './card-types.js';
import type { CertificateDirectoryEntry } from './pkcs15/certificate-directory.js';
import { detectGeneration } from './detect-generation.js';
import { MalformedResponseError } from './errors.js';
import { FileReader } from './file-reader.js';
import type { HiCOSGeneration } from './generation.js';
import { cachedPinCardKey } from './pin/pin-card-key.js';
import { Gen2Channel } from './secure-channel/gen2-channel.js';
import type { Scp03Options } from './secure-channel/scp03-options.js';

/** Everything that stays valid while the card stays powered (one transport epoch). */
export interface CardState {
  /** Transport epoch the state belongs to. */
  readonly epoch: number;
  /** The transport's `cardResets` when the state was set up (`undefined` when it does not count them). */
  readonly cardResets: number | undefined;
  /** Detected generation. */
  readonly generation: HiCOSGeneration;
  /** File selection and reads. */
  readonly files: FileReader;
  /** Gen2 secure-messaging state (`undefined` on Gen1). */
  readonly channel: Gen2Channel | undefined;
  /**
   * Gen1: a VERIFY this host sent may have left the card PIN-verified (it answered `9000`, or gave no answer or
   * one no rule knows). The card keeps that state for any connection until it is reset or removed.
   */
  pinVerifiedOnCard?: boolean;
  /** Cached reads. `cardNumber` is `''` for a card that has none. */
  cardNumber?: string;
  version?: string;
  certificates?: CardCertificate[];
  keys?: CardPrivateKey[];
  /** The CDF's entries, once read (by `readCertificates` or `readKeyCertificate`). */
  certificateDirectory?: CertificateDirectoryEntry[];
  /**
   * A card without a card number: the certificate its PIN try count is kept by and its place in the CDF, once
   * `readKeyCertificate` read it; `null` when the CDF lists no SIGN or KEYX certificate.
   */
  keyCertificate?: { readonly index: number; readonly certificate: CardCertificate } | null;
}

/**
 * One card in one reader across card sessions: runs each call in a
 * transaction with state fresh for the transport's epoch (a reset or
 * re-insertion re-detects and drops every cache), and funnels unexpected
 * failures into typed errors naming the step.
 */
export class CardSession {
  private constructor(
    private readonly transport: Transport,
    private state: CardState,
    private readonly scp03: Scp03Options,
  ) {}

  /** Detects the generation (one APDU on Gen2, two on Gen1). */
  public static async open(transport: Transport, scp03: Scp03Options): Promise<CardSession> {
    const state = await transport.transaction((tx) => guard('detecting the card', () => detectCardState(tx, scp03)));
    return new CardSession(transport, state, scp03);
  }

  /** Generation detected at open (or after the last reset). */
  public get generation(): HiCOSGeneration {
    return this.state.generation;
  }

  /**
   * The key of this card's PIN try count (see `pinCardKey`), when the calls of the current card session have read
   * what it is made of: the card number, or for a card without one, the card number's absence and its SIGN certificate.
   */
  public get knownPinCardKey(): string | undefined {
    return cachedPinCardKey(this.state);
  }

  /**
   * Whether a VERIFY of this session may have left a Gen1 card PIN-verified: false once the transport reset the
   * card or a new one was inserted (its `cardResets` moved on). A reconnect that leaves the card moves the epoch
   * (caches are read again) but not this: the card may still be verified. A transport that does not count resets
   * cannot tell the two apart, so the card stays taken as verified: one needless reset at the end is the price,
   * where the other way a card could be left signing without its PIN.
   */
  public get pinVerifiedOnCard(): boolean {
    if (this.state.pinVerifiedOnCard !== true) return false;
    const resets = this.transport.cardResets;
    return resets === undefined || resets === this.state.cardResets;
  }

  /** Runs `fn` in a transaction with state fresh for the transport's epoch. */
  public run<T>(step: string, fn: (tx: Transport, state: CardState) => Promise<T>): Promise<T> {
    return this.transport.transaction((tx) =>
      guard(step, async () => {
        if (tx.epoch !== this.state.epoch) {
          // Read before the state is replaced: a reconnect that left the card keeps it verified as far as we know.
          const stillVerified = this.pinVerifiedOnCard;
          this.state.channel?.discard();
          this.state = await detectCardState(tx, this.scp03);
          if (stillVerified) this.state.pinVerifiedOnCard = true;
        }
        const state = this.state;
        try {
          return await fn(tx, state);
        } catch (error) {
          state.files.forget();
          throw error;
        }
      }),
    );
  }
}

/** Detects the card and sets up the state of a new card session (root selected, no secure session). */
async function detectCardState(tx: Transport, scp03: Scp03Options): Promise<CardState> {
  const epoch = tx.epoch;
  const cardResets = tx.cardResets;
  const generation = await detectGeneration(tx);
  let channel: Gen2Channel | undefined;
  const files = new FileReader(generation, generation === 2 ? (t) => channel!.beforePlainCommand(t) : undefined);
  if (generation === 2) channel = new Gen2Channel(scp03, files);
  files.atRoot();
  return { epoch, cardResets, generation, files, channel };
}

/** Turns anything that is not a typed twpki error into a MALFORMED_RESPONSE naming the step. */
async function guard<T>(step: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TwpkiError) throw error;
    throw new MalformedResponseError(step, error instanceof Error ? error.message : String(error), error);
  }
}
