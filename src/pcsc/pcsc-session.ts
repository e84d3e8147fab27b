import { CardChannel, withTimeout } from './card-channel.js';
import { CardRemovedError, PcscError, PcscTimeoutError, mapPcscError, markNotSent } from './errors.js';
import { closeQuietly, type NativeBinding, type NativeCard } from './native-binding.js';
import type { ReaderLine, ReaderLines } from './reader-lines.js';
import { ServiceGuard, serviceGate, type NativeCall } from './service-gate.js';

/** PC/SC share mode of a session. */
export type ShareMode = 'exclusive' | 'shared';

/** The transmission protocol negotiated with the card. */
export type CardProtocol = 'T=0' | 'T=1' | 'other';

/** What to do with the card when a session ends. */
export type Disposition = 'leave' | 'reset' | 'unpower';

/** @internal */
export interface PcscSessionInit {
  share: ShareMode;
  timeoutMs: number;
  atr: () => Uint8Array;
  onClose: (session: PcscSession) => void;
  /**
   * Called when the session is closed, its card still in, while an exchange a timeout abandoned still runs: the
   * session's handle, and with it the reader (exclusively, in the default share mode), stays held until
   * `released` settles, when the card answers or is pulled and the handle has been let go.
   */
  onHeldAfterClose: (released: Promise<void>) => void;
  cardGone: () => Promise<boolean>;
  /** Where the session's PC/SC context and reader handle come from, and go back to. */
  lines: ReaderLines;
  /** The check that pcscd answers, for the session's native calls and releases (default: none, calls as they come). */
  guard?: ServiceGuard;
}

// pcscd's answers to a transmit whose card has just been pulled.
const MAYBE_REMOVED = new Set(['PROTOCOL_ERROR', 'CARD_UNRESPONSIVE', 'CARD_RESET', 'READER_UNAVAILABLE']);

// How connecting through a kept line fails when its context or reader handle is no longer valid.
const STALE_LINE = new Set(['CLOSED', 'SERVICE_UNAVAILABLE', 'UNKNOWN_READER', 'READER_UNAVAILABLE', 'UNKNOWN']);

// Largest possible extended-length response: 65536 data bytes + SW.
const MAX_RESPONSE = 65_538;

/**
 * A session with the card in one PC/SC reader; implements
 * {@link Transport}. Obtain it from {@link PcscContext.connect}.
 *
 * Each reader's sessions have a PC/SC context of their own (kept for the
 * reader's next session), so a slow connect or transmit on one reader never
 * holds up another. The native binding exposes no
 * SCardBeginTransaction, so {@link Transport.transaction} serialises callers
 * within this process; the default `exclusive` share mode keeps other
 * processes out.
 */
export class PcscSession extends CardChannel implements AsyncDisposable {
  /** Share mode the session was opened with. */
  public readonly share: ShareMode;
  private protocolCode = 0;
  /** `lost`: a command or reconnect was given up when pcscd stopped answering (see {@link PcscSession.lose}). */
  private state: 'new' | 'open' | 'removed' | 'lost' | 'closed' = 'new';
  /** Resets this session made (`reset()`, the reset of a disconnect). */
  private resets = 0;
  /** Reconnects that left the card as it was: the card may have been reset by someone else, or not. */
  private reconnects = 0;
  private line: ReaderLine | undefined;
  private card: NativeCard | undefined;
  private readonly guard: ServiceGuard;
  /** The session's last native call on its card (transmit, reconnect): its handle is let go only after it ends. */
  private lastCall: NativeCall<unknown> | undefined;

  /** @internal */
  public constructor(
    private readonly binding: NativeBinding,
    public readonly readerName: string,
    private readonly init: PcscSessionInit,
  ) {
    super(init.timeoutMs);
    this.share = init.share;
    this.guard = init.guard ?? new ServiceGuard(serviceGate(binding), undefined);
  }

  public get atr(): Uint8Array {
    return this.init.atr();
  }

  public get epoch(): number {
    return this.resets + this.reconnects;
  }

  /** Resets this session made; a reconnect that leaves the card is not one (see {@link Transport.cardResets}). */
  public override get cardResets(): number {
    return this.resets;
  }

  /** Negotiated protocol. */
  public get protocol(): CardProtocol {
    if (this.protocolCode === this.binding.SCARD_PROTOCOL_T0) return 'T=0';
    if (this.protocolCode === this.binding.SCARD_PROTOCOL_T1) return 'T=1';
    return 'other';
  }

  /** Whether the session can still be used. */
  public get isOpen(): boolean {
    return this.state === 'open';
  }

  /** @internal Whether the session is opening or open (a session whose card was pulled is neither). */
  public get holdsReader(): boolean {
    return this.state === 'new' || this.state === 'open';
  }

