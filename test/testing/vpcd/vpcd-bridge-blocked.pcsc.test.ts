import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CommandApdu, type CardEmulator } from '../../../src/pcsc/index.js';
import { runFixture } from '../../support/hang-guard.js';
import { lockReader } from '../../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty, withPcscRig } from '../../support/pcsc-rig.js';
import { ScriptedCard } from '../../support/scripted-card.js';

const CHILD = fileURLToPath(new URL('./fixtures/blocked-main-thread.ts', import.meta.url));
const ROUNDS = 6;

describe.runIf(pcscAvailable())('VpcdBridge while the JavaScript thread is blocked in a PC/SC call', () => {
  // The card and the program using it share one process in every test harness built on twpki/testing. The
  // binding ends a session with a synchronous SCardDisconnect, which waits for the reader lock that pcscd's
  // presence check holds while it asks the card for its ATR: the bridge must answer that without this thread.
  // Run in a child process so a deadlock is a failure here, not a stuck test worker.
  it('answers pcscd while the program that hosts the card waits in SCardDisconnect', { timeout: 60_000 }, async () => {
    const release = await lockReader(35963);
    try {
      const outcome = await runFixture(CHILD, [VIRTUAL_READER, String(ROUNDS)], 30_000);
      expect(outcome).toEqual({ code: 0, out: `rounds ${ROUNDS}`, err: '' });
    } finally {
      await waitForReaderEmpty();
      release();
    }
  });

  it('answers with the last ATR when the card emulator throws on a reset, and the card keeps working', async () => {
    const card = new ScriptedCard();
    let resets = 0;
    // The bridge's own reset at connect succeeds; every later one (pcscd's power-on, the session's reset) throws.
    const flaky: CardEmulator = {
      reset: () => {
        resets++;
        if (resets > 1) throw new Error('emulator bug');
        return card.reset();
      },
      process: (command) => card.process(command),
    };
    await withPcscRig(flaky, async ({ session }) => {
      await expect(session.reset()).resolves.toEqual(Uint8Array.of(0x3b, 0x02, 0x14, 0x50));
      const echo = await session.transmit(new CommandApdu({ cla: 0, ins: 0x10, p1: 0, p2: 0, data: Uint8Array.of(0xca, 0xfe) }));
      expect(echo.data).toEqual(Uint8Array.of(0xca, 0xfe));
    });
    expect(resets).toBeGreaterThan(2);
  });
});
