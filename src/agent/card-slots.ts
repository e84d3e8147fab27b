import { type AfterPin, defaultRetryCounterStore, type HiCOSCard, type HiCOSCardOptions } from '../apdu/index.js';
import { runOnCardThenRelease } from '../apdu/card-release.js';
import { checkCardOptions } from '../apdu/hicos-card.js';
import { resolveAfterPin } from '../apdu/pin/after-pin.js';
import { checkDuration } from '../shared/number-settings.js';
import { describeValue } from '../shared/describe-value.js';
import { EmulatorReader, type EmulatorSession, PcscContext, type PcscContextOptions, type PcscSession, type Transport } from '../pcsc/index.js';
import { onEmulatorCardChange } from '../pcsc/emulator-reader.js';
import { onMonitorRecovered } from '../pcsc/pcsc-context.js';
import { sideListeners } from '../shared/side-listeners.js';
import { connectWhenFree } from './connect-when-free.js';
import { rememberCardOptions } from './early-pin-check.js';
import { PcscServiceHealth, pcscServiceGone } from './pcsc-service.js';
import { cardDidNotAnswer } from './silent-card.js';

/** A reader as the agent reports it (one PKCS#11-style slot per reader). */
export interface SlotInfo {
  /** Index in the slot list. */
  slotID: number;
  /** Reader name. */
  description: string;
  /** Whether a card is present. */
  cardPresent: boolean;
  /**
   * Changes whenever the card in this reader may have changed (removal,
   * insertion, reset, any reader event); undefined when the source cannot
   * tell, and then nothing about the card is kept between requests.
   */
  presence?: string;
}

/**
 * Where the agent finds cards: PC/SC readers in production, an in-process
 * reader in tests and demos. Each call opens the card only for as long as `fn`
 * runs, so the agent never holds a card between requests.
 */
export interface CardSlots {
  /** The readers right now, with `slotID` numbered from 0 in list order. */
  list(): Promise<SlotInfo[]>;
  /** Opens the card in `slot`, runs `fn` on it and closes it again; resolves to `fn`'s result. */
  withCard<T>(slot: SlotInfo, fn: (card: HiCOSCard) => Promise<T>): Promise<T>;
  /** Releases the card source; call when the agent stops. */
  close(): Promise<void>;
  /**
   * The last known PIN tries left of a card (from its last VERIFY), without touching the card. `cardKey` is the
   * key its count is kept under, `retryCounterKey(info)`: its card number, or for a card without one a digest of
   * its certificate.
   */
  lastKnownRetries?(cardKey: string): number | undefined;
}

/** Options of the card sources ({@link PcscCardSlots.open}, {@link EmulatorCardSlots}). */
export interface CardSlotsOptions {
  /**
   * What ends the PIN-verified state a Gen1 card keeps after a `/sign` presented its PIN: `reset` (default) resets
   * the card as the request's session ends, so no other program connecting to it can sign without the PIN;
   * `leave` leaves it verified until it is reset or removed. Gen2 cards are never reset: no other connection can
   * use their verification. A reset is no reader event: what the agent kept about the card stays warm.
   */
  afterPin?: AfterPin;
  /**
   * How long one command may take the card to answer, in milliseconds (default 10 000, the PC/SC layer's). A card
   * that does not answer in time fails the request as a card that went silent (the page gets the execution-error
   * code) while the command stays pending: PC/SC cannot cancel it, so the reader stays taken until the card answers
   * or is removed. Raise it for a slow reader (contactless, a long USB chain); lower it to answer a page sooner
   * about a card that stalled. Connecting has its own wait, for a card another program holds.
   * @throws RangeError when the slots are made, for a value that is not a positive number of milliseconds.
   */
  commandTimeoutMs?: number;
}

/** The checked settings of {@link CardSlotsOptions} that shape each card session. */
interface SessionSettings {
  readonly afterPin: AfterPin;
  readonly commandTimeoutMs: number | undefined;
}

