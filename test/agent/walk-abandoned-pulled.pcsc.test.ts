/**
 * Walks the agent through the time after a card went silent in the middle of a
 * signature, until the user takes the card out and puts it back. PC/SC cannot
 * cancel the command the card never answered, so the agent's own handle stays
 * on the card meanwhile: pages must be told at once that the card did not
 * answer and what to do (not kept waiting, then told another program has the
 * card), nothing may be sent to the card, and once it is back it is read again
 * and signs.
 *
 * The agent runs in a child process, as in `walk-silent-card.pcsc.test.ts`:
 * this process is the card, and pulling it is what ends the pending command.
 */
import { describe, expect, it } from 'vitest';
import { LastError, RetCode } from '../../src/agent/index.js';
import type { CardEmulator } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, VpcdBridge } from '../../src/testing/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { startChildAgent, tokenSerial, type ChildAgent } from './child-agent.js';

// Well under the 5 s the agent waits for a card another program holds: "at once".
const PROMPT_MS = 2_000;
/**
 * How long the child agent waits for one card command (`commandTimeoutMs`; 10 s by default): longer than
 * PROMPT_MS, so an answer within PROMPT_MS was not a command given up on.
 */
const SILENT_AFTER_MS = 3_000;

describe.runIf(pcscAvailable())('the agent after a card did not answer, until the card is pulled', () => {
  it('tells pages at once that the card did not answer, sends it nothing, and reads it again once it is back', async () => {
    const card = await createVirtualHiCOSCard({ generation: 1, cardNumber: 'TP03000000007401' });
    let silent = false;
    let apdus = 0;
    let verifies = 0;
    // Answers until the PIN arrives, then nothing until it is pulled.
    const stalling: CardEmulator = {
      reset: () => card.reset(),
      process: (command) => {
        apdus++;
        if (command[1] === 0x20) {
          verifies++;
          if (verifies === 1) silent = true;
        }
        return silent ? new Promise<Uint8Array>(() => undefined) : card.process(command);
      },
    };
    let bridge = await VpcdBridge.connect(stalling);
    let agent: ChildAgent | undefined;
    try {
      agent = await startChildAgent({ commandTimeoutMs: SILENT_AFTER_MS });
      const { info, sign } = agent;
      await agent.waitForCard('TP03000000007401');

      // The agent gives up on the VERIFY after its command timeout; the page is told what happened.
      const first = await sign('123456');
      expect(first.answer).toMatchObject({ ret_code: RetCode.EXECUTION_ERROR, last_error: LastError.FUNCTION_FAILED, signature: '', cardSN: '' });
      expect(first.answer.message).toMatch(/did not answer.*remove.*insert/);
      expect(verifies).toBe(1);
      const sentBefore = apdus;

      // The user tries again while the card still has not answered: told the same at once, and the card is not touched.
      const again = await sign('123456');
      expect(again.ms).toBeLessThan(PROMPT_MS);
      expect(again.answer).toMatchObject({ ret_code: RetCode.EXECUTION_ERROR, last_error: LastError.FUNCTION_FAILED, signature: '', cardSN: '' });
      expect(again.answer.message).toMatch(/did not answer.*remove.*insert/);
      expect(again.answer.message).not.toMatch(/another program/);
      expect(JSON.stringify(again.answer)).not.toContain('123456');

      // A page checking the card: the card is there but cannot be used (not null, which asks for a card), and why.
      const listed = await info();
      expect(listed.ms).toBeLessThan(PROMPT_MS);
      expect(listed.token).toBe('unknown token');
      expect(listed.doc).toMatchObject({ ret_code: RetCode.EXECUTION_ERROR, last_error: LastError.FUNCTION_FAILED });
      expect(listed.doc.message).toMatch(/did not answer.*remove.*insert/);
      expect(listed.doc.message).toContain(VIRTUAL_READER);
      expect(apdus).toBe(sentBefore);
      expect(verifies).toBe(1);

      // Pulled and put back: pulling ends the pending command, and the card is free again.
      await bridge.close();
      await waitForReaderEmpty();
      silent = false;
      bridge = await VpcdBridge.connect(stalling);
      const seen: unknown[] = [];
      const until = Date.now() + 10_000;
      for (;;) {
        const now = tokenSerial((await info()).token);
        seen.push(now);
        if (now === 'TP03000000007401' || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Never "unknown token" once the card is back: its reader is not held any more.
      expect(seen.filter((s) => s !== null)).toEqual(['TP03000000007401']);
      // Read from the card, not from what was kept before it went silent.
      expect(apdus).toBeGreaterThan(sentBefore);
      const back = await info();
      expect(back.doc).toMatchObject({ ret_code: RetCode.OK, last_error: LastError.NONE, message: '' });

      const signed = await sign('123456');
      expect(signed.answer).toMatchObject({ ret_code: RetCode.OK, cardSN: 'TP03000000007401' });
      // One VERIFY per signature the page asked for that reached the card; none repeated.
      expect(verifies).toBe(2);
    } finally {
      await bridge.close();
      await agent?.stop();
      await waitForReaderEmpty();
    }
  }, 90_000);
});
