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
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LastError, RetCode, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import type { CardEmulator } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, VpcdBridge } from '../../src/testing/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const agentEntry = fileURLToPath(new URL('../../src/agent/index.ts', import.meta.url));

// The child: an agent over pcscd on a free port, which it prints.
const CHILD = `
const { PcscCardSlots, startAgent } = await import(${JSON.stringify(agentEntry)});
const slots = await PcscCardSlots.open();
const agent = await startAgent({ slots, port: 0 });
console.log(String(agent.port));
`;

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
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.once('data', (c: Buffer) => resolve(Number(c.toString().trim())));
        child.once('exit', () => reject(new Error(`the agent did not start: ${stderr}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      const serial = async (): Promise<unknown> =>
        ((await (await fetch(`${base}/pkcs11info`, { signal: AbortSignal.timeout(8_000) })).json()) as Pkcs11Info).slots.find(
          (s) => s.slotDescription === VIRTUAL_READER,
        )?.token;
      const until = Date.now() + 10_000;
      while (((await serial()) as { serialNumber?: string } | null)?.serialNumber !== 'TP03000000007201' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
      }

      const body = `tbsPackage=${JSON.stringify({ tbs: 'walk', pin: '123456', signatureType: 'PKCS1', slotDescription: VIRTUAL_READER })}`;
      // The agent's per-APDU timeout is 10 s; the page must hear back soon after it, not when the card is pulled.
      const answer = (await (await fetch(`${base}/sign`, { method: 'POST', body, signal: AbortSignal.timeout(16_000) })).json()) as SignResponse;
      expect(answer).toMatchObject({ ret_code: RetCode.EXECUTION_ERROR, signature: '', cardSN: '' });
      expect(answer.last_error).not.toBe(LastError.PIN_LOCKED);
      expect(JSON.stringify(answer)).not.toContain('123456');
      // The process still serves pages while the abandoned transmit is pending.
      const started = Date.now();
      await fetch(`${base}/`, { signal: AbortSignal.timeout(3_000) });
      expect(Date.now() - started).toBeLessThan(3_000);
      // The VERIFY went out once and was never sent again.
      expect(verifies).toBe(1);
    } finally {
      // Pulling the card ends the pending transmit, which frees the child if it was blocked.
      await bridge.close();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await waitForReaderEmpty();
    }
  }, 60_000);
});
