import { describe, expect, it } from 'vitest';
import { PcscContext, PcscError } from '../../src/pcsc/index.js';
import type { NativeBinding, NativeMonitor, NativeMonitorEvent } from '../../src/pcsc/native-binding.js';

// The state flags pcsc-lite uses (pcsclite.h); the context reads them from the binding.
const PRESENT = 0x20;
const MUTE = 0x200;
const EMPTY = 0x10;

class ScriptedMonitor implements NativeMonitor {
  public stops = 0;
  public start(): void {}
  public stop(): void {
    this.stops++;
  }
}

function contextOn(monitor: ScriptedMonitor): { ctx: PcscContext; report: (e: NativeMonitorEvent) => void } {
  const binding = { SCARD_STATE_PRESENT: PRESENT, SCARD_STATE_MUTE: MUTE } as NativeBinding;
  // The constructor is private: establish() builds the context from the real binding. Here the monitor's
  // reports are played by hand, to pin how each becomes an event.
  const ctx = new (PcscContext as unknown as new (b: NativeBinding, m: NativeMonitor) => PcscContext)(binding, monitor);
  const report = (e: NativeMonitorEvent): void => (ctx as unknown as { onMonitor(e: NativeMonitorEvent): void }).onMonitor(e);
  return { ctx, report };
}

describe('PcscContext: what the binding monitor reports becomes typed events', () => {
  it('turns attach, insert, remove and detach reports into events and reader state', () => {
    const { ctx, report } = contextOn(new ScriptedMonitor());
    const seen: string[] = [];
    for (const e of ['reader-attached', 'reader-detached', 'card-inserted', 'card-removed'] as const) ctx.on(e, (p) => seen.push(`${e} ${p.reader}`));
    report({ type: 'reader-attached', reader: 'R', state: PRESENT, atr: Buffer.from([0x3b, 0x02, 0x14, 0x50]) });
    expect(ctx.readers()).toEqual([{ name: 'R', cardPresent: true, atr: Uint8Array.of(0x3b, 0x02, 0x14, 0x50), mute: false }]);
    // The monitor's own start-up report of a reader the listing already gave changes nothing.
    report({ type: 'reader-attached', reader: 'R', state: PRESENT, atr: Buffer.from([0x3b, 0x02, 0x14, 0x50]) });
    report({ type: 'card-removed', reader: 'R', state: EMPTY, atr: null });
    report({ type: 'card-inserted', reader: 'R', state: PRESENT | MUTE, atr: null });
    expect(ctx.readers()).toEqual([{ name: 'R', cardPresent: true, atr: undefined, mute: true }]);
    report({ type: 'reader-detached', reader: 'R', state: 0, atr: null });
    expect(seen).toEqual(['reader-attached R', 'card-inserted R', 'card-removed R', 'card-inserted R', 'card-removed R', 'reader-detached R']);
    expect(ctx.readers()).toEqual([]);
  });

  it('reports a monitor failure once while it repeats, and again after something else happened', () => {
    const { ctx, report } = contextOn(new ScriptedMonitor());
    const errors: PcscError[] = [];
    ctx.on('error', (e) => errors.push(e));
    const gone = { type: 'error', reader: 'PC/SC service not running', state: 0, atr: null } as const;
    report(gone);
    report(gone);
    report(gone);
    expect(errors.map((e) => e.code)).toEqual(['SERVICE_UNAVAILABLE']);
    report({ type: 'reader-attached', reader: 'R', state: EMPTY, atr: null });
    report(gone);
    expect(errors.map((e) => e.code)).toEqual(['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);
    expect(errors[0]).toBeInstanceOf(PcscError);
  });

  it('stops the monitor once on close and ignores reports that were queued before', async () => {
    const monitor = new ScriptedMonitor();
    const { ctx, report } = contextOn(monitor);
    const seen: string[] = [];
    ctx.on('reader-attached', (p) => seen.push(p.reader));
    await ctx.close();
    await ctx.close();
    report({ type: 'reader-attached', reader: 'late', state: EMPTY, atr: null });
    expect(monitor.stops).toBe(1);
    expect(seen).toEqual([]);
    expect(ctx.readers()).toEqual([]);
  });
});