/** Checks `options` (a bad value is refused before any reader or pcscd is asked). */
function sessionSettings(options: CardSlotsOptions, cardOptions: HiCOSCardOptions): SessionSettings {
  // Checked when the slots are made: a wrong one would otherwise fail each page's request, or read as no setting.
  for (const [name, value] of [['options', options], ['cardOptions', cardOptions]] as const) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RangeError(`card slots: ${name} must be an object or left out, not ${describeValue(value)}`);
  }
  // What HiCOSCard.open refuses, refused now: a name that is no card option (`{ afterPin }` given as the card
  // options) let the agent start and then failed every page's request.
  checkCardOptions('card slots: cardOptions', cardOptions, "afterPin and commandTimeoutMs are the card slots' own options, the last argument");
  checkDuration('commandTimeoutMs', options.commandTimeoutMs, true);
  return { afterPin: resolveAfterPin(options.afterPin), commandTimeoutMs: options.commandTimeoutMs };
}

/**
 * Runs `fn` on the card opened on `session` with each command given `settings.commandTimeoutMs` (when set), then
 * ends the session as {@link runOnCardThenRelease} says.
 */
function runAndRelease<T>(
  session: PcscSession | EmulatorSession,
  cardOptions: HiCOSCardOptions,
  settings: SessionSettings,
  fn: (card: HiCOSCard) => Promise<T>,
): Promise<T> {
  if (settings.commandTimeoutMs !== undefined) session.timeoutMs = settings.commandTimeoutMs;
  return runOnCardThenRelease(session as Transport, cardOptions, settings.afterPin, (disposition) => session.disconnect(disposition), fn);
}

/** Told that what was read from the card in `reader` may no longer hold (from every reader's card when undefined). @internal */
export type SlotChangeListener = (reader: string | undefined) => void;

// Per card source, who is told of changes (kept out of the classes: not part of their public surface).
const changeListeners = sideListeners<CardSlots, [reader: string | undefined]>();

/**
 * Calls `listener` as soon as `slots` learns that a reader's presence token changed (a card taken out, put in or
 * reset, a reader attached or detached, a card that did not answer), or every reader's (the reader watch failed),
 * so that what was kept about a card that left can be forgotten then, not at the next listing.
 * {@link EmulatorCardSlots} calls it when its card is inserted, removed or reset. A caller's own card source learns
 * of no event and never calls it. Returns the function that stops the calls.
 * @internal
 */
export function onSlotChange(slots: CardSlots, listener: SlotChangeListener): () => void {
  return changeListeners.on(slots, listener);
}

/**
 * Runs card work one request at a time per reader: a PC/SC reader holds one
 * exclusive session, and concurrent page requests (several tabs polling
 * `/pkcs11info`) must wait their turn rather than fail.
 */
class SlotQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  public run<T>(slot: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(slot) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(slot, settled);
    void settled.then(() => {
      if (this.tails.get(slot) === settled) this.tails.delete(slot);
    });
    return next;
  }
}

/**
 * Slots backed by pcscd; the context lives as long as the agent. Every reader
 * event the context reports (insertion, removal, reader attached or
 * detached, monitor failure) changes that reader's presence token.
 */
export class PcscCardSlots implements CardSlots {
  private readonly queue = new SlotQueue();
  private readonly events = new Map<string, number>();
  private failures = 0;
  /** Whether pcscd answers; replaced in open() by one that asks with the caller's context options. */
  private service = new PcscServiceHealth({});

  private readonly settings: SessionSettings;
  /** Card requests not yet ended, for {@link PcscCardSlots.close}. */
  private readonly running = new Set<Promise<unknown>>();

  private constructor(
    private readonly context: PcscContext,
    private readonly cardOptions: HiCOSCardOptions,
    options: CardSlotsOptions,
  ) {
    this.settings = sessionSettings(options, cardOptions);
    rememberCardOptions(this, cardOptions);
    const bump = ({ reader }: { reader: string }): void => {
      this.changed(reader);
      this.service.markUp();
    };
    context.on('card-inserted', bump).on('card-removed', bump).on('reader-attached', bump).on('reader-detached', bump);
    // A monitor failure may hide any event: nothing read before it is trusted, nor what the context lists until the
    // watch follows the readers again.
    context.on('error', (error) => {
      this.failures++;
      this.service.watchFailed();
      if (pcscServiceGone(error)) this.service.markGone();
      changeListeners.emit(this, undefined);
    });
    onMonitorRecovered(context, () => this.service.watchRecovered());
  }

