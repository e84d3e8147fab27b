import { closeQuietly, type NativeBinding, type NativeContext, type NativeReaderState } from './native-binding.js';
import { ServiceGuard, serviceGate, type NativeCall } from './service-gate.js';

/**
 * What the reader watch reports: a reader came or went, a reader's state changed, PC/SC failed, or the watch
 * follows the readers again after failing (`recovered`, once per failure, after the first listing that worked,
 * whether or not it differed from the last one before the failure). @internal
 */
export type ReaderWatchEvent =
  | { readonly type: 'reader-attached' | 'status'; readonly reader: string; readonly state: number; readonly atr: Buffer | null }
  | { readonly type: 'reader-detached'; readonly reader: string }
  | { readonly type: 'error'; readonly error: unknown }
  | { readonly type: 'recovered' };

/** Listener of a {@link ReaderWatch}. @internal */
export type ReaderWatchListener = (event: ReaderWatchEvent) => void;

// pcsc-lite's name for "tell me when the reader list changes".
const PNP = '\\\\?PnP?\\Notification';
// Longest single wait in pcscd. Stopping never waits longer than this, even when the cancel misses the call
// (pcsc-lite only cancels a call that is inside its socket read).
const WAIT_SLICE_MS = 1_000;
// Pause before trying again after PC/SC failed (pcscd stopped, context lost).
const RETRY_MS = 1_000;
// How often a stop asks again to cancel the wait. A cancel reaches only a call that is already inside its socket
// read; right after an event the loop is still on its way there (a thread-pool hop, the listing), and elsewhere
// pcsc-lite's SCardCancel is a local no-op that sends nothing to pcscd, so asking again is cheap.
const CANCEL_RETRY_MS = 10;

/**
 * One loop per process that follows every reader through the binding's
 * asynchronous `SCardGetStatusChange`, shared by all open
 * {@link PcscContext}s: it holds one libuv thread-pool thread while the first
 * context is open, whatever their number, and never blocks the JavaScript
 * thread. Each round lists the readers with their states (attach, detach and
 * state changes are reported against the previous round), then waits, at
 * most a second, until a reader's state or the number of readers differs from
 * that listing.
 * @internal
 */
export class ReaderWatch {
  /** Each listener with its context's guard (the check that pcscd answers), if it gave one. */
  private readonly listeners = new Map<ReaderWatchListener, ServiceGuard | undefined>();
  private readonly known = new Map<string, NativeReaderState>();
  private context: NativeContext | undefined;
  /** The last native call made on `context`: its release waits for it (pcsc-lite locks a context per call). */
  private lastCall: NativeCall<unknown> | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** A failure was reported and no listing has worked since. */
  private failed = false;
  /** Ends the wait for the check before a new context, or the pause after a failure, when stopping. */
  private wake: (() => void) | undefined;

  public constructor(private readonly binding: NativeBinding) {}

  /**
   * Starts delivering events to `listener` (starting the loop for the first
   * one). The returned function stops them; when the last listener leaves,
   * it resolves once the loop has ended (its PC/SC context is released then,
   * or once pcscd answers again when it had stopped answering).
   * While this listener is the first one that gave a `guard` with a probe,
   * the loop's calls go through it: a check that pcscd answers before each
   * context the loop opens (a failure is reported, and the loop tries again
   * later), and a wait or listing that runs past its time while pcscd does
   * not answer is given up and reported as `SERVICE_UNRESPONSIVE`. So a pcscd
   * that stopped answering is never waited for on the JavaScript thread, and
   * holds at most the one pool thread the loop's call was on.
   */
  public subscribe(listener: ReaderWatchListener, guard?: ServiceGuard): () => Promise<void> {
    this.listeners.set(listener, guard);
    if (!this.loop) {
      this.stopping = false;
      this.loop = this.run();
    }
    return () => this.unsubscribe(listener);
  }

  /** The first listener's guard with a probe, else one without (calls made and awaited as they come). */
  private guard(): ServiceGuard {
    const guards = [...this.listeners.values()];
    return guards.find((g) => g?.target !== undefined) ?? guards.find((g) => g !== undefined) ?? new ServiceGuard(serviceGate(this.binding), undefined);
  }

  private async unsubscribe(listener: ReaderWatchListener): Promise<void> {
    const guard = this.guard();
    if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
    const loop = this.loop;
    this.stopping = true;
    this.wake?.();
    let ended = false;
    // Without asking again, a close right after an event (the usual moment: a card was taken out, a command
    // finished) waited out the rest of the slice, up to a second.
    const cancelling = (async () => {
      while (!ended) {
        if (!(await this.mayCancel(guard)) || ended) return;
        this.cancelWait();
        await new Promise((resolve) => setTimeout(resolve, CANCEL_RETRY_MS));
      }
    })();
    try {
      await loop;
    } finally {
      ended = true;
      // Not waited for: its probe may still run (up to its timeout while pcscd is silent), and a stop during the
      // loop's own check before a new context (which it shares) would wait for it, where the loop did not. Once
      // `ended`, it cancels nothing.
      void cancelling.catch(() => undefined);
    }
  }

  /**
   * Whether the wait may be cancelled now. pcsc-lite's SCardCancel, for a wait inside its socket read, opens a
   * connection to pcscd and reads the answer on the JavaScript thread with no time limit (measured through a
   * relay that stopped forwarding: the thread was held until it forwarded again). So pcscd is asked first, each
   * time; when it does not answer, its wait is given up by the gate instead (that check gave it up).
   */
  private async mayCancel(guard: ServiceGuard): Promise<boolean> {
    if (guard.target === undefined) return !guard.gate.suspect;
    return (await guard.gate.check(guard.target)) !== 'silent';
  }

