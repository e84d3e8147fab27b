import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PcscError } from '../../src/pcsc/index.js';
import { nativeBinding } from '../../src/pcsc/native-binding.js';
import { runFixture } from '../support/hang-guard.js';
import { lockReader } from '../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const CHILD = fileURLToPath(new URL('./fixtures/binding-threads.ts', import.meta.url));

describe('PC/SC in worker threads', () => {
  it('is refused off the main thread unless the caller allows it, before the binding loads', () => {
    let thrown: unknown;
    try {
      nativeBinding({ isMainThread: false, allowWorkerThread: false });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PcscError);
    expect((thrown as PcscError).code).toBe('WRONG_THREAD');
    expect((thrown as PcscError).message).toMatch(/allowWorkerThread/);
    // Allowed, it loads as on the main thread (this test runs on a fork's main thread).
    expect(nativeBinding({ isMainThread: false, allowWorkerThread: true })).toBe(nativeBinding());
  });

  describe.runIf(pcscAvailable())('through pcscd, in a child process (a crash there is a result here)', () => {
    const run = async (mode: string) => {
      const release = await lockReader(35963);
      try {
        return await runFixture(CHILD, [mode, VIRTUAL_READER], 60_000);
      } finally {
        await waitForReaderEmpty();
        release();
      }
    };

    it('a worker is refused and the main thread keeps its sessions', { timeout: 90_000 }, async () => {
      const outcome = await run('refused');
      expect(outcome).toEqual({ code: 0, out: 'main connect ok\nworker establish WRONG_THREAD\nmain connect ok', err: '' });
    });

    it('a worker allowed to, alone in its process, opens sessions', { timeout: 90_000 }, async () => {
      const outcome = await run('worker-only');
      expect(outcome).toEqual({ code: 0, out: 'worker connect ok', err: '' });
    });

    it("the agent's card slots pass the option through", { timeout: 90_000 }, async () => {
      const outcome = await run('agent-slots');
      expect(outcome).toEqual({ code: 0, out: 'worker slots WRONG_THREAD; slots list the reader', err: '' });
    });

    // Why the rule exists, checked against the pinned binding: if a later
    // smartcard keeps its state per thread, this fails and the rule can go.
    it('the main thread after an allowed worker crashes the process (the binding fact the rule rests on)', { timeout: 90_000 }, async () => {
      const outcome = await run('both');
      expect(outcome.out).toBe('main connect ok\nworker connect ok');
      expect(outcome.code).toBeNull();
      expect(['SIGABRT', 'SIGSEGV']).toContain(outcome.signal);
    });
  });
});
