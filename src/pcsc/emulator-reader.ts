import { CardChannel } from './card-channel.js';
import { CardRemovedError, PcscError, markNotSent } from './errors.js';
import type { Disposition } from './pcsc-session.js';
import type { CardEmulator, Transport } from './transport.js';
import { sideListeners } from '../shared/side-listeners.js';
import { TwpkiError } from '../shared/twpki-error.js';
import { describeValue } from '../shared/describe-value.js';
import { checkOptionNames } from '../shared/option-names.js';
import { checkReaderName, checkTimeLimit } from './argument-checks.js';

// Per reader, who is told when its card changes (kept out of the class: an internal notice, not public surface).
const cardChanges = sideListeners<EmulatorReader, []>();

/**
 * Calls `listener` each time a card is inserted into `reader`, removed from it or reset: what a PC/SC reader watch
 * reports of a real reader, so a card source over this reader can forget what it kept about the card then.
 * Returns the function that stops the calls.
 * @internal
 */
export function onEmulatorCardChange(reader: EmulatorReader, listener: () => void): () => void {
  return cardChanges.on(reader, listener);
}

/** Options of {@link EmulatorReader}. */
export interface EmulatorReaderOptions {
  /** Reader name reported to upper layers (default `"twpki in-process reader"`). */
  name?: string;
  /** Default per-call timeout in ms (default 10 000). */
  timeoutMs?: number;
}

/**
 * An in-process reader: insert a {@link CardEmulator} and connect to it with
 * the same {@link Transport} interface PC/SC sessions have, with no pcscd.
 * Removal while a session is open makes its next call fail with
 * {@link CardRemovedError}, as a real reader would.
 */
export class EmulatorReader {
  /** Reader name. */
  public readonly name: string;
  private card: CardEmulator | undefined;
  private atr: Uint8Array = new Uint8Array(0);
  private insertion = 0;
  private readonly timeoutMs: number;

  /** @throws RangeError for `options` that is not an object, an empty `name` or a `timeoutMs` that is not a positive number. */
  public constructor(options: EmulatorReaderOptions = {}) {
    checkOptionNames('EmulatorReader', options, { name: true, timeoutMs: true } satisfies Record<keyof EmulatorReaderOptions, true>);
    checkReaderName('EmulatorReader: name', options.name, true);
    checkTimeLimit('EmulatorReader: timeoutMs', options.timeoutMs);
    this.name = options.name ?? 'twpki in-process reader';
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Whether a card is inserted. */
  public get cardPresent(): boolean {
    return this.card !== undefined;
  }

  /**
   * Inserts (and powers up) a card.
   * @throws RangeError when `card` is not a {@link CardEmulator} (an object with `reset()` and `process()`)
   */
  public insert(card: CardEmulator): void {
    const given = card as Partial<CardEmulator> | null | undefined;
    if (typeof given?.reset !== 'function' || typeof given.process !== 'function') {
      throw new RangeError(
        `EmulatorReader.insert: card must be a card emulator (an object with reset() and process(), such as createVirtualHiCOSCard() makes), not ${describeValue(card)}`,
      );
    }
    if (this.card) throw new PcscError('SHARING_VIOLATION', `reader "${this.name}" already holds a card`, { reader: this.name });
    // Powered up before it counts as inserted: a card whose reset throws leaves the reader empty, not holding it.
    this.atr = card.reset();
    this.card = card;
    this.insertion++;
    cardChanges.emit(this);
  }

  /** Removes the card; open sessions fail from their next call on. */
  public remove(): void {
    // An empty reader stays empty: no change to tell.
    if (this.card === undefined) return;
    this.card = undefined;
    cardChanges.emit(this);
  }

  /** Opens a session to the inserted card. */
  public connect(): EmulatorSession {
    if (!this.card) throw new PcscError('NO_CARD', `no card in "${this.name}"`, { reader: this.name });
    return new EmulatorSession(this, this.insertion, this.timeoutMs);
  }

  /** @internal */
  public cardFor(insertion: number): CardEmulator | undefined {
    return insertion === this.insertion ? this.card : undefined;
  }

  /** @internal */
  public resetCard(insertion: number): Uint8Array {
    const card = this.cardFor(insertion);
    if (!card) throw new CardRemovedError(this.name);
    this.atr = card.reset();
    // A reset is a change of the card like an insertion: whoever kept something about the card reads it again.
    cardChanges.emit(this);
    return this.atr;
  }

  /** @internal A reset at the end of a session: the card's state is lost, no change is reported (see `EmulatorSession.disconnect`). */
  public resetQuietly(insertion: number): void {
    const card = this.cardFor(insertion);
    if (card) this.atr = card.reset();
  }

  /** @internal */
  public currentAtr(): Uint8Array {
    return this.atr;
  }
}

/** A {@link Transport} to a card in an {@link EmulatorReader}. */
export class EmulatorSession extends CardChannel implements AsyncDisposable {
  private closed = false;
  private resets = 0;

