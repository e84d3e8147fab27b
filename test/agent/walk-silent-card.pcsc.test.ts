/**
 * Walks the agent through a card that stops answering in the middle of a
 * signature (a faulty card, a reader that stalls). PC/SC cannot cancel the
 * transmit, so the agent's timeout must answer the page while the transmit
 * is still pending, and nothing may block the process meanwhile.
 *
 * The agent runs in a child process: were its JavaScript thread to block,
 * this process still runs the card, answers the page's timeout and finally
 * pulls the card, which ends the pending transmit.
 */
import { describe, expect, it } from 'vitest';
import { LastError, RetCode } from '../../src/agent/index.js';
import type { CardEmulator } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, VpcdBridge } from '../../src/testing/index.js';
import { pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { startChildAgent, type ChildAgent } from './child-agent.js';

/** How long the child agent waits for one card command (`commandTimeoutMs`; 10 s by default). */
const SILENT_AFTER_MS = 3_000;

describe.runIf(pcscAvailable())('the agent when the card goes silent', () => {
  it('answers the page with the official timeout code and keeps answering other requests', async () => {
    const card = await createVirtualHiCOSCard({ generation: 1, cardNumber: 'TP03000000007201' });
    let silent = false;
    let verifies = 0;
    // Answers until the PIN arrives, then nothing: the VERIFY never comes back.
    const stalling: CardEmulator = {
      reset: () => card.reset(),
      process: (command) => {
        if (command[1] === 0x20) {
          verifies++;
          silent = true;
        }
        return silent ? new Promise<Uint8Array>(() => undefined) : card.process(command);
      },
    };
    const bridge = await VpcdBridge.connect(stalling);
    let agent: ChildAgent | undefined;
    try {
      agent = await startChildAgent({ commandTimeoutMs: SILENT_AFTER_MS });
      await agent.waitForCard('TP03000000007201');

      // The page must hear back once the agent gives the VERIFY up, not when the card is pulled.
      const { answer, ms } = await agent.sign('123456');
      expect(ms).toBeGreaterThanOrEqual(SILENT_AFTER_MS);
      // Not the PC/SC layer's 10 s default: the option reached the agent's sessions.
      expect(ms).toBeLessThan(10_000);
      expect(answer).toMatchObject({ ret_code: RetCode.EXECUTION_ERROR, signature: '', cardSN: '' });
      expect(answer.last_error).not.toBe(LastError.PIN_LOCKED);
      expect(JSON.stringify(answer)).not.toContain('123456');
      // The process still serves pages while the abandoned transmit is pending.
      const started = Date.now();
      await fetch(`${agent.base}/`, { signal: AbortSignal.timeout(3_000) });
      expect(Date.now() - started).toBeLessThan(3_000);
      // The VERIFY went out once and was never sent again.
      expect(verifies).toBe(1);
    } finally {
      // Pulling the card ends the pending transmit, which frees the child if it was blocked.
      await bridge.close();
      await agent?.stop();
      await waitForReaderEmpty();
    }
  }, 60_000);
});
