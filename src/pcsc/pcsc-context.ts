import { EventEmitter } from 'node:events';
import { isMainThread } from 'node:worker_threads';
import { PcscError, mapPcscError, type PcscErrorCode } from './errors.js';
import { withTimeout } from './card-channel.js';
import { checkOptionNames } from '../shared/option-names.js';
import { checkReaderName, checkTimeLimit } from './argument-checks.js';
import { describeValue } from '../shared/describe-value.js';
import { closeQuietly, nativeBinding, type NativeBinding, type NativeContext } from './native-binding.js';
import { listReaderStates, readerWatch, type ReaderWatchEvent } from './reader-watch.js';
import { PcscSession, type ShareMode } from './pcsc-session.js';
import { sideListeners } from '../shared/side-listeners.js';
import { ReaderLines } from './reader-lines.js';
import { serviceProbeTarget, type ServiceProbeOptions, type ServiceProbeTarget } from './service-probe.js';
import { DEFAULT_STALLED_CALL_MS, ServiceGuard, serviceGate, stalledCallMs } from './service-gate.js';

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
  /** A reader appeared after the context was established (those present before are in `readers()`). */
  'reader-attached': {
    /** Name of the reader. */
    reader: string;
  };
  /** A reader was unplugged; a card in it is reported as `card-removed` first. */
  'reader-detached': {
    /** Name of the reader. */
    reader: string;
  };
  /** A card was put in a reader after the context was established (see `readers()` for those already in). */
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
  /**
   * pcscd or the reader watch reported a failure: once per outage and {@link PcscError.code} (the watch's retries
   * meeting the same trouble are not reported again; a reader event or the watch working again starts anew).
   */
  error: PcscError;
}

/** Options of {@link PcscContext.establish}. */
export interface PcscContextOptions {
  /**
   * How long to wait for pcscd's first reader listing (default 5 000 ms).
   * The listing runs on libuv's thread pool (four threads unless
   * `UV_THREADPOOL_SIZE` says otherwise), so this includes waiting for a free
   * thread: a process that keeps the pool busy (key generation, `scrypt` or
   * `pbkdf2`, compression, many file reads) should start with a larger
   * `UV_THREADPOOL_SIZE` or give a longer timeout.
   */
  startupTimeoutMs?: number;
  /**
   * Allow PC/SC in a worker thread (default `false`: only the main thread).
   * The native binding keeps per-process state that each thread loading it
   * overwrites, so two threads of one process using PC/SC (the main thread
   * and a worker, two workers, test files in Vitest's `threads` pool) crash
   * the process. Set it only in the one worker that uses PC/SC, when no
   * other thread of the process ever does.
   */
  allowWorkerThread?: boolean;
  /**
   * Check that pcscd answers before each new PC/SC context (this one, and the
   * one each reader's first session opens), and whenever a PC/SC call runs
   * longer than expected; or `false` not to. pcsc-lite waits for pcscd's
   * answers without a time limit: on the JavaScript thread for the binding's
   * synchronous calls (opening a context, listing readers, releasing), on a
   * thread of libuv's pool for connects, commands and the reader watch's
   * waits. A pcscd that accepts connections but does not answer (hung,
   * stopped, overloaded) would freeze the whole process, or keep one pool
   * thread per call until the pool (four threads by default, shared with
   * crypto, zlib and file I/O) is gone. The check asks pcscd's socket for the
   * readers' state without blocking. When no answer comes within `timeoutMs`:
   * the call being opened fails with {@link PcscError} `SERVICE_UNRESPONSIVE`,
   * every call in flight is given up with the same error (its thread stays
   * held until pcscd answers; PC/SC cannot cancel it), a session whose
   * command or reconnect was given up can no longer be used, and no further
   * call is made until a check finds pcscd answering again. Releases of
   * handles (which wait for pcscd on the JavaScript thread) are held until
   * then. It costs one local round trip per new context (well under a
   * millisecond), none per command unless the command runs past
   * `stalledCallMs`.
   *
   * Default: `{}`, which probes pcscd's socket on Linux and nothing
   * elsewhere (see {@link ServiceProbeOptions.socketPath}). Without a probe
   * calls are made and awaited as the binding gives them.
   */
  serviceProbe?: ServiceProbeOptions | false;
}

/** The names of {@link PcscContextOptions}; a Record so that an option added there and not here fails to compile. */
const CONTEXT_OPTIONS: Record<keyof PcscContextOptions, true> = { startupTimeoutMs: true, allowWorkerThread: true, serviceProbe: true };

/** Options of {@link PcscContext.connect}. */
export interface ConnectOptions {
  /**
   * `exclusive` (default) keeps other processes off the card for the whole
   * session, which multi-APDU HiCOS sequences (secure channel, signing) need.
   */
  share?: ShareMode;
  /**
   * Timeout for connecting and default per-APDU timeout (default 10 000 ms).
   * Connects and commands run on libuv's thread pool too: see
   * {@link PcscContextOptions.startupTimeoutMs}.
   */
  timeoutMs?: number;
}