  /** @internal */
  public constructor(
    private readonly reader: EmulatorReader,
    private readonly insertion: number,
    timeoutMs: number,
  ) {
    super(timeoutMs);
  }

  public get readerName(): string {
    return this.reader.name;
  }

  public get atr(): Uint8Array {
    return this.reader.currentAtr();
  }

  public get epoch(): number {
    return this.insertion * 1_000_000 + this.resets;
  }

  /** Every change of its epoch is a reset or a new insertion: the emulator has no reconnect. */
  public override get cardResets(): number {
    return this.epoch;
  }

  /** Warm-resets the card (volatile card state is lost). */
  public reset(): Promise<Uint8Array> {
    return this.locked(async () => {
      this.assertUsable();
      const atr = this.reader.resetCard(this.insertion);
      this.resets++;
      return atr;
    });
  }

  /**
   * Ends the session (idempotent); the card stays in the reader. As `PcscSession.disconnect`: `leave` (default)
   * leaves the card as it is, security state included; `reset` and `unpower` reset it (volatile state, a verified
   * PIN included, is lost). Like pcscd, which reports no reader event for a reset made by a disconnect, this
   * reset does not count as a change of the card (listeners of the reader are not told).
   */
  public disconnect(disposition: Disposition = 'leave'): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (disposition === 'reset' || disposition === 'unpower') {
      this.reader.resetQuietly(this.insertion);
      this.resets++;
    }
    return Promise.resolve();
  }

  /** Same as `disconnect()`; lets `await using` end the session. */
  public [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** Each refusal a new error, said to be one of a command never sent (see CardChannel.assertUsable). */
  protected assertUsable(): void {
    if (this.closed) throw new PcscError('CLOSED', 'the session was disconnected', { reader: this.reader.name, notSent: true });
    if (!this.reader.cardFor(this.insertion)) throw markNotSent(new CardRemovedError(this.reader.name), true);
  }

  protected async exchange(command: Uint8Array): Promise<Uint8Array> {
    const card = this.reader.cardFor(this.insertion);
    if (!card) throw markNotSent(new CardRemovedError(this.reader.name), true);
    let answer: Uint8Array;
    try {
      answer = await card.process(command);
    } catch (error) {
      // A test card's own bug or deliberate failure: the card did not answer, which is not a malformed answer. It
      // had the command, whatever its error says.
      if (error instanceof TwpkiError) throw markNotSent(error, false);
      const detail = error instanceof Error ? error.message : String(error);
      throw new PcscError('CARD_UNRESPONSIVE', `the emulated card in ${this.reader.name} failed to answer: ${detail}`, { reader: this.reader.name, cause: error });
    }
    // The card may have been pulled while it was working.
    if (!this.reader.cardFor(this.insertion)) throw new CardRemovedError(this.reader.name);
    return answer;
  }
}