  /** @internal */
  public async open(): Promise<void> {
    const name = this.readerName;
    const { line, reused } = await this.init.lines.take(name);
    try {
      await this.openOn(line);
    } catch (error) {
      // A kept line can outlive what it was made on (pcscd restarted, the reader plugged in again): once more on a new one.
      if (!reused || !(error instanceof PcscError) || !STALE_LINE.has(error.code)) throw error;
      await this.openOn(await this.init.lines.open(name));
    }
  }

  /**
   * Connects through `line`. On failure the line is kept when the card refused, closed when the line itself may be
   * stale, and released when a connect that timed out answers late.
   */
  private async openOn(line: ReaderLine): Promise<void> {
    const name = this.readerName;
    const connecting = this.guard.call(() => line.reader.connect(this.shareMode(), this.protocols()), {
      operation: 'connecting to the card',
      reader: name,
      checkAfterMs: this.guard.stalledCallMs,
    });
    let card: NativeCard;
    try {
      card = await withTimeout(
        connecting.result.catch((error: unknown) => Promise.reject(mapPcscError(error, 'connecting to the card', name))),
        this.init.timeoutMs,
        'connecting to the card',
        name,
      );
    } catch (error) {
      if (connecting.running || error instanceof PcscTimeoutError) {
        // Timed out, or given up when pcscd stopped answering: a connect that answers later still holds the card
        // (and pcsc-lite's lock on the line's context until then). Release both once it ends.
        void connecting.native.then(
          (late) => release(late, line, this.binding.SCARD_LEAVE_CARD, this.guard, undefined, connecting.ended),
          () => this.guard.release(() => closeQuietly(line.context), connecting.ended),
        );
      } else if (error instanceof PcscError && error.code === 'SERVICE_UNRESPONSIVE') {
        // Refused before anything was sent (pcscd still does not answer): the line is as sound as before.
        void this.init.lines.give(line);
      } else if (error instanceof PcscError && !STALE_LINE.has(error.code)) {
        // The card refused (no card, mute, in use): the line is sound, and a card put in upside down must not
        // cost every retry a new listing (the 400 ms that lines avoid).
        void this.init.lines.give(line);
      } else {
        void this.init.lines.closeLine(line);
      }
      throw error;
    }
    if (this.state === 'closed') {
      // Closed while connecting (its context closed): the card it now holds is let go at once, never handed out.
      void release(card, line, this.binding.SCARD_LEAVE_CARD, this.guard, undefined, connecting.ended);
      throw new PcscError('CLOSED', 'the session was closed while connecting', { reader: name });
    }
    this.line = line;
    this.card = card;
    this.protocolCode = card.protocol;
    this.state = 'open';
  }

  /**
   * Ends the session (idempotent). `leave` (default) leaves the card as it is, its security state included (a
   * verified PIN stays usable by the next connection); `reset` warm-resets it; `unpower` powers it down.
   *
   * A `reset` of an open session is made with an SCardReconnect (on the thread pool) before the handle is let
   * go: `SCardDisconnect` with a reset disposition is synchronous in the binding and would hold this thread for
   * the whole reset (100 ms per card with vpcd, a reader's reset time on hardware). If that reconnect fails, the
   * handle is let go with the reset disposition; if it times out, once it ends, as after an abandoned exchange.
   *
   * A session whose command or reconnect was given up when pcscd stopped answering (`SERVICE_UNRESPONSIVE`) is
   * let go with a reset even when `leave` is asked, once that call has ended: it may still reach the card.
   */
  public disconnect(disposition: Disposition = 'leave'): Promise<void> {
    return this.locked(async () => {
      if (this.state === 'closed') return;
      // A lost session's card is let go as lose() says; not reported as held (pcscd, not the card, was silent).
      const cardIn = this.state === 'open';
      let code = this.dispositionCode(disposition);
      let pending: Promise<number> | undefined;
      if (disposition === 'reset' && cardIn && this.card && !this.inflight) {
        const reset = await this.resetOnRelease(this.card);
        if (reset === 'done') code = this.binding.SCARD_LEAVE_CARD;
        else if (reset !== 'failed') pending = reset.later;
      }
      this.state = 'closed';
      this.init.onClose(this);
      await this.releaseNative(code, cardIn, pending);
    });
  }

