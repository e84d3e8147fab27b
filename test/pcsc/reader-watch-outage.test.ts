/**
 * pcscd going away and coming back with nothing changed, as the reader watch and the context report it: the watch
 * says when it follows the readers again, and a failure after that is reported again even when it reads the same
 * as the one before (the one-report-per-failure rule used to hide it until some reader event came). Scripted
 * binding, no pcscd.
 */
import { describe, expect, it } from 'vitest';
import { PcscContext, type PcscError } from '../../src/pcsc/index.js';
import type { NativeBinding, NativeContext, NativeReaderState } from '../../src/pcsc/native-binding.js';
import { onMonitorRecovered } from '../../src/pcsc/pcsc-context.js';
import { ReaderWatch, type ReaderWatchEvent } from '../../src/pcsc/reader-watch.js';

const CHANGED = 0x2;
const EMPTY = 0x10;
const PRESENT = 0x20;
const MUTE = 0x200;
const ATR = Buffer.from([0x3b, 0x02, 0x14, 0x50]);

/**
 * A context whose listing always works and whose waits end after a tick, until `goodWaits` of them did: the next
 * fails with `waitError` (without one, none fails). `onWait` is told of each wait that does not fail.
 */
class ContextThatFailsToWait implements NativeContext {
  private cancelWait: (() => void) | undefined;
  private waits = 0;

  public constructor(
    private readonly listing: NativeReaderState[],
    private readonly waitError?: Error,
    private readonly onWait?: () => void,
    private readonly goodWaits = 0,
  ) {}

  public listReaders(): never {
    throw new Error('the watch lists through waitForChange');
  }

  public waitForChange(readers: Array<{ name: string; state: number }>, timeoutMs: number): Promise<NativeReaderState[] | null> {
    if (readers.length === 0 && timeoutMs === 0) return Promise.resolve(this.listing);
    if (this.waitError && this.waits++ >= this.goodWaits) return Promise.reject(this.waitError);
    this.onWait?.();
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

  public close(): void {}
}

function bindingWith(contexts: Array<() => NativeContext>): NativeBinding {
  const Context = function (): NativeContext {
    const next = contexts.length > 1 ? contexts.shift() : contexts[0];
    if (!next) throw new Error('no context scripted');
    return next();
  } as unknown as new () => NativeContext;
  return { Context, SCARD_STATE_CHANGED: CHANGED, SCARD_STATE_PRESENT: PRESENT, SCARD_STATE_MUTE: MUTE } as NativeBinding;
}

describe('ReaderWatch: pcscd back with nothing changed', () => {
  it('reports recovered once, after the first listing that works following a failure, and a failure after it', async () => {
    const reader = [{ name: 'R', state: (1 << 16) | PRESENT | CHANGED, atr: ATR }];
    const cutOff = new Error('Communication error');
    let ended!: () => void;
    const waiting = new Promise<void>((resolve) => (ended = resolve));
    const watch = new ReaderWatch(
      bindingWith([
        // Following the reader, until pcscd goes away during a wait.
        () => new ContextThatFailsToWait(reader, cutOff),
        // Still away at the next try.
        () => {
          throw new Error('PC/SC service not running');
        },
        // Back, same reader and card (the listing differs in nothing), and away again during the wait.
        () => new ContextThatFailsToWait(reader, cutOff),
        // Back for good: its first wait is where the script ends (everything about the listing was reported).
        () => new ContextThatFailsToWait(reader, undefined, ended),
      ]),
    );
    const events: ReaderWatchEvent[] = [];
    const stop = watch.subscribe((e) => events.push(e));
    await waiting;
    await stop();
    expect(events.map((e) => e.type)).toEqual(['reader-attached', 'error', 'error', 'recovered', 'error', 'recovered']);
  }, 20_000);
});

describe('PcscContext: the one-report-per-failure rule and the watch recovering', () => {
  function contextOn(binding: NativeBinding): { ctx: PcscContext; report: (e: ReaderWatchEvent) => void } {
    // The constructor is private: establish() builds the context from the real binding and the process's watch.
    const ctx = new (PcscContext as unknown as new (b: NativeBinding) => PcscContext)(binding);
    const report = (e: ReaderWatchEvent): void => (ctx as unknown as { onWatch(e: ReaderWatchEvent): void }).onWatch(e);
    return { ctx, report };
  }

  it('reports a failure again after the watch recovered, though it reads the same and no reader changed in between', async () => {
    const reader = [{ name: 'R', state: (1 << 16) | PRESENT | CHANGED, atr: ATR }];
    const cutOff = new Error('Communication error');
    let ended!: () => void;
    const waiting = new Promise<void>((resolve) => (ended = resolve));
    const binding = bindingWith([
      // pcscd goes away during a wait, and is back before the watch tries again (a second later).
      () => new ContextThatFailsToWait(reader, cutOff),
      // Same reader, same card: nothing to report but the recovery. A few waits later pcscd goes away again.
      () => new ContextThatFailsToWait(reader, cutOff, undefined, 3),
      () => new ContextThatFailsToWait(reader, undefined, ended),
    ]);
    const { ctx, report } = contextOn(binding);
    const errors: PcscError[] = [];
    const seen: string[] = [];
    ctx.on('error', (e) => errors.push(e));
    for (const e of ['reader-attached', 'reader-detached', 'card-inserted', 'card-removed'] as const) ctx.on(e, (p) => seen.push(`${e} ${p.reader}`));
    const stop = new ReaderWatch(binding).subscribe(report);
    await waiting;
    await stop();
    await ctx.close();
    expect(errors.map((e) => e.message)).toEqual(['monitoring readers: communication error with the reader', 'monitoring readers: communication error with the reader']);
    // The recovery is no reader event: the reader was attached and its card inserted once.
    expect(seen).toEqual(['reader-attached R', 'card-inserted R']);
  }, 20_000);

  it('tells onMonitorRecovered once per failure (not for a recovery without one), and not after it is stopped', () => {
    const { ctx, report } = contextOn({ SCARD_STATE_PRESENT: PRESENT, SCARD_STATE_MUTE: MUTE } as NativeBinding);
    const errors: PcscError[] = [];
    ctx.on('error', (e) => errors.push(e));
    let recoveries = 0;
    const stop = onMonitorRecovered(ctx, () => recoveries++);
    report({ type: 'reader-attached', reader: 'R', state: PRESENT, atr: ATR });
    const gone = { type: 'error', error: new Error('PC/SC service not running') } as const;
    report(gone);
    // pcscd came back between two tries of the watch and went away again: one failure for the watch.
    report(gone);
    expect(errors).toHaveLength(1);
    expect(recoveries).toBe(0);
    report({ type: 'recovered' });
    expect(recoveries).toBe(1);
    expect(ctx.readers()).toEqual([{ name: 'R', cardPresent: true, atr: Uint8Array.from(ATR), mute: false }]);
    report({ type: 'recovered' });
    expect(recoveries).toBe(1);
    report(gone);
    expect(errors).toHaveLength(2);
    stop();
    report({ type: 'recovered' });
    expect(recoveries).toBe(1);
  });
});