  /**
   * Connects to pcscd.
   * @param contextOptions passed to `PcscContext.establish` (the startup timeout; `allowWorkerThread`)
   * @param cardOptions what each card is opened with (`HiCOSCard.open`'s options)
   * @param options how sessions end (`afterPin`) and how long a command may take (`commandTimeoutMs`)
   * @throws HiCOSError `INVALID_CARD_INPUT` for `cardOptions` that `HiCOSCard.open` would refuse (a name that is no
   *   card option, a `retryStore` that is none), before pcscd is asked for a context
   */
  public static async open(cardOptions: HiCOSCardOptions = {}, contextOptions: PcscContextOptions = {}, options: CardSlotsOptions = {}): Promise<PcscCardSlots> {
    sessionSettings(options, cardOptions); // a bad value is refused before pcscd is asked for a context
    const slots = new PcscCardSlots(await PcscContext.establish(contextOptions), cardOptions, options);
    // The probe opens contexts on this thread too, so it needs the same options (allowWorkerThread).
    slots.service = new PcscServiceHealth(contextOptions);
    return slots;
  }

  /**
   * One slot per reader the PC/SC context currently knows, in the order the readers appeared; none while pcscd
   * is away (its readers cannot be used, and the context still lists the ones it last saw).
   */
  public async list(): Promise<SlotInfo[]> {
    if (!(await this.service.available())) return [];
    return this.context.readers().map((r, slotID) => ({
      slotID,
      description: r.name,
      cardPresent: r.cardPresent,
      presence: r.cardPresent && r.atr ? `${this.failures}.${this.events.get(r.name) ?? 0}.${Buffer.from(r.atr).toString('hex')}` : undefined,
    }));
  }

  /** From the card options' retry store (the process-wide one by default). */
  public lastKnownRetries(cardKey: string): number | undefined {
    return (this.cardOptions.retryStore ?? defaultRetryCounterStore).get(cardKey);
  }

  /**
   * Opens an exclusive session on the slot's reader for `fn`; calls for the same reader wait their turn, and a
   * card another program holds is waited for a few seconds (`connect-when-free.ts`). A card still held by an
   * earlier command of this agent that it never answered is not waited for: that fails at once with `PcscError`
   * `CARD_UNRESPONSIVE`, and the reader is free again when the card answers or is removed.
   */
  public withCard<T>(slot: SlotInfo, fn: (card: HiCOSCard) => Promise<T>): Promise<T> {
    const run = this.queue.run(slot.description, async () => {
      try {
        return await this.openFor(slot, fn);
      } catch (error) {
        // A card that did not answer is in a state nobody saw (it may answer later, to a command given up on):
        // nothing read under the presence token it had may be served again, whoever forgot to drop it.
        if (cardDidNotAnswer(error)) this.changed(slot.description);
        throw error;
      }
    });
    this.running.add(run);
    const done = (): void => {
      this.running.delete(run);
    };
    run.then(done, done);
    return run;
  }

  /** Counts a change of `reader`'s card: a new presence token, so nothing read before it is served again. */
  private changed(reader: string): void {
    this.events.set(reader, (this.events.get(reader) ?? 0) + 1);
    changeListeners.emit(this, reader);
  }

  private async openFor<T>(slot: SlotInfo, fn: (card: HiCOSCard) => Promise<T>): Promise<T> {
    let opened: PcscSession;
    try {
      opened = await connectWhenFree(this.context, slot.description);
    } catch (error) {
      if (pcscServiceGone(error)) this.service.markGone();
      throw error;
    }
    this.service.markUp();
    return await runAndRelease(opened, this.cardOptions, this.settings, fn);
  }

