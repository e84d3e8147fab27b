import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CardEmulator } from '../../../src/pcsc/index.js';
import { VpcdBridge } from '../../../src/testing/vpcd/index.js';

// A stand-in for vpcd on a free port, with no pcscd behind it: it asks every card it accepts for its ATR and then
// powers it up at once, as pcscd does for a card it takes in; it lets a card go when the card ends its side.
let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function fakeVpcd(): Promise<number> {
  server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write(Uint8Array.of(0, 1, 1))); // the ATR came: power on
    socket.on('end', () => socket.end());
    socket.write(Uint8Array.of(0, 1, 4)); // ask for the ATR
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const card: CardEmulator = { reset: () => Uint8Array.of(0x3b, 0x00), process: () => Uint8Array.of(0x90, 0x00) };

describe('VpcdBridge right after its own close', () => {
  it('counts timeoutMs from when it connects, not from the settle wait before it (a short timeoutMs failed at once)', async () => {
    const port = await fakeVpcd();
    const first = await VpcdBridge.connect(card, { port, timeoutMs: 2_000 });
    await first.close();
    // The next connect waits up to 500 ms for pcscd to see the reader empty; 300 ms is the card's own time after that.
    const second = await VpcdBridge.connect(card, { port, timeoutMs: 300 });
    expect(second.connected).toBe(true);
    await second.close();
  });
});
