import { closeQuietly, type NativeBinding, type NativeContext, type NativeReaderState } from './native-binding.js';

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
  /** Each listener with the check its context runs before a new PC/SC context (that pcscd answers), if any. */
  private readonly listeners = new Map<ReaderWatchListener, (() => Promise<void>) | undefined>();
  private readonly known = new Map<string, NativeReaderState>();
  private context: NativeContext | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** A failure was reported and no listing has worked since. */
  private failed = false;
  /** Ends the wait for the check before a new context, when stopping. */
  private wakeFromCheck: (() => void) | undefined;

  public constructor(private readonly binding: NativeBinding) {}

  /**
   * Starts delivering events to `listener` (starting the loop for the first
   * one). The returned function stops them; when the last listener leaves,
   * it resolves once the loop has ended and its PC/SC context is released.
   * `beforeContext` runs before each context the loop opens while this
   * listener is the first one that gave one (a rejection is reported as a
   * failure, and the loop tries again later), so a pcscd that stopped
   * answering is never waited for on the JavaScript thread.
   */
  public subscribe(listener: ReaderWatchListener, beforeContext?: () => Promise<void>): () => Promise<void> {
    this.listeners.set(listener, beforeContext);
    if (!this.loop) {
      this.stopping = false;
      this.loop = this.run();
    }
    return () => this.unsubscribe(listener);
  }

  private async unsubscribe(listener: ReaderWatchListener): Promise<void> {
    if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
    const loop = this.loop;
    this.stopping = true;
    this.wakeFromCheck?.();
    this.cancelWait();
    // Without asking again, a close right after an event (the usual moment: a card was taken out, a command
    // finished) waited out the rest of the slice, up to a second.
    const again = setInterval(() => this.cancelWait(), CANCEL_RETRY_MS);
    try {
      await loop;
    } finally {
      clearInterval(again);
    }
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
        try {
          if (!this.context) {
            // The binding opens a context synchronously and pcsc-lite waits for pcscd's answer with no limit.
            const check = [...this.listeners.values()].find((c) => c !== undefined);
            // A stop does not wait for the check (up to its timeout while pcscd is silent): close() keeps its second.
            if (check) await Promise.race([check(), new Promise<void>((resolve) => (this.wakeFromCheck = resolve))]);
            this.wakeFromCheck = undefined;
            if (this.stopping) continue;
          }
          const context = (this.context ??= new this.binding.Context());
          // Listed on the thread pool: pcsc-lite's listing sleeps ~400 ms for a card that has no ATR yet.
          const listing = await listReaderStates(context);
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
          await context.waitForChange(watched, WAIT_SLICE_MS);
        } catch (error) {
          this.failed = true;
          this.emit({ type: 'error', error });
          this.release();
          if (!this.stopping) await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    } finally {
      this.release();
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

  private release(): void {
    const context = this.context;
    this.context = undefined;
    if (context) closeQuietly(context);
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
