/**
 * No copy of a Gen1 VERIFY outlives verifyPin: its data is the PIN under a publicly known key, as secret as the
 * PIN. The real PcscSession runs on a fake native binding whose reader holds a virtual card, and Node's shared
 * Buffer pool (where the binding's copy of each command comes from) is searched for any decryptable VERIFY.
 */
import { describe, expect, it } from 'vitest';
import { HiCOSCard, RetryCounterStore } from '../../src/apdu/index.js';
import { decryptGen1PinBlock } from '../../src/apdu/crypto/gen1-pin-block.js';
import { gen1VerifyCommand } from '../../src/apdu/pin/present-pin.js';
import { PcscSession } from '../../src/pcsc/pcsc-session.js';
import { ReaderLines } from '../../src/pcsc/reader-lines.js';
import type { NativeBinding, NativeCard } from '../../src/pcsc/native-binding.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { testCredentials } from './support/virtual-cards.js';
import { oneReaderBinding } from '../support/one-reader-binding.js';

const PIN = 'Qz83kW7p';
const READER = 'fake reader';

/** A smartcard binding whose one reader holds `card`: the real PcscSession code runs on top of it. */
function fakeBinding(card: VirtualHiCOSCard): NativeBinding {
  const atr = card.reset();
  const native: NativeCard = {
    protocol: 2,
    connected: true,
    transmit: (command) => Promise.resolve(Buffer.from(card.process(new Uint8Array(command)))),
    disconnect: () => undefined,
    reconnect: () => Promise.resolve(2),
  };
  return oneReaderBinding(READER, atr, native);
}

/** Every PIN recoverable from a Gen1 VERIFY (8C 20 00 01 20 + 32 bytes) found in the Buffer pool in use (or `memory`). */
function pinsInPool(memory: ArrayBufferLike = Buffer.from('x').buffer): string[] {
  const pool = Buffer.from(memory, 0, memory.byteLength);
  const header = Buffer.alloc(5);
  header.set([0x8c, 0x20, 0x00, 0x01, 0x20]);
  const found: string[] = [];
  for (let at = pool.indexOf(header); at !== -1; at = pool.indexOf(header, at + 1)) {
    const padded = decryptGen1PinBlock(new Uint8Array(pool.subarray(at + 5, at + 37)));
    if (padded) found.push(Buffer.from(padded.filter((b) => b !== 0xff)).toString('latin1'));
  }
  return found;
}

describe('copies of the Gen1 VERIFY block', () => {
  it('the search finds a VERIFY left in the pool (control)', () => {
    const left = Buffer.from(gen1VerifyCommand(new Uint8Array(Buffer.from('Cn7ro1L0', 'latin1'))).toBytes());
    expect(pinsInPool(left.buffer)).toContain('Cn7ro1L0');
    left.fill(0);
    expect(pinsInPool(left.buffer)).not.toContain('Cn7ro1L0');
  });

  it('none is left in the Buffer pool after verifyPin over a PcscSession', async () => {
    const card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: PIN });
    const binding = fakeBinding(card);
    const session = new PcscSession(binding, READER, {
      share: 'exclusive', timeoutMs: 5_000, atr: () => card.reset(), onClose: () => undefined, onHeldAfterClose: () => undefined,
      cardGone: () => Promise.resolve(false), lines: new ReaderLines(binding),
    });
    await session.open();
    const hicos = await HiCOSCard.open(session, { retryStore: new RetryCounterStore() });
    const pin = Buffer.alloc(PIN.length);
    pin.write(PIN, 'latin1');
    expect(await hicos.verifyPin(pin)).toMatchObject({ status: 'ok' });
    pin.fill(0); // the caller's part
    expect(card.log.some((e) => e.command[1] === 0x20)).toBe(true);
    expect(pinsInPool()).not.toContain(PIN);
    await session.disconnect();
  });
});
