import { connect as tcpConnect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PcscContext, type CardEmulator } from '../../src/pcsc/index.js';
import { VpcdBridge, vpcdReaderName } from '../../src/testing/vpcd/index.js';
import { lockReader } from '../support/reader-lock.js';
import { pcscAvailable } from '../support/pcsc-rig.js';

// The second vpcd reader ("Virtual PCD 00 01"): only the GEPI browser test uses it, under the same lock.
const PORT = 35964;
const READER = vpcdReaderName(PORT);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A card whose ATR's last byte tells it apart, answering every APDU with 9000. */
function card(last: number): CardEmulator {
  const atr = Uint8Array.of(0x3b, 0x02, 0x14, last);
  return { reset: () => atr, process: () => Uint8Array.of(0x90, 0x00) };
}

/** Waits up to `ms` for pcscd to show the card whose ATR ends in `last` in READER. */
async function shows(ctx: PcscContext, last: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    const reader = ctx.readers().find((r) => r.name === READER);
    if (reader?.cardPresent && reader.atr?.length === 4 && reader.atr[3] === last) return true;
    if (Date.now() > until) return false;
    await sleep(20);
  }
}

/** Waits up to 5 s for pcscd to show READER empty. */
async function empty(ctx: PcscContext): Promise<void> {
  const until = Date.now() + 5_000;
  while (Date.now() < until && ctx.readers().some((r) => r.name === READER && r.cardPresent)) await sleep(20);
}

/**
 * Another program's card, on a raw vpcd connection (vpcd's wire format: 2-byte length + payload; a 1-byte
 * payload 4 asks for the ATR, the other 1-byte controls need no answer; APDUs get 9000).
 */
function rawCard(last: number): Socket {
  const socket = tcpConnect({ host: '127.0.0.1', port: PORT });
  let buffer = Buffer.alloc(0);
  const answer = (payload: Buffer): void => {
    const frame = Buffer.alloc(2 + payload.length);
    frame.writeUInt16BE(payload.length, 0);
    payload.copy(frame, 2);
    socket.write(frame);
  };
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
      const frame = buffer.subarray(2, 2 + buffer.readUInt16BE(0));
      buffer = buffer.subarray(2 + frame.length);
      if (frame.length > 1) answer(Buffer.of(0x90, 0x00));
      else if (frame[0] === 4) answer(Buffer.of(0x3b, 0x02, 0x14, last));
    }
  });
  return socket;
}

// vpcd's presence check is also how it notices a card leaving and accepts the next one, and pcscd runs it from
// more places than its reader thread's poll (before every power-up, reset or power-down it is asked for). When
// another call sees the old card gone first, the reader thread never sees the change: with a reset or power-down
// that call writes "absent" itself and the next card, accepted by the next poll, is never reported (pcscd lists
// the reader empty while vpcd keeps polling the card); with pcscd's own power-down the removal is missed and the
// old card stays listed. Either way pcscd never powers the new card up, which the bridge now waits for.
describe.runIf(pcscAvailable())('VpcdBridge swapping cards in one reader', () => {
  it('is connected only once pcscd took the card in, even when a reset noticed the previous card leaving', { timeout: 30_000 }, async () => {
    const release = await lockReader(PORT);
    const ctx = await PcscContext.establish();
    let bridge: VpcdBridge | undefined;
    let previous: Socket | undefined;
    try {
      await empty(ctx);
      previous = rawCard(0x0a);
      expect(await shows(ctx, 0x0a, 10_000)).toBe(true);
      const session = await ctx.connect(READER);
      await session.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x00));
      // The card is pulled; a program's reset reaches vpcd before pcscd's next presence poll would.
      previous.destroy();
      await sleep(30);
      await session.disconnect('reset');
      bridge = await VpcdBridge.connect(card(0x0b), { port: PORT, timeoutMs: 15_000 });
      expect(await shows(ctx, 0x0b, 5_000)).toBe(true);
    } finally {
      previous?.destroy();
      await bridge?.close();
      await empty(ctx);
      await ctx.close();
      release();
    }
  });

  it('shows the next card when one bridge closes and the next connects at once', { timeout: 30_000 }, async () => {
    const release = await lockReader(PORT);
    const ctx = await PcscContext.establish();
    let bridge: VpcdBridge | undefined;
    try {
      await empty(ctx);
      for (let i = 1; i <= 3; i++) {
        // Swapped right after pcscd took the previous card in, while pcscd still means to power it down.
        await bridge?.close();
        bridge = await VpcdBridge.connect(card(i), { port: PORT, timeoutMs: 10_000 });
        expect(await shows(ctx, i, 5_000), `card ${i}`).toBe(true);
      }
    } finally {
      await bridge?.close();
      await empty(ctx);
      await ctx.close();
      release();
    }
  });
});
