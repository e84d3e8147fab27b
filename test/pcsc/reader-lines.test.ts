import { describe, expect, it } from 'vitest';
import { PcscContext, PcscError } from '../../src/pcsc/index.js';
import type { NativeBinding, NativeCard, NativeContext, NativeReaderHandle, NativeReaderState } from '../../src/pcsc/native-binding.js';
import { SCARD_CONSTANTS } from '../support/one-reader-binding.js';
import type { ReaderWatchEvent } from '../../src/pcsc/reader-watch.js';

const PRESENT = 0x20;
const ATR = Buffer.from([0x3b, 0x02, 0x14, 0x50]);

/** A card handle that answers nothing and records its disconnect. */
class FakeCard implements NativeCard {
  public readonly protocol = 2;
  public connected = true;
  public transmit(): Promise<Buffer> {
    return Promise.resolve(Buffer.from([0x90, 0x00]));
  }
  public disconnect(): void {
    this.connected = false;
  }
  public reconnect(): Promise<number> {
    return Promise.resolve(2);
  }
}

/**
 * The binding as sessions see it: every context made, every listing, and a
 * script of connect failures (the binding's own message texts).
 */
class Script {
  public readonly contexts: Array<{ closed: boolean; listings: number }> = [];
  /** Messages the next connects fail with, in order; then connects succeed. */
  public failures: string[] = [];

  public binding(): NativeBinding {
    const script = this;
    const Context = function (): NativeContext {
      const record = { closed: false, listings: 0 };
      script.contexts.push(record);
      return {
        listReaders(): Array<NativeReaderHandle & NativeReaderState> {
          if (record.closed) throw new Error('Context is not valid');
          record.listings++;
          return [
            {
              name: 'R',
              state: PRESENT,
              atr: ATR,
              connect: () => {
                const failure = script.failures.shift();
                return failure === undefined ? Promise.resolve(new FakeCard()) : Promise.reject(new Error(failure));
              },
            },
          ];
        },
        waitForChange: () => Promise.resolve(null),
        cancel: () => undefined,
        close: () => {
          record.closed = true;
        },
      };
    } as unknown as new () => NativeContext;
    return {
      Context,
      ...SCARD_CONSTANTS,
    };
  }
}

/** A context on the scripted binding, its reader reports played by hand (establish() uses the real binding). */
function contextOn(script: Script): { ctx: PcscContext; report: (e: ReaderWatchEvent) => void } {
  const ctx = new (PcscContext as unknown as new (b: NativeBinding) => PcscContext)(script.binding());
  const report = (e: ReaderWatchEvent): void => (ctx as unknown as { onWatch(e: ReaderWatchEvent): void }).onWatch(e);
  report({ type: 'reader-attached', reader: 'R', state: PRESENT, atr: ATR });
  return { ctx, report };
}

describe('PcscContext: sessions on a reader share one kept PC/SC context and reader handle', () => {
  it('lists the readers once for many sessions on a reader, and closes the kept context with the PcscContext', async () => {
    const script = new Script();
    const { ctx } = contextOn(script);
    for (let i = 0; i < 3; i++) {
      const session = await ctx.connect('R');
      expect(session.isOpen).toBe(true);
      await session.disconnect();
    }
    expect(script.contexts).toEqual([{ closed: false, listings: 1 }]);
    await ctx.close();
    expect(script.contexts).toEqual([{ closed: true, listings: 1 }]);
  });

  it('drops the kept context when its reader goes or the reader watch fails, and lists again for the next session', async () => {
    const script = new Script();
    const { ctx, report } = contextOn(script);
    await (await ctx.connect('R')).disconnect();
    report({ type: 'reader-detached', reader: 'R' });
    expect(script.contexts[0]?.closed).toBe(true);
    report({ type: 'reader-attached', reader: 'R', state: PRESENT, atr: ATR });
    await (await ctx.connect('R')).disconnect();
    report({ type: 'error', error: new Error('Service not available') });
    expect(script.contexts.map((c) => c.closed)).toEqual([true, true]);
    await (await ctx.connect('R')).disconnect();
    expect(script.contexts.map((c) => c.listings)).toEqual([1, 1, 1]);
    await ctx.close();
  });

  it('opens on a new context when the kept one is no longer valid (pcscd restarted), and closes the old one', async () => {
    const script = new Script();
    const { ctx } = contextOn(script);
    await (await ctx.connect('R')).disconnect();
    script.failures = ['Invalid handle'];
    const session = await ctx.connect('R');
    expect(session.isOpen).toBe(true);
    expect(script.contexts).toEqual([
      { closed: true, listings: 1 },
      { closed: false, listings: 1 },
    ]);
    await session.disconnect();
    await ctx.close();
  });

  it('keeps the line through refusals about the card (in use, none, mute) and does not retry them', async () => {
    const script = new Script();
    const { ctx } = contextOn(script);
    await (await ctx.connect('R')).disconnect();
    const codes: string[] = [];
    for (const failure of ['Sharing violation', 'No smart card present', 'Card is unresponsive']) {
      script.failures = [failure];
      const refused = await ctx.connect('R').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PcscError);
      codes.push((refused as PcscError).code);
    }
    expect(codes).toEqual(['SHARING_VIOLATION', 'NO_CARD', 'CARD_UNRESPONSIVE']);
    // One context, listed once, for the first session, the three refusals and the session that follows.
    await (await ctx.connect('R')).disconnect();
    expect(script.contexts).toEqual([{ closed: false, listings: 1 }]);
    await ctx.close();
    expect(script.contexts).toEqual([{ closed: true, listings: 1 }]);
  });
});