  /**
   * Closes the PC/SC context, disconnecting any open session, once the card requests still running have ended
   * (at most 15 seconds): each ends its own session, and a `/sign` that presented a PIN to a Gen1 card
   * resets the card as it does (`afterPin`). Closing the context under it would let the session go leaving the
   * card PIN-verified for the next program (an agent stopped with Ctrl-C during a signature).
   */
  public async close(): Promise<void> {
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      });
      await Promise.race([Promise.allSettled([...this.running]), waited]);
      clearTimeout(timer);
    }
    return this.context.close();
  }
}

/**
 * How long `PcscCardSlots.close` waits for card requests still running: a Gen1 signature takes about a
 * second, a whole cold read a few; past this a card that stopped answering does not hold the agent's exit up.
 */
const CLOSE_WAIT_MS = 15_000;

/**
 * Slots backed by one in-process reader (virtual card). The card being inserted, removed or reset counts as a
 * reader event does on PC/SC: the agent forgets what it kept about the card at once (until
 * {@link EmulatorCardSlots.close}).
 */
export class EmulatorCardSlots implements CardSlots {
  // One request at a time on the card, as on PC/SC: each opens its own session, and two at once would interleave
  // their APDUs (one's SELECT moving the file another is reading).
  private readonly queue = new SlotQueue();
  private readonly stopListening: () => void;
  private readonly settings: SessionSettings;

  /**
   * @throws RangeError for a `reader` that is not an EmulatorReader, options that are not objects;
   *   HiCOSError `INVALID_CARD_INPUT` for `cardOptions` that `HiCOSCard.open` would refuse (a name that is no card
   *   option, a `retryStore` that is none)
   */
  public constructor(
    private readonly reader: EmulatorReader,
    private readonly cardOptions: HiCOSCardOptions = {},
    options: CardSlotsOptions = {},
  ) {
    if (!(reader instanceof EmulatorReader)) throw new RangeError(`EmulatorCardSlots: reader must be an EmulatorReader (twpki/pcsc), not ${describeValue(reader)}`);
    this.settings = sessionSettings(options, cardOptions);
    rememberCardOptions(this, cardOptions);
    // The reader tells of its card at once (it is in this process): no presence token has to be compared first.
    // Held weakly: slots dropped without `close()` (which did nothing before) must not live as long as the reader
    // and be called at every insertion; the first notice after they are collected stops the listening.
    const self = new WeakRef<EmulatorCardSlots>(this);
    const stop = onEmulatorCardChange(reader, () => {
      const slots = self.deref();
      if (slots === undefined) stop();
      else changeListeners.emit(slots, reader.name);
    });
    this.stopListening = stop;
  }

  /** Always the single emulated reader, as slot 0; the presence token follows the reader's insertions. */
  public list(): Promise<SlotInfo[]> {
    let presence: string | undefined;
    if (this.reader.cardPresent) {
      // Opening a session sends no APDU; its epoch numbers the insertion.
      const session = this.reader.connect();
      presence = `${session.epoch}.${Buffer.from(session.atr).toString('hex')}`;
      void session.disconnect();
    }
    return Promise.resolve([{ slotID: 0, description: this.reader.name, cardPresent: this.reader.cardPresent, presence }]);
  }

  /** From the card options' retry store (the process-wide one by default). */
  public lastKnownRetries(cardKey: string): number | undefined {
    return (this.cardOptions.retryStore ?? defaultRetryCounterStore).get(cardKey);
  }

  /** Opens the emulated card for `fn`, after any request still running on it; `slot` is ignored (one reader). */
  public withCard<T>(_slot: SlotInfo, fn: (card: HiCOSCard) => Promise<T>): Promise<T> {
    return this.queue.run(this.reader.name, () => runAndRelease(this.reader.connect(), this.cardOptions, this.settings, fn));
  }

  /** Stops listening to the reader's card changes; the emulated reader itself belongs to the caller. */
  public close(): Promise<void> {
    this.stopListening();
    return Promise.resolve();
  }
}
