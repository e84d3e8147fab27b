import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../support/hang-guard.js';
import { lockReader } from '../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const CHILD = fileURLToPath(new URL('./fixtures/close-after-events.ts', import.meta.url));
const ROUNDS = 15;
/** Runnable processes the child runs beside (busy loops make up what the machine's load average lacks). */
const BUSY = 3;

describe.runIf(pcscAvailable())('PcscContext.close right after the binding reports an event', () => {
  // pcsclite 1.0.1, the binding before smartcard, joined its monitoring threads on the JavaScript thread; a close
  // whose cancel missed a thread between two waits hung the process for good (twice in CI). Run in a child
  // process, so a hang is a failure with a message here instead of a stuck test worker, next to busy processes,
  // so the binding's threads get descheduled as on a loaded CI machine. Busy enough: about three runnable processes
  // besides the child. Run alone that takes three busy loops; inside the whole suite the other test workers already
  // are that load, and three more only took the CPU from them for the twenty-odd seconds this runs.
  it('returns every time: after the listing, a card insertion and a removal', { timeout: 120_000 }, async () => {
    const release = await lockReader(35963);
    const loops = Math.max(0, BUSY - Math.floor(loadavg()[0] ?? 0));
    const busy = Array.from({ length: loops }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    try {
      const outcome = await runFixture(CHILD, [VIRTUAL_READER, String(ROUNDS)], 90_000);
      expect(outcome).toEqual({ code: 0, out: `closed ${3 * ROUNDS}`, err: '' });
    } finally {
      for (const b of busy) b.kill('SIGKILL');
      await waitForReaderEmpty();
      release();
    }
  });
});