  private cancelWait(): void {
    try {
      this.context?.cancel();
    } catch {
      // The context is gone already (pcscd went away): the loop is ending on its own.
    }
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        const guard = this.guard();
        try {
          if (!this.context) {
            // The binding opens a context synchronously and pcsc-lite waits for pcscd's answer with no limit.
            // A stop does not wait for the check (up to its timeout while pcscd is silent): close() keeps its second.
            await this.unlessStopped(guard.beforeContext());
            if (this.stopping) continue;
          }
          const context = (this.context ??= new this.binding.Context());
          // Listed on the thread pool: pcsc-lite's listing sleeps ~400 ms for a card that has no ATR yet.
          const listed = guard.call(() => listReaderStates(context), { operation: 'listing readers', checkAfterMs: guard.stalledCallMs });
          this.lastCall = listed;
          const listing = await listed.result;
          if (this.stopping || listing === null) continue;
          this.report(listing);
          // pcscd answering again often changes nothing the listing shows (same readers, same cards): say so, or
          // whoever heard of the failure cannot tell that the readers are followed again, nor a later failure
          // from the same one going on.
          if (this.failed) {
            this.failed = false;
            this.emit({ type: 'recovered' });
          }
          const watched = [...this.known.values()].map((r) => ({ name: r.name, state: r.state }));
          // The reader count in the upper word is what Windows expects; pcsc-lite counts readers itself.
          watched.push({ name: PNP, state: (this.known.size << 16) >>> 0 });
          // pcsc-lite's wait reads pcscd's answers with no limit before and after its timed part: past its slice
          // and a margin, pcscd is asked whether it still answers.
          const waited = guard.call(() => context.waitForChange(watched, WAIT_SLICE_MS), {
            operation: 'waiting for reader events',
            checkAfterMs: WAIT_SLICE_MS + guard.stalledCallMs,
          });
          this.lastCall = waited;
          await waited.result;
        } catch (error) {
          this.failed = true;
          this.emit({ type: 'error', error });
          await this.release();
          // While pcscd does not answer, no call is made: the next round starts with the probe before a new
          // context, so each round is this pause plus the probe's timeout.
          if (!this.stopping) await this.unlessStopped(new Promise((r) => setTimeout(r, RETRY_MS)));
        }
      }
    } finally {
      await this.release();
      this.known.clear();
      this.failed = false;
      this.loop = undefined;
      // A subscriber that came while the loop was ending starts it again.
      if (this.listeners.size > 0 && this.stopping) {
        this.stopping = false;
        this.loop = this.run();
      }
    }
  }

  /** Compares a listing with the previous one and reports what differs. */
  private report(listing: NativeReaderState[]): void {
    const changed = this.binding.SCARD_STATE_CHANGED;
    const seen = new Set<string>();
    for (const r of listing) {
      seen.add(r.name);
      const state = (r.state & ~changed) >>> 0;
      const before = this.known.get(r.name);
      if (before && before.state === state && sameAtr(before.atr, r.atr)) continue;
      this.known.set(r.name, { name: r.name, state, atr: r.atr });
      this.emit({ type: before ? 'status' : 'reader-attached', reader: r.name, state, atr: r.atr });
    }
    for (const name of [...this.known.keys()]) {
      if (seen.has(name)) continue;
      this.known.delete(name);
      this.emit({ type: 'reader-detached', reader: name });
    }
  }

  private emit(event: ReaderWatchEvent): void {
    for (const listener of [...this.listeners.keys()]) listener(event);
  }

  /** Resolves with `step`, or when a stop wakes the loop first. */
  private async unlessStopped(step: Promise<unknown>): Promise<void> {
    try {
      await Promise.race([step, new Promise<void>((resolve) => (this.wake = resolve))]);
    } finally {
      this.wake = undefined;
    }
  }

  /**
   * Releases the loop's context after its last call has ended (pcsc-lite's release waits for it, on the
   * JavaScript thread) and once pcscd answers (the release waits for its answer too). Resolves once released, or
   * held; at once when that call still runs (given up while pcscd was silent): the loop does not wait for it.
   */
  private async release(): Promise<void> {
    const context = this.context;
    const lastCall = this.lastCall;
    this.context = undefined;
    this.lastCall = undefined;
    if (!context) return;
    const released = this.guard().release(() => closeQuietly(context), lastCall?.ended);
    if (!lastCall?.running) await released;
  }
}

/**
 * Every reader with its state, through the binding's asynchronous path: asked
 * for no reader in particular, it lists them all and reports each one's state
 * at once (an unknown current state always differs). `null` when cancelled.
 * @internal
 */
export async function listReaderStates(context: NativeContext): Promise<NativeReaderState[] | null> {
  const states = await context.waitForChange([], 0);
  // With no reader, the binding watches the PnP pseudo-reader instead; some pcsc-lite versions report it.
  return states && states.filter((r) => r.name !== PNP);
}

function sameAtr(a: Buffer | null, b: Buffer | null): boolean {
  return a === b || (a !== null && b !== null && a.equals(b));
}

const watches = new WeakMap<NativeBinding, ReaderWatch>();

/** The process's reader watch over `binding`. @internal */
export function readerWatch(binding: NativeBinding): ReaderWatch {
  let watch = watches.get(binding);
  if (!watch) {
    watch = new ReaderWatch(binding);
    watches.set(binding, watch);
  }
  return watch;
}