  /**
   * The reset of {@link PcscSession.disconnect}: `done`, `failed` (let go with SCARD_RESET_CARD instead), or, when
   * the reconnect outlived the session's timeout, the disposition to let go with once it ends (leave after a
   * reset that happened, reset otherwise).
   */
  private async resetOnRelease(card: NativeCard): Promise<'done' | 'failed' | { later: Promise<number> }> {
    const reconnecting = this.guard.call(() => card.reconnect(this.shareMode(), this.protocols(), this.binding.SCARD_RESET_CARD), {
      operation: 'resetting the card',
      reader: this.readerName,
      checkAfterMs: this.guard.stalledCallMs,
    });
    try {
      this.protocolCode = await withTimeout(reconnecting.result, this.init.timeoutMs, 'resetting the card', this.readerName);
      this.resets++;
      return 'done';
    } catch {
      // Failed: let go with a reset. Still running (timed out, or given up when pcscd stopped answering): let go
      // once it ends, with a reset unless it made one.
      if (!reconnecting.running) return 'failed';
      return {
        later: reconnecting.native.then(
          () => this.binding.SCARD_LEAVE_CARD,
          () => this.binding.SCARD_RESET_CARD,
        ),
      };
    }
  }

  /**
   * Lets go of the handle, at once or (`cardIn`: tell the context the reader stays held) after an abandoned
   * exchange, or after `pending` (a reconnect still running), with the disposition it settles to. Resolves once
   * it is let go (or held while pcscd does not answer), at once when it waits for a call still running.
   */
  private async releaseNative(disposition: number, cardIn: boolean, pending?: Promise<number>): Promise<void> {
    const { card, line } = this;
    this.card = undefined;
    this.line = undefined;
    if (!card || !line) return;
    // The exchange still running (a timeout abandoned it), and the native call it made, which outlives it when
    // the gate gave it up: SCardDisconnect waits for that call too (pcsc-lite's lock on the context).
    const lastCall = this.lastCall;
    const native = lastCall?.running ? lastCall.ended : undefined;
    const exchange = this.inflight;
    // A call the gate gave up may reach the card late (a VERIFY among them): a reset ends whatever it did, as lose()
    // says, also when the session was ended (leave) before the gate gave the call up or before lose() ran. Read
    // once the call has ended: a timeout may have abandoned it before the gate did.
    const settle = (): number =>
      lastCall?.abandoned && disposition === this.binding.SCARD_LEAVE_CARD ? this.binding.SCARD_RESET_CARD : disposition;
    const running = pending ?? (native || exchange ? Promise.all([native, exchange]).then(settle) : undefined);
    if (!running) {
      await release(card, line, settle(), this.guard, this.init.lines);
      return;
    }
    // A transmit a timeout abandoned still runs in pcsc-lite, and SCardDisconnect (synchronous in the binding)
    // waits for it on the JavaScript thread: with a card that went silent, the whole process would stop. The
    // session is closed now; its handle is let go once that transmit ends (the card answers, or is pulled; pcscd
    // has just answered then, so no probe is made first).
    const released = running.then((code) => release(card, line, code, this.guard, this.init.lines, running));
    // Until then the handle keeps the card from every connect, this process's own included: the context says so
    // at once instead of letting callers wait for a sharing violation that is their own. A pulled card's hold is
    // not reported: the removal ends the transmit, and the next card is a new one.
    if (cardIn) this.init.onHeldAfterClose(released);
  }

  /** Warm-resets the card and reconnects; volatile card state is lost. */
  public reset(): Promise<Uint8Array> {
    return this.reconnectWith('reset');
  }

  /** Drops and re-opens the connection, leaving the card as it is. */
  public reconnect(): Promise<Uint8Array> {
    return this.reconnectWith('leave');
  }

