/**
 * `PcscSession.disconnect('reset')` resets the card with SCardReconnect (on the thread pool) and then lets the
 * handle go with SCARD_LEAVE_CARD: the binding's SCardDisconnect is synchronous, and with a reset disposition it
 * would hold the JavaScript thread for the whole reset (the agent's other requests wait meanwhile). A reconnect
 * that fails falls back to SCardDisconnect with the reset; one that outlives the timeout is waited for before the
 * handle is let go, as an abandoned transmit is.
 */
import { describe, expect, it } from 'vitest';
import { PcscContext, PcscError } from '../../src/pcsc/index.js';
import type { NativeBinding, NativeCard, NativeContext, NativeReaderHandle, NativeReaderState } from '../../src/pcsc/native-binding.js';
import { SCARD_CONSTANTS } from '../support/one-reader-binding.js';
import type { ReaderWatchEvent } from '../../src/pcsc/reader-watch.js';

const PRESENT = 0x20;
const ATR = Buffer.from([0x3b, 0x02, 0x14, 0x50]);
const LEAVE = 0;
const RESET = 1;
const UNPOWER = 2;

type Reconnect = 'ok' | 'fails' | { until: Promise<void> };

/** A card handle recording what the session did with it. */
class RecordingCard implements NativeCard {
  public readonly protocol = 2;
  public connected = true;
  public readonly calls: string[] = [];
  public constructor(private readonly reconnectBehaviour: Reconnect) {}
  public transmit(): Promise<Buffer> {
    return Promise.resolve(Buffer.from([0x90, 0x00]));
  }
  public disconnect(disposition: number): void {
    this.calls.push(`disconnect ${disposition}`);
    this.connected = false;
  }
  public reconnect(_share: number, _protocols: number, initialization: number): Promise<number> {
    this.calls.push(`reconnect ${initialization}`);
    const behaviour = this.reconnectBehaviour;
    if (behaviour === 'ok') return Promise.resolve(2);
    if (behaviour === 'fails') return Promise.reject(new Error('Card was removed.'));
    return behaviour.until.then(() => 2);
  }
}

function contextWith(card: RecordingCard): PcscContext {
  const Context = function (): NativeContext {
    return {
      listReaders: (): Array<NativeReaderHandle & NativeReaderState> => [{ name: 'R', state: PRESENT, atr: ATR, connect: () => Promise.resolve(card) }],
      waitForChange: () => Promise.resolve(null),
      cancel: () => undefined,
      close: () => undefined,
    };
  } as unknown as new () => NativeContext;
  const binding: NativeBinding = {
    Context,
    ...SCARD_CONSTANTS,
  };
  const ctx = new (PcscContext as unknown as new (b: NativeBinding) => PcscContext)(binding);
  (ctx as unknown as { onWatch(e: ReaderWatchEvent): void }).onWatch({ type: 'reader-attached', reader: 'R', state: PRESENT, atr: ATR });
  return ctx;
}

describe('PcscSession.disconnect and the card reset', () => {
  it('reset: SCardReconnect with SCARD_RESET_CARD, then SCardDisconnect leaving the (reset) card; the epoch moves', async () => {
    const card = new RecordingCard('ok');
    const ctx = contextWith(card);
    const session = await ctx.connect('R');
    const epoch = session.epoch;
    await session.disconnect('reset');
    expect(card.calls).toEqual([`reconnect ${RESET}`, `disconnect ${LEAVE}`]);
    expect(session.epoch).toBe(epoch + 1);
    expect(session.isOpen).toBe(false);
    // Idempotent: nothing more is sent to the card.
    await session.disconnect('reset');
    expect(card.calls).toHaveLength(2);
    await ctx.close();
  });

  it('leave (the default) and unpower: one SCardDisconnect with that disposition, no reconnect', async () => {
    for (const [disposition, code] of [
      [undefined, LEAVE],
      ['leave', LEAVE],
      ['unpower', UNPOWER],
    ] as const) {
      const card = new RecordingCard('ok');
      const ctx = contextWith(card);
      await (await ctx.connect('R')).disconnect(disposition);
      expect(card.calls).toEqual([`disconnect ${code}`]);
      await ctx.close();
    }
  });

  it('a reconnect that fails: SCardDisconnect with the reset disposition instead', async () => {
    const card = new RecordingCard('fails');
    const ctx = contextWith(card);
    await (await ctx.connect('R')).disconnect('reset');
    expect(card.calls).toEqual([`reconnect ${RESET}`, `disconnect ${RESET}`]);
    await ctx.close();
  });

  it('a reconnect that outlives the timeout: the handle is let go once it ends, and the reader counts as held meanwhile', async () => {
    let finish!: () => void;
    const card = new RecordingCard({ until: new Promise<void>((resolve) => (finish = resolve)) });
    const ctx = contextWith(card);
    const session = await ctx.connect('R', { timeoutMs: 30 });
    await session.disconnect('reset');
    expect(card.calls).toEqual([`reconnect ${RESET}`]);
    await expect(ctx.connect('R')).rejects.toSatisfy((e) => e instanceof PcscError && e.code === 'CARD_UNRESPONSIVE');
    finish();
    await new Promise((r) => setTimeout(r, 10));
    expect(card.calls).toEqual([`reconnect ${RESET}`, `disconnect ${LEAVE}`]);
    await ctx.close();
  });
});
