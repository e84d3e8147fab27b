import { EventEmitter } from 'node:events';
import { PcscError, mapPcscError } from './errors.js';
import { withTimeout } from './card-channel.js';
import { createNativeContext, type NativeContext, type NativeReader } from './pcsclite-binding.js';
import { PcscSession, type ShareMode } from './pcsc-session.js';

/** What is known about one reader right now. */
export interface ReaderState {
  /** Reader name as pcscd reports it, e.g. `Virtual PCD 00 00`. */
  readonly name: string;
  /** Whether a card is in the reader. */
  readonly cardPresent: boolean;
  /** The card's answer-to-reset, when a card is present. */
  readonly atr: Uint8Array | undefined;
  /** Whether the card does not answer (present but mute). */
  readonly mute: boolean;
}

/** Typed events of a {@link PcscContext}. */
export interface PcscEventMap {
  /** A reader appeared (also emitted for readers present at start-up). */
  'reader-attached': {
    /** Name of the reader. */
    reader: string;
  };
  /** A reader was unplugged; a card in it is reported as `card-removed` first. */
  'reader-detached': {
    /** Name of the reader. */
    reader: string;
  };
  /** A card was put in a reader (also emitted for cards present at start-up). */
  'card-inserted': {
    /** Name of the reader holding the card. */
    reader: string;
    /** The card's answer-to-reset; empty when pcscd did not report one. */
    atr: Uint8Array;
  };
  /** A card was taken out; open sessions on it then throw `CardRemovedError`. */
  'card-removed': {
    /** Name of the reader the card left. */
    reader: string;
  };
  /** pcscd or a reader monitor reported a failure. */
  error: PcscError;
}

/** Options of {@link PcscContext.establish}. */
export interface PcscContextOptions {
  /** How long to wait for pcscd's first reader listing (default 5 000 ms). */
  startupTimeoutMs?: number;
}

/** Options of {@link PcscContext.connect}. */
export interface ConnectOptions {
  /**
   * `exclusive` (default) keeps other processes off the card for the whole
   * session, which multi-APDU HiCOS sequences (secure channel, signing) need.
   */
  share?: ShareMode;
  /** Timeout for connecting and default per-APDU timeout (default 10 000 ms). */
  timeoutMs?: number;
}

// pcscd polls vpcd-style drivers for presence every ~400 ms; allow a few rounds.
const REMOVAL_GRACE_MS = 2_000;
// Each reader's status thread answers its first query at once; bound the wait anyway.
const FIRST_STATUS_MS = 2_000;
// How long the binding's threads get to go back to waiting after they reported an event, before close():
// see `PcscContext.close`. 150 ms still hung a loaded CI machine once (a monitor thread in its listing IPC).
const NATIVE_SETTLE_MS = 500;
// close() waits for a quiet moment at most this long, then closes anyway.
const NATIVE_SETTLE_CAP_MS = 2_000;

interface MutableReader {
  native: NativeReader;
  cardPresent: boolean;
  atr: Uint8Array | undefined;
  mute: boolean;
  sessions: Set<PcscSession>;
  firstStatus: Promise<void>;
  markStatusSeen: () => void;
}

/**
 * A PC/SC context: lists readers, reports hot-plug and card events, and opens
 * sessions. Readers already present at start-up are reported as
 * `reader-attached` (and `card-inserted` when they hold a card).
 *
 * ```ts
 * await using ctx = await PcscContext.establish();
 * ctx.on('card-inserted', ({ reader, atr }) => …);
 * await using card = await ctx.connect((await ctx.waitForCard()).name);
 * ```
 */
export class PcscContext implements AsyncDisposable {
  private readonly emitter = new EventEmitter();
  private readonly state = new Map<string, MutableReader>();
  private native: NativeContext | undefined;
  private closed = false;
  /** When the binding last reported a reader listing or a reader status (ms since the epoch). */
  private lastNativeEvent = 0;

  private constructor() {
    // An 'error' event with no listener would crash the process.
    this.emitter.on('error', () => undefined);
  }

