import { describe, expect, it } from 'vitest';
import { PcscContext, PcscError } from '../../src/pcsc/index.js';
import type { NativeBinding, NativeContext, NativeReaderState } from '../../src/pcsc/native-binding.js';
import { ReaderWatch, type ReaderWatchEvent } from '../../src/pcsc/reader-watch.js';

// The state flags pcsc-lite uses (pcsclite.h); twpki reads them from the binding.
const CHANGED = 0x2;
const EMPTY = 0x10;
const PRESENT = 0x20;
const MUTE = 0x200;
const ATR = Buffer.from([0x3b, 0x02, 0x14, 0x50]);

/**
 * A context whose listings are played from a script: each listing is one
 * answer to "every reader's state"; each wait ends after a tick (as if
 * something changed), or with `null` when cancelled.
 */
class ScriptedContext implements NativeContext {
  public closes = 0;
  public waits: Array<Array<{ name: string; state: number }>> = [];
  private cancelWait: (() => void) | undefined;

  public constructor(private readonly listings: NativeReaderState[][]) {}

  public listReaders(): never {
    throw new Error('the watch lists through waitForChange');
  }

  public waitForChange(readers: Array<{ name: string; state: number }>, timeoutMs: number): Promise<NativeReaderState[] | null> {
    if (readers.length === 0 && timeoutMs === 0) return Promise.resolve(this.listings.length > 1 ? (this.listings.shift() ?? []) : (this.listings[0] ?? []));
    this.waits.push(readers);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve([]), 5);
      this.cancelWait = () => {
        clearTimeout(timer);
        resolve(null);
      };
    });
  }

  public cancel(): void {
    this.cancelWait?.();
  }

  public close(): void {
    this.closes++;
  }
}

function bindingWith(contexts: Array<() => NativeContext>): NativeBinding {
  const Context = function (): NativeContext {
    const next = contexts.length > 1 ? contexts.shift() : contexts[0];
    if (!next) throw new Error('no context scripted');
    return next();
  } as unknown as new () => NativeContext;
  return { Context, SCARD_STATE_CHANGED: CHANGED, SCARD_STATE_PRESENT: PRESENT, SCARD_STATE_MUTE: MUTE } as NativeBinding;
}