  /** Same as `disconnect()` (leaving the card as it is); lets `await using` end the session. */
  public [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** @internal Called by the context when the reader reports the card gone. */
  public markRemoved(): void {
    if (this.state !== 'open') return;
    this.state = 'removed';
    // pcscd keeps a pulled card's handle, and with it an exclusive hold on the reader, until it is disconnected:
    // let go now (after any exchange in flight), so the next card can be connected before this session is closed.
    void this.locked(async () => this.releaseNative(this.binding.SCARD_LEAVE_CARD, false)).catch(() => undefined);
  }

  /**
   * pcscd stopped answering while this session's command or reconnect ran, and the gate gave the call up: it may
   * still reach the card, or have reached it, when pcscd answers again. Nothing more is sent on this handle (a
   * later command's answer could not be told from what that call leaves behind, and the card's state is unknown),
   * and the handle is let go once that call has ended and pcscd answers, with a reset: whatever the call did, a
   * PIN verification it may have completed does not outlive the session.
   */
  private lose(): void {
    if (this.state !== 'open') return;
    this.state = 'lost';
    void this.locked(async () => this.releaseNative(this.binding.SCARD_RESET_CARD, false)).catch(() => undefined);
  }

  /** Each refusal a new error, said to be one of a command never sent (see CardChannel.assertUsable). */
  protected assertUsable(): void {
    if (this.state === 'removed') throw markNotSent(new CardRemovedError(this.readerName), true);
    if (this.state === 'lost') {
      throw new PcscError(
        'SERVICE_UNRESPONSIVE',
        'the session was given up when the PC/SC service (pcscd) stopped answering during one of its commands; ' +
          'connect again once pcscd answers',
        { reader: this.readerName, notSent: true },
      );
    }
    if (this.state !== 'open' || !this.card) throw new PcscError('CLOSED', 'the session is not open', { reader: this.readerName, notSent: true });
  }

  protected async exchange(command: Uint8Array): Promise<Uint8Array> {
    const card = this.card;
    if (!card) throw new PcscError('CLOSED', 'the session is not open', { reader: this.readerName, notSent: true });
    try {
      let response: Uint8Array;
      // The binding's copy of the command (from Node's shared pool) is this exchange's own: zeroed once the
      // native call has returned, as it may hold a PIN.
      const sent = Buffer.from(command);
      // The binding copies the command into the call it queues, so zeroing `sent` never reaches the native call,
      // also when the gate gives it up before it ends.
      const transmitting = this.guard.call(() => card.transmit(sent, { maxRecvLength: MAX_RESPONSE }), {
        operation: 'transmit',
        reader: this.readerName,
        checkAfterMs: this.guard.stalledCallMs,
      });
      this.lastCall = transmitting;
      try {
        response = new Uint8Array(await transmitting.result);
      } catch (error) {
        if (transmitting.abandoned) this.lose();
        // Refused by the gate before the native call was made (pcscd still silent): the command never went out.
        throw markNotSent(mapPcscError(error, 'transmit', this.readerName), !transmitting.started);
      } finally {
        sent.fill(0);
      }
      // Some drivers (vpcd) hand back an empty answer when the card vanishes.
      if (response.length < 2 && (await this.init.cardGone())) {
        this.markRemoved();
        throw new CardRemovedError(this.readerName);
      }
      return response;
    } catch (error) {
      if (error instanceof PcscError && MAYBE_REMOVED.has(error.code) && (await this.init.cardGone())) {
        this.markRemoved();
        throw new CardRemovedError(this.readerName, { cause: error, pcscCode: error.pcscCode });
      }
      if (error instanceof PcscError && error.code === 'CARD_REMOVED') this.markRemoved();
      throw error;
    }
  }

  /** `SCardReconnect` on the session's handle: a warm reset (`reset`) or a fresh connection to the card as it is. */
  private reconnectWith(disposition: Disposition): Promise<Uint8Array> {
    return this.locked(async () => {
      this.assertUsable();
      const card = this.card as NativeCard;
      const call = this.guard.call(() => card.reconnect(this.shareMode(), this.protocols(), this.dispositionCode(disposition)), {
        operation: 'reconnecting to the card',
        reader: this.readerName,
        checkAfterMs: this.guard.stalledCallMs,
      });
      this.lastCall = call;
      const reconnecting = call.result.catch((error: unknown) => {
        if (call.abandoned) this.lose();
        return Promise.reject(mapPcscError(error, 'reconnecting to the card', this.readerName));
      });
      this.protocolCode = await withTimeout(reconnecting, this.init.timeoutMs, 'reconnecting to the card', this.readerName);
      if (disposition === 'leave') this.reconnects++;
      else this.resets++;
      return this.atr;
    });
  }

  private shareMode(): number {
    return this.share === 'exclusive' ? this.binding.SCARD_SHARE_EXCLUSIVE : this.binding.SCARD_SHARE_SHARED;
  }

  private protocols(): number {
    return this.binding.SCARD_PROTOCOL_T0 | this.binding.SCARD_PROTOCOL_T1;
  }

  private dispositionCode(disposition: Disposition): number {
    if (disposition === 'reset') return this.binding.SCARD_RESET_CARD;
    if (disposition === 'unpower') return this.binding.SCARD_UNPOWER_CARD;
    return this.binding.SCARD_LEAVE_CARD;
  }
}

/**
 * Disconnects (a failure means the handle is gone already), then gives the
 * line back to `lines` for the reader's next session, or closes it.
 */
function release(
  card: NativeCard,
  line: ReaderLine,
  disposition: number,
  guard: ServiceGuard,
  lines?: ReaderLines,
  after?: Promise<unknown>,
): Promise<void> {
  // SCardDisconnect and the context's release wait for pcscd's answer on the JavaScript thread: made once pcscd is
  // known to answer (right after `after`, the last call on the handle, else after a probe), held while it does not.
  return guard.release(() => {
    let disconnected = false;
    try {
      if (card.connected) card.disconnect(disposition);
      disconnected = true;
    } catch {
      // pcscd dropped the handle (card pulled, reader gone): nothing left to release.
    }
    if (lines && disconnected) void lines.give(line);
    else closeQuietly(line.context);
  }, after);
}