  /**
   * Connects to the PC/SC service and waits for its first reader listing.
   * @throws {@link PcscError} `SERVICE_UNAVAILABLE` when pcscd is not running
   */
  public static async establish(options: PcscContextOptions = {}): Promise<PcscContext> {
    const ctx = new PcscContext();
    let ready!: (error: Error | undefined) => void;
    const listed = new Promise<Error | undefined>((resolve) => (ready = resolve));
    try {
      ctx.native = createNativeContext((error) => {
        ctx.lastNativeEvent = Date.now();
        ready(error);
      });
    } catch (error) {
      throw mapPcscError(error, 'establishing a PC/SC context');
    }
    ctx.native.on('reader', (reader: NativeReader) => ctx.attach(reader));
    ctx.native.on('error', (error: unknown) => ctx.fail(mapPcscError(error, 'listing readers')));
    try {
      const error = await withTimeout(listed, options.startupTimeoutMs ?? 5_000, 'waiting for the PC/SC reader list');
      if (error) throw mapPcscError(error, 'listing readers');
      // Card presence is only known after each reader's first status report.
      const firsts = [...ctx.state.values()].map((r) => r.firstStatus);
      await withTimeout(Promise.all(firsts), FIRST_STATUS_MS, 'waiting for reader status').catch(() => undefined);
    } catch (error) {
      await ctx.close();
      throw error;
    }
    return ctx;
  }

  /** Snapshot of the readers known now. */
  public readers(): ReaderState[] {
    return [...this.state.entries()].map(([name, r]) => ({ name, cardPresent: r.cardPresent, atr: r.atr, mute: r.mute }));
  }