async function eventsUntil(watch: ReaderWatch, count: number): Promise<{ events: ReaderWatchEvent[]; stop: () => Promise<void> }> {
  const events: ReaderWatchEvent[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  const stop = watch.subscribe((e) => {
    events.push(e);
    if (events.length === count) done();
  });
  await enough;
  return { events, stop };
}

describe('ReaderWatch: one loop follows the readers through the binding', () => {
  it('reports attach, state changes (not the CHANGED bit alone) and detach between listings, and waits on what it listed', async () => {
    const context = new ScriptedContext([
      [{ name: 'R', state: EMPTY | CHANGED, atr: null }],
      [{ name: 'R', state: EMPTY, atr: null }],
      [{ name: 'R', state: (1 << 16) | PRESENT | CHANGED, atr: ATR }],
      [],
    ]);
    const watch = new ReaderWatch(bindingWith([() => context]));
    const { events, stop } = await eventsUntil(watch, 3);
    await stop();
    expect(events).toEqual([
      { type: 'reader-attached', reader: 'R', state: EMPTY, atr: null },
      { type: 'status', reader: 'R', state: (1 << 16) | PRESENT, atr: ATR },
      { type: 'reader-detached', reader: 'R' },
    ]);
    // Each wait names the readers as last listed, and the PnP pseudo-reader with the reader count in its upper word.
    expect(context.waits[0]).toEqual([
      { name: 'R', state: EMPTY },
      { name: '\\\\?PnP?\\Notification', state: 1 << 16 },
    ]);
    expect(context.closes).toBe(1);
  });

  it('reports a PC/SC failure, opens a new context, and stops while it waits to retry', async () => {
    const healthy = new ScriptedContext([[{ name: 'R', state: EMPTY, atr: null }]]);
    let attempts = 0;
    const watch = new ReaderWatch(
      bindingWith([
        () => {
          attempts++;
          throw new Error('PC/SC service not running');
        },
        () => healthy,
      ]),
    );
    const { events, stop } = await eventsUntil(watch, 2);
    await stop();
    expect(attempts).toBe(1);
    expect(events[0]).toMatchObject({ type: 'error' });
    expect(events[1]).toEqual({ type: 'reader-attached', reader: 'R', state: EMPTY, atr: null });
    expect(healthy.closes).toBe(1);
  });

  it('keeps one loop for every subscriber and stops it with the last one', async () => {
    const context = new ScriptedContext([[{ name: 'R', state: EMPTY, atr: null }]]);
    const watch = new ReaderWatch(bindingWith([() => context]));
    const first = await eventsUntil(watch, 1);
    const second = watch.subscribe(() => undefined);
    await first.stop();
    expect(context.closes).toBe(0);
    await second();
    expect(context.closes).toBe(1);
  });

  it('stopped right after an event, asks again until the wait is cancelled instead of waiting out the slice', async () => {
    const context = new LateCancelContext([{ name: 'R', state: EMPTY, atr: null }], 30);
    const watch = new ReaderWatch(bindingWith([() => context]));
    // Stopped from the listener itself: the loop has not reached its wait yet, so the first cancel is lost.
    let stopped!: Promise<void>;
    const stop: () => Promise<void> = watch.subscribe(() => (stopped = stop()));
    await new Promise((r) => setTimeout(r, 0));
    await stopped;
    expect(context.endings).toEqual(['cancelled']);
    expect(context.missedCancels).toBeGreaterThan(0);
    expect(context.closes).toBe(1);
  });
});

/**
 * A context that behaves as pcsc-lite's client does: a cancel reaches a wait
 * only once the wait is inside its socket read (here `armAfterMs` after it
 * began) and is a no-op before; an uncancelled wait runs to its timeout.
 */
class LateCancelContext implements NativeContext {
  public closes = 0;
  public missedCancels = 0;
  public readonly endings: Array<'cancelled' | 'timed out'> = [];
  private cancellable: (() => void) | undefined;

  public constructor(
    private readonly listing: NativeReaderState[],
    private readonly armAfterMs: number,
  ) {}

  public listReaders(): never {
    throw new Error('the watch lists through waitForChange');
  }

  public waitForChange(readers: Array<{ name: string; state: number }>, timeoutMs: number): Promise<NativeReaderState[] | null> {
    if (readers.length === 0 && timeoutMs === 0) return Promise.resolve(this.listing);
    return new Promise((resolve) => {
      const timeout = setTimeout(() => {
        this.cancellable = undefined;
        this.endings.push('timed out');
        resolve([]);
      }, timeoutMs);
      setTimeout(() => {
        this.cancellable = () => {
          clearTimeout(timeout);
          this.cancellable = undefined;
          this.endings.push('cancelled');
          resolve(null);
        };
      }, this.armAfterMs);
    });
  }

  public cancel(): void {
    if (this.cancellable) this.cancellable();
    else this.missedCancels++;
  }

  public close(): void {
    this.closes++;
  }
}

describe('PcscContext: what the reader watch reports becomes typed events', () => {
  function contextOnScript(): { ctx: PcscContext; report: (e: ReaderWatchEvent) => void } {
    const binding = { SCARD_STATE_PRESENT: PRESENT, SCARD_STATE_MUTE: MUTE } as NativeBinding;
    // The constructor is private: establish() builds the context from the real binding. Here the watch's
    // reports are played by hand, to pin how each becomes an event.
    const ctx = new (PcscContext as unknown as new (b: NativeBinding) => PcscContext)(binding);
    const report = (e: ReaderWatchEvent): void => (ctx as unknown as { onWatch(e: ReaderWatchEvent): void }).onWatch(e);
    return { ctx, report };
  }

  it('turns attach, status and detach reports into events and reader state', () => {
    const { ctx, report } = contextOnScript();
    const seen: string[] = [];
    for (const e of ['reader-attached', 'reader-detached', 'card-inserted', 'card-removed'] as const) ctx.on(e, (p) => seen.push(`${e} ${p.reader}`));
    report({ type: 'reader-attached', reader: 'R', state: PRESENT, atr: ATR });
    expect(ctx.readers()).toEqual([{ name: 'R', cardPresent: true, atr: Uint8Array.from(ATR), mute: false }]);
    // The watch's own first report of a reader the listing already gave changes nothing.
    report({ type: 'reader-attached', reader: 'R', state: PRESENT, atr: ATR });
    report({ type: 'status', reader: 'R', state: EMPTY, atr: null });
    report({ type: 'status', reader: 'R', state: PRESENT | MUTE, atr: null });
    expect(ctx.readers()).toEqual([{ name: 'R', cardPresent: true, atr: undefined, mute: true }]);
    report({ type: 'reader-detached', reader: 'R' });
    expect(seen).toEqual(['reader-attached R', 'card-inserted R', 'card-removed R', 'card-inserted R', 'card-removed R', 'reader-detached R']);
    expect(ctx.readers()).toEqual([]);
  });

  it('close() fails a pending waitForCard with CLOSED (it never settled), and a wait on a closed context fails at once', async () => {
    const { ctx, report } = contextOnScript();
    report({ type: 'reader-attached', reader: 'R', state: EMPTY, atr: null });
    const waiting = ctx.waitForCard('R');
    const timed = ctx.waitForCard(undefined, { timeoutMs: 60_000 });
    await ctx.close();
    for (const w of [waiting, timed]) {
      const err = await w.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PcscError);
      expect((err as PcscError).code).toBe('CLOSED');
    }
    await expect(ctx.waitForCard()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('reports a removal and an insertion when pcscd counted both between two reports of a present card', () => {
    const { ctx, report } = contextOnScript();
    const seen: string[] = [];
    for (const e of ['card-inserted', 'card-removed'] as const) ctx.on(e, () => seen.push(e));
    report({ type: 'reader-attached', reader: 'R', state: (3 << 16) | PRESENT, atr: ATR });
    // Same count: a state change that is not a card event (e.g. another program connected).
    report({ type: 'status', reader: 'R', state: (3 << 16) | PRESENT | 0x100, atr: ATR });
    expect(seen).toEqual(['card-inserted']);
    report({ type: 'status', reader: 'R', state: (5 << 16) | PRESENT, atr: ATR });
    expect(seen).toEqual(['card-inserted', 'card-removed', 'card-inserted']);
    // The count wraps at 16 bits: 0xfffe → 0 is two events as well.
    report({ type: 'status', reader: 'R', state: (0xfffe << 16) | PRESENT, atr: ATR });
    seen.length = 0;
    report({ type: 'status', reader: 'R', state: (0 << 16) | PRESENT, atr: ATR });
    expect(seen).toEqual(['card-removed', 'card-inserted']);
    expect(ctx.readers()).toEqual([{ name: 'R', cardPresent: true, atr: Uint8Array.from(ATR), mute: false }]);
  });

  it('reports a failure once while it repeats, and again after something else happened', () => {
    const { ctx, report } = contextOnScript();
    const errors: PcscError[] = [];
    ctx.on('error', (e) => errors.push(e));
    const gone = { type: 'error', error: new Error('PC/SC service not running') } as const;
    report(gone);
    report(gone);
    report(gone);
    expect(errors.map((e) => e.code)).toEqual(['SERVICE_UNAVAILABLE']);
    report({ type: 'reader-attached', reader: 'R', state: EMPTY, atr: null });
    report(gone);
    expect(errors.map((e) => e.code)).toEqual(['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);
    expect(errors[0]).toBeInstanceOf(PcscError);
  });

  it('reports one failure per outage and code: a silent pcscd failing the stalled wait and then each context opening is one', () => {
    const { ctx, report } = contextOnScript();
    const errors: PcscError[] = [];
    ctx.on('error', (e) => errors.push(e));
    // What the gate gives the stalled wait, then what the next rounds' context openings meet: one silent pcscd.
    report({ type: 'error', error: new PcscError('SERVICE_UNRESPONSIVE', 'waiting for reader events: pcscd did not answer within 3000 ms') });
    report({ type: 'error', error: new PcscError('SERVICE_UNRESPONSIVE', 'opening a PC/SC context: pcscd accepted the connection and did not answer') });
    report({ type: 'error', error: new PcscError('SERVICE_UNRESPONSIVE', 'opening a PC/SC context: pcscd accepted the connection and did not answer') });
    expect(errors.map((e) => e.code)).toEqual(['SERVICE_UNRESPONSIVE']);
    // Then pcscd is gone altogether: that is news.
    report({ type: 'error', error: new Error('PC/SC service not running') });
    expect(errors.map((e) => e.code)).toEqual(['SERVICE_UNRESPONSIVE', 'SERVICE_UNAVAILABLE']);
    // Back, and silent again: a new outage.
    report({ type: 'recovered' });
    report({ type: 'error', error: new PcscError('SERVICE_UNRESPONSIVE', 'waiting for reader events: pcscd did not answer within 3000 ms') });
    expect(errors.map((e) => e.code)).toEqual(['SERVICE_UNRESPONSIVE', 'SERVICE_UNAVAILABLE', 'SERVICE_UNRESPONSIVE']);
  });

  it('ignores reports delivered after close()', async () => {
    const { ctx, report } = contextOnScript();
    const seen: string[] = [];
    ctx.on('reader-attached', (p) => seen.push(p.reader));
    await ctx.close();
    await ctx.close();
    report({ type: 'reader-attached', reader: 'late', state: EMPTY, atr: null });
    expect(seen).toEqual([]);
    expect(ctx.readers()).toEqual([]);
  });
});
