/**
 * Walks a card that went silent and then, still in the reader, answers after
 * all (a card or reader that stalled for a while). Until it answers, the
 * agent's own closed session holds the card; the PC/SC context knows that and
 * says so at once (`CARD_UNRESPONSIVE`, not pcscd's sharing violation), and
 * once the card answers the reader is free and the card is read again, with
 * no reader event in between to tell the warm cache anything changed.
 *
 * The agent runs in a child process, as in `walk-silent-card.pcsc.test.ts`;
 * the PC/SC context test runs in this one.
 */
import { describe, expect, it } from 'vitest';
import { LastError, RetCode } from '../../src/agent/index.js';
import { PcscContext, PcscError, type CardEmulator } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, VpcdBridge, type VirtualHiCOSCard } from '../../src/testing/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { startChildAgent, tokenSerial, type ChildAgent } from './child-agent.js';

// Well under the 5 s the agent waits for a card another program holds: "at once".
const PROMPT_MS = 2_000;
/**
 * How long the child agent waits for one card command (`commandTimeoutMs`; 10 s by default): longer than
 * PROMPT_MS, so an answer within PROMPT_MS was not a command given up on.
 */
const SILENT_AFTER_MS = 3_000;

/** A card that holds back its answer to the first command `stallOn` picks, until `answerLate()`. */
function stallingCard(card: VirtualHiCOSCard, stallOn: (command: Uint8Array) => boolean) {
  const counts = { apdus: 0, verifies: 0 };
  let stalled = false;
  let held: (() => void) | undefined;
  const emulator: CardEmulator = {
    reset: () => card.reset(),
    process: (command) => {
      counts.apdus++;
      if (command[1] === 0x20) counts.verifies++;
      if (!stalled && stallOn(command)) {
        stalled = true;
        // The card does the work, but its answer comes only when the test says so.
        return new Promise<Uint8Array>((resolve, reject) => {
          held = () => void Promise.resolve().then(() => card.process(command)).then(resolve, reject);
        });
      }
      return card.process(command);
    },
  };
  const answerLate = (): void => {
    if (!held) throw new Error('no command is held');
    held();
  };
  return { emulator, counts, answerLate };
}

describe.runIf(pcscAvailable())('a card that did not answer in time and then answers, still in the reader', () => {
  it('is refused at once by the PC/SC context while its command is pending, and free once it answers', async () => {
    const card = await createVirtualHiCOSCard({ generation: 1, cardNumber: 'TP03000000007501' });
    // SELECT by AID: costs the card nothing, and no PIN is involved.
    const select = Uint8Array.from([0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10, 0x00]);
    const stall = stallingCard(card, (command) => command[1] === 0xa4);
    const context = await PcscContext.establish();
    const bridge = await VpcdBridge.connect(stall.emulator);
    try {
      await context.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
      const session = await context.connect(VIRTUAL_READER);
      const timedOut = await session.transmit(select, { timeoutMs: 300 }).catch((e: unknown) => e);
      expect(timedOut).toMatchObject({ code: 'TIMEOUT' });
      await session.disconnect();

      const started = Date.now();
      const refused = await context.connect(VIRTUAL_READER).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(500);
      expect(refused).toBeInstanceOf(PcscError);
      // This process's own handle, not "another connection": no pcscd code, and the message says what to do.
      expect(refused).toMatchObject({ code: 'CARD_UNRESPONSIVE', pcscCode: undefined, reader: VIRTUAL_READER });
      expect((refused as Error).message).toMatch(/did not answer.*remove/);

      stall.answerLate();
      const until = Date.now() + 3_000;
      let again = await context.connect(VIRTUAL_READER).catch((e: unknown) => e);
      while (!(again && typeof again === 'object' && 'transmit' in again) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        again = await context.connect(VIRTUAL_READER).catch((e: unknown) => e);
      }
      expect(again).toMatchObject({ isOpen: true });
      const reopened = again as Awaited<ReturnType<PcscContext['connect']>>;
      // The card answers again (what it answers does not matter here: Gen1 refuses this class with 6E00).
      expect((await reopened.transmit(select)).sw.value).toBeGreaterThan(0);
      await reopened.disconnect();
      expect(stall.counts.verifies).toBe(0);
    } finally {
      await bridge.close();
      await context.close();
      await waitForReaderEmpty();
    }
  }, 30_000);

  it('lets the agent tell pages at once, then read the card afresh and sign once it answered', async () => {
    const card = await createVirtualHiCOSCard({ generation: 1, cardNumber: 'TP03000000007502' });
    const stall = stallingCard(card, (command) => command[1] === 0x20);
    const bridge = await VpcdBridge.connect(stall.emulator);
    let agent: ChildAgent | undefined;
    try {
      agent = await startChildAgent({ commandTimeoutMs: SILENT_AFTER_MS });
      const { info, sign } = agent;
      await agent.waitForCard('TP03000000007502');

      // Kept warm: a second look costs the card nothing.
      const warmBefore = stall.counts.apdus;
      expect(tokenSerial((await info()).token)).toBe('TP03000000007502');
      expect(stall.counts.apdus).toBe(warmBefore);

      const first = await sign('123456');
      expect(first.answer).toMatchObject({ ret_code: RetCode.EXECUTION_ERROR, last_error: LastError.FUNCTION_FAILED, signature: '' });
      expect(first.answer.message).toMatch(/did not answer.*remove.*insert/);
      expect(stall.counts.verifies).toBe(1);

      const waiting = await info();
      expect(waiting.ms).toBeLessThan(PROMPT_MS);
      expect(waiting.token).toBe('unknown token');
      expect(waiting.doc).toMatchObject({ ret_code: RetCode.EXECUTION_ERROR, last_error: LastError.FUNCTION_FAILED });
      expect(waiting.doc.message).toMatch(/did not answer.*remove.*insert/);

      // The card answers the VERIFY it was sent; nobody is waiting for that answer any more.
      const sentBefore = stall.counts.apdus;
      stall.answerLate();
      const until = Date.now() + 3_000;
      let now = await info();
      while (tokenSerial(now.token) !== 'TP03000000007502' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        now = await info();
      }
      expect(tokenSerial(now.token)).toBe('TP03000000007502');
      expect(now.doc).toMatchObject({ ret_code: RetCode.OK, message: '' });
      // No reader event came, yet the card was read again rather than served from before it went silent.
      expect(stall.counts.apdus).toBeGreaterThan(sentBefore);
      expect(stall.counts.verifies).toBe(1);

      const signed = await sign('123456');
      expect(signed.answer).toMatchObject({ ret_code: RetCode.OK, cardSN: 'TP03000000007502' });
      expect(stall.counts.verifies).toBe(2);
    } finally {
      await bridge.close();
      await agent?.stop();
      await waitForReaderEmpty();
    }
  }, 90_000);
});