  /** Subscribes to an event. */
  public on<K extends keyof PcscEventMap>(event: K, listener: (payload: PcscEventMap[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Unsubscribes from an event. */
  public off<K extends keyof PcscEventMap>(event: K, listener: (payload: PcscEventMap[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** Subscribes to the next occurrence of an event. */
  public once<K extends keyof PcscEventMap>(event: K, listener: (payload: PcscEventMap[K]) => void): this {
    this.emitter.once(event, listener);
    return this;
  }

  /**
   * Resolves with the first reader holding a card (optionally a given one),
   * now or when a card is inserted.
   * @throws {@link PcscTimeoutError} after `timeoutMs` (default: wait forever)
   */
  public async waitForCard(reader?: string, options: { timeoutMs?: number } = {}): Promise<ReaderState> {
    const match = (): ReaderState | undefined => this.readers().find((r) => r.cardPresent && (reader === undefined || r.name === reader));
    const now = match();
    if (now) return now;
    let listener: (() => void) | undefined;
    const inserted = new Promise<ReaderState>((resolve) => {
      listener = () => {
        const found = match();
        if (found) resolve(found);
      };
      this.emitter.on('card-inserted', listener);
    });
    try {
      return await withTimeout(inserted, options.timeoutMs ?? 0, 'waiting for a card', reader);
    } finally {
      if (listener) this.emitter.off('card-inserted', listener);
    }
  }

  /**
   * Opens a session to the card in `reader`.
   * @throws {@link PcscError} `UNKNOWN_READER`, `NO_CARD`, `SHARING_VIOLATION`, `TIMEOUT`, …
   */
  public async connect(reader: string, options: ConnectOptions = {}): Promise<PcscSession> {
    this.assertOpen();
    const entry = this.state.get(reader);
    if (!entry) throw new PcscError('UNKNOWN_READER', `no reader named "${reader}"`, { reader });
    if (!entry.cardPresent) throw new PcscError('NO_CARD', `no card in "${reader}"`, { reader });
    if (entry.native.connected) {
      throw new PcscError('SHARING_VIOLATION', `"${reader}" already has an open session in this process`, { reader });
    }
    const session = new PcscSession(entry.native, {
      share: options.share ?? 'exclusive',
      timeoutMs: options.timeoutMs ?? 10_000,
      atr: () => this.state.get(reader)?.atr ?? new Uint8Array(0),
      onClose: (s) => entry.sessions.delete(s),
      cardGone: () => this.cardGoneSoon(reader, entry),
    });
    await session.open();
    entry.sessions.add(session);
    return session;
  }

  /** Stops monitoring and disconnects open sessions; the process can then exit. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending: Promise<void>[] = [];
    for (const r of this.state.values()) {
      for (const s of r.sessions) pending.push(s.disconnect().catch(() => undefined));
    }
    await Promise.all(pending);
    await this.nativeQuiet();
    // The binding reports its own shutdown as a 'cancelled' error: swallow it.
    for (const r of this.state.values()) {
      r.native.removeAllListeners();
      r.native.on('error', () => undefined);
      r.native.close();
    }
    this.state.clear();
    this.native?.removeAllListeners();
    this.native?.on('error', () => undefined);
    this.native?.close();
    this.emitter.removeAllListeners();
  }

  /**
   * Waits until the binding reported nothing for `NATIVE_SETTLE_MS`
   * (at most `NATIVE_SETTLE_CAP_MS` in all). pcsclite 1.0.1's `close()`
   * cancels each monitoring thread's `SCardGetStatusChange` a few times over
   * 50 ms and then joins the thread on the calling (JavaScript) thread. A
   * thread that has just reported an event and has not yet gone back to
   * waiting misses every cancel, then waits forever for the next event, and
   * the join hangs the whole process; on a loaded machine a thread can be
   * off the CPU that long. Threads are only outside their wait right after
   * they report, so closing after a quiet moment closes threads that are
   * waiting, which the cancel reaches.
   */
  private async nativeQuiet(): Promise<void> {
    const until = Date.now() + NATIVE_SETTLE_CAP_MS;
    for (;;) {
      const wait = this.lastNativeEvent + NATIVE_SETTLE_MS - Date.now();
      if (wait <= 0 || Date.now() >= until) return;
      await new Promise((r) => setTimeout(r, Math.min(wait, until - Date.now())));
    }
  }

  /** Same as {@link PcscContext.close}; lets `await using` release the context. */
  public [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private attach(native: NativeReader): void {
    if (this.closed) return;
    const name = native.name;
    let markStatusSeen!: () => void;
    const firstStatus = new Promise<void>((resolve) => (markStatusSeen = resolve));
    const entry: MutableReader = { native, cardPresent: false, atr: undefined, mute: false, sessions: new Set(), firstStatus, markStatusSeen };
    this.state.set(name, entry);
    native.on('error', (error: unknown) => this.fail(mapPcscError(error, 'monitoring the reader', name)));
    native.on('end', () => {
      this.lastNativeEvent = Date.now();
      if (this.state.get(name) !== entry) return;
      if (entry.cardPresent) this.cardGone(name, entry);
      this.state.delete(name);
      this.emitter.emit('reader-detached', { reader: name });
    });
    native.on('status', (status: { state: number; atr?: Buffer }) => this.onStatus(name, entry, status));
    this.emitter.emit('reader-attached', { reader: name });
  }

  private onStatus(name: string, entry: MutableReader, status: { state: number; atr?: Buffer }): void {
    this.lastNativeEvent = Date.now();
    entry.markStatusSeen();
    const present = (status.state & entry.native.SCARD_STATE_PRESENT) !== 0;
    entry.mute = (status.state & entry.native.SCARD_STATE_MUTE) !== 0;
    const atr = present && status.atr && status.atr.length > 0 ? new Uint8Array(status.atr) : undefined;
    if (present && !entry.cardPresent) {
      entry.cardPresent = true;
      entry.atr = atr;
      this.emitter.emit('card-inserted', { reader: name, atr: atr ?? new Uint8Array(0) });
    } else if (!present && entry.cardPresent) {
      this.cardGone(name, entry);
    } else if (present && atr) {
      entry.atr = atr;
    }
  }

  private cardGone(name: string, entry: MutableReader): void {
    entry.cardPresent = false;
    entry.atr = undefined;
    for (const s of entry.sessions) s.markRemoved();
    this.emitter.emit('card-removed', { reader: name });
  }

  /**
   * pcscd answers a transmit to a pulled card with "not transacted" before
   * its status monitor reports the removal; wait briefly for that report.
   */
  private async cardGoneSoon(name: string, entry: MutableReader): Promise<boolean> {
    const until = Date.now() + REMOVAL_GRACE_MS;
    while (Date.now() < until) {
      if (!entry.cardPresent || this.state.get(name) !== entry) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  private fail(error: PcscError): void {
    this.emitter.emit('error', error);
  }

  private assertOpen(): void {
    if (this.closed) throw new PcscError('CLOSED', 'the PC/SC context was closed');
  }
}