/** The names of {@link ConnectOptions}; from a Record so that an option added there and not here fails to compile. */
const CONNECT_OPTION_NAMES = Object.keys({ share: true, timeoutMs: true } satisfies Record<keyof ConnectOptions, true>);

// pcscd polls vpcd-style drivers for presence every ~400 ms; allow a few rounds.
const REMOVAL_GRACE_MS = 2_000;

/** Listeners of {@link onMonitorRecovered}, per context. */
const recoveryListeners = sideListeners<PcscContext, []>();

/**
 * Calls `listener` each time the reader watch of `context`, after failures the context reported as `error`
 * events, follows the readers again (pcscd answers: its first listing since worked). pcscd coming back often
 * changes nothing a reader event would report (same readers, same cards), so this is the only sign of it; a
 * failure after it is reported again, even one with the same text as before. Returns the function that stops
 * the calls. Not part of the public API (the agent's pcscd health check uses it).
 * @internal
 */
export function onMonitorRecovered(context: PcscContext, listener: () => void): () => void {
  return recoveryListeners.on(context, listener);
}

interface MutableReader {
  cardPresent: boolean;
  atr: Uint8Array | undefined;
  mute: boolean;
  sessions: Set<PcscSession>;
  /** pcscd's count of insertions and removals in this reader (upper word of the state; 0 where not kept). */
  events: number;
  /**
   * Handles of this context's closed sessions that a timed-out exchange keeps from being released, one promise per
   * handle, settling once it is let go (the card answered, or was pulled). While any is pending the card in this
   * reader is held by this process and did not answer it; a removal empties the set (that card is gone).
   */
  heldAfterClose: Set<Promise<void>>;
}

/**
 * A PC/SC context: lists readers, reports hot-plug and card events, and opens
 * sessions. Readers already present when {@link PcscContext.establish}
 * returns are in {@link PcscContext.readers}; the events report changes
 * after that (a listener cannot be added before `establish` returns).
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
  private closed = false;
  /** Pending {@link waitForCard} calls, failed by {@link close} (they would otherwise never settle). */
  private readonly waiters = new Set<(error: Error) => void>();
  /** The code of the watch's last failure report, while nothing else has been reported since. */
  private monitorFailure: PcscErrorCode | undefined;
  /** A failure of the watch was reported and the watch has not said it follows the readers again since. */
  private monitorDown = false;

  /** Stops the reader watch's events for this context (set once subscribed). */
  private unsubscribe: () => Promise<void> = () => Promise.resolve();
  /** The PC/SC context and reader handle each reader's sessions connect through, kept between sessions. */
  private readonly lines: ReaderLines;

  /** The process's check that pcscd answers, with this context's probe. */
  private readonly guard: ServiceGuard;

  private constructor(
    private readonly binding: NativeBinding,
    probe?: ServiceProbeTarget,
    stalledMs: number = DEFAULT_STALLED_CALL_MS,
  ) {
    this.guard = new ServiceGuard(serviceGate(binding), probe, stalledMs);
    this.lines = new ReaderLines(binding, this.guard);
    // An 'error' event with no listener would crash the process.
    this.emitter.on('error', () => undefined);
  }

  /**
   * Connects to the PC/SC service and reads the reader list with each
   * reader's state, then follows changes on the process's reader watch.
   * @throws {@link PcscError} `SERVICE_UNAVAILABLE` when pcscd is not running,
   *   `SERVICE_UNRESPONSIVE` when it accepts the connection but does not answer (see `serviceProbe`),
   *   `BINDING_UNAVAILABLE` when the native binding is not installed,
   *   `WRONG_THREAD` in a worker thread without `allowWorkerThread`
   * @throws RangeError or TypeError naming the `serviceProbe` setting that is not valid; RangeError for `options`
   *   that is not an object or has a name that is no option, or a `startupTimeoutMs` that is not a positive number of milliseconds
   */
  public static async establish(options: PcscContextOptions = {}): Promise<PcscContext> {
    // A misspelt name was dropped for its default: `timeoutMs` left the 5-second startup limit in place.
    checkOptionNames('PcscContext.establish', options, CONTEXT_OPTIONS);
    checkTimeLimit('startupTimeoutMs', options.startupTimeoutMs);
    const probe = serviceProbeTarget(options.serviceProbe);
    const stalledMs = stalledCallMs(options.serviceProbe);
    const binding = nativeBinding({ isMainThread, allowWorkerThread: options.allowWorkerThread === true });
    const guard = new ServiceGuard(serviceGate(binding), probe, stalledMs);
    await guard.beforeContext();
    let native: NativeContext;
    try {
      native = new binding.Context();
    } catch (error) {
      throw mapPcscError(error, 'establishing a PC/SC context');
    }
    const listing = guard.call(() => listReaderStates(native), { operation: 'listing readers', checkAfterMs: stalledMs });
    // Released once the listing is over, also when the timeout below or the gate gave up on it first.
    void guard.release(() => closeQuietly(native), listing.ended);
    let readers: Awaited<typeof listing.result>;
    try {
      readers = await withTimeout(listing.result, options.startupTimeoutMs ?? 5_000, 'waiting for the PC/SC reader list');
    } catch (error) {
      throw mapPcscError(error, 'listing readers');
    }
    const ctx = new PcscContext(binding, probe, stalledMs);
    for (const r of readers ?? []) ctx.onWatch({ type: 'reader-attached', reader: r.name, state: r.state, atr: r.atr });
    ctx.unsubscribe = readerWatch(binding).subscribe((event) => ctx.onWatch(event), ctx.guard);
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
   * @throws {@link PcscError} `CLOSED` when the context is closed, before or while waiting
   * @throws RangeError for a `reader` that is not a non-empty string, `options` that is not an object, or a
   *   `timeoutMs` that is not a positive number of milliseconds (leave it out to wait without a limit)
   */
  public async waitForCard(reader?: string, options: { timeoutMs?: number } = {}): Promise<ReaderState> {
    checkReaderName('waitForCard: reader', reader, true);
    checkOptionNames('waitForCard', options, ['timeoutMs']);
    checkTimeLimit('waitForCard: timeoutMs', options.timeoutMs);
    this.assertOpen();
    const match = (): ReaderState | undefined => this.readers().find((r) => r.cardPresent && (reader === undefined || r.name === reader));
    const now = match();
    if (now) return now;
    let listener: (() => void) | undefined;
    let fail: ((error: Error) => void) | undefined;
    const inserted = new Promise<ReaderState>((resolve, reject) => {
      listener = () => {
        const found = match();
        if (found) resolve(found);
      };
      fail = reject;
      this.waiters.add(reject);
      this.emitter.on('card-inserted', listener);
    });
    try {
      return await withTimeout(inserted, options.timeoutMs ?? 0, 'waiting for a card', reader);
    } finally {
      if (listener) this.emitter.off('card-inserted', listener);
      if (fail) this.waiters.delete(fail);
    }
  }

  /**
   * Opens a session to the card in `reader`.
   * @throws {@link PcscError} `UNKNOWN_READER`, `NO_CARD`, `SHARING_VIOLATION`, `TIMEOUT`, …; `CARD_UNRESPONSIVE`
   *   (without a `pcscCode`, and without asking pcscd) while a session of this context, closed after an exchange
   *   that timed out, still holds the card because that exchange has not ended: the card did not answer, and
   *   the reader is free again once it does or is removed.
   * @throws RangeError for a `reader` that is not a non-empty string, `options` that is not an object, a `share`
   *   other than `'exclusive'` or `'shared'`, or a `timeoutMs` that is not a positive number of milliseconds
   */
  public async connect(reader: string, options: ConnectOptions = {}): Promise<PcscSession> {
    checkReaderName('connect: reader', reader, false);
    checkOptionNames('connect', options, CONNECT_OPTION_NAMES);
    // Anything but 'exclusive' was a shared session: other programs could then come between a secure
    // channel's or a signature's commands.
    if (options.share !== undefined && options.share !== 'exclusive' && options.share !== 'shared') {
      throw new RangeError(`connect: share must be 'exclusive' or 'shared', not ${describeValue(options.share)}`);
    }
    checkTimeLimit('connect: timeoutMs', options.timeoutMs);
    this.assertOpen();
    const entry = this.state.get(reader);
    if (!entry) throw new PcscError('UNKNOWN_READER', `no reader named "${reader}"`, { reader });
    if (!entry.cardPresent) throw new PcscError('NO_CARD', `no card in "${reader}"`, { reader });
    // pcscd would answer SHARING_VIOLATION, blaming "another connection" for what is this process's own handle,
    // and keep saying so for as long as the card stays silent: say what happened instead, at once.
    if (entry.heldAfterClose.size > 0) {
      throw new PcscError(
        'CARD_UNRESPONSIVE',
        `the card in "${reader}" did not answer an earlier command, which still holds it; remove the card and insert it again`,
        { reader },
      );
    }
    // A session whose card was pulled no longer holds the reader (pcscd dropped its handle).
    if ([...entry.sessions].some((s) => s.holdsReader)) {
      throw new PcscError('SHARING_VIOLATION', `"${reader}" already has an open session in this process`, { reader });
    }
    const session = new PcscSession(this.binding, reader, {
      share: options.share ?? 'exclusive',
      timeoutMs: options.timeoutMs ?? 10_000,
      atr: () => this.state.get(reader)?.atr ?? new Uint8Array(0),
      onClose: (s) => entry.sessions.delete(s),
      onHeldAfterClose: (released) => {
        entry.heldAfterClose.add(released);
        const done = (): void => void entry.heldAfterClose.delete(released);
        released.then(done, done);
      },
      cardGone: () => this.cardGoneSoon(reader, entry),
      lines: this.lines,
      guard: this.guard,
    });
    entry.sessions.add(session);
    try {
      await session.open();
    } catch (error) {
      entry.sessions.delete(session);
      throw error;
    }
    return session;
  }

  /**
   * Disconnects open sessions and stops following reader events; the process
   * can then exit. When this was the last open context, the reader watch is
   * stopped too: its wait in pcscd is cancelled (asked again every 10 ms
   * until it is, usually within milliseconds), and since it never waits longer
   * than a second, close() returns within about a second whatever happens,
   * except while pcscd does not answer: an open session's release asks it
   * first, which takes up to `serviceProbe.timeoutMs` (3 s by default) when
   * it is silent. The JavaScript thread is never blocked meanwhile.
   */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const fail of this.waiters) fail(new PcscError('CLOSED', 'the PC/SC context was closed while waiting for a card'));
    this.waiters.clear();
    const pending: Promise<void>[] = [];
    for (const r of this.state.values()) {
      for (const s of r.sessions) pending.push(s.disconnect().catch(() => undefined));
    }
    await Promise.all(pending);
    await this.lines.close();
    await this.unsubscribe();
    this.state.clear();
    this.emitter.removeAllListeners();
    recoveryListeners.clear(this);
  }

  /** Same as {@link PcscContext.close}; lets `await using` release the context. */
  public [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Applies one report of the reader watch (or of the start-up listing, in the same shape). */
  private onWatch(event: ReaderWatchEvent): void {
    // Reports delivered after close() are dropped.
    if (this.closed) return;
    if (event.type === 'error') {
      // The watch retries every second while pcscd is gone: report a failure once, until something else happens
      // (a reader event, or the watch working again: a failure after that is a new one, even with the same code).
      // Once by its code, not its text: one silent pcscd fails the wait it stalled and then each new context's
      // opening, in other words; a different code (silent, then gone) is news.
      const failure = mapPcscError(event.error, 'monitoring readers');
      // pcscd restarted or went away: the contexts kept for sessions went with it (released once pcscd answers,
      // when it stopped answering).
      void this.lines.drop();
      this.monitorDown = true;
      if (this.monitorFailure === failure.code) return;
      this.monitorFailure = failure.code;
      this.fail(failure);
      return;
    }
    this.monitorFailure = undefined;
    if (event.type === 'recovered') {
      if (!this.monitorDown) return;
      this.monitorDown = false;
      recoveryListeners.emit(this);
      return;
    }
    const name = event.reader;
    let entry = this.state.get(name);
    if (event.type === 'reader-detached') {
      if (!entry) return;
      if (entry.cardPresent) this.cardGone(name, entry);
      this.state.delete(name);
      void this.lines.drop(name);
      this.emitter.emit('reader-detached', { reader: name });
      return;
    }
    if (!entry) {
      entry = { cardPresent: false, atr: undefined, mute: false, sessions: new Set(), events: event.state >>> 16, heldAfterClose: new Set() };
      this.state.set(name, entry);
      this.emitter.emit('reader-attached', { reader: name });
    }
    this.onStatus(name, entry, event.state, event.atr);
  }

  private onStatus(name: string, entry: MutableReader, state: number, nativeAtr: Buffer | null): void {
    const present = (state & this.binding.SCARD_STATE_PRESENT) !== 0;
    entry.mute = present && (state & this.binding.SCARD_STATE_MUTE) !== 0;
    const atr = present && nativeAtr && nativeAtr.length > 0 ? new Uint8Array(nativeAtr) : undefined;
    const events = state >>> 16;
    const missed = (events - entry.events + 0x10000) % 0x10000;
    entry.events = events;
    // A card pulled and another (or the same) put in between two reports still counts as two events in pcscd:
    // report the removal, so sessions and caches bound to the old card do not carry over.
    if (present && entry.cardPresent && missed >= 2) this.cardGone(name, entry);
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
    // The silent card left: pulling it ends the transmit that kept its handle, which is then let go. The next card
    // is connected as any other (should that handle linger a moment, pcscd's SHARING_VIOLATION says so).
    entry.heldAfterClose.clear();
    for (const s of entry.sessions) s.markRemoved();
    this.emitter.emit('card-removed', { reader: name });
  }

  /**
   * pcscd answers a transmit to a pulled card with "not transacted" before
   * the reader watch reports the removal; wait briefly for that report.
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
