/**
 * A short version of the agent soak (scratch/agent-soak/cycles.ts runs 200 rounds): a card put in and taken out
 * of the vpcd reader again and again, `/pkcs11info` after each change, through the real pcscd. Whatever the
 * agent and its PC/SC context hold must come back to what they held after the first round: file descriptors
 * (PC/SC contexts are sockets to pcscd), active handles and timers, no process warning (listeners piling up).
 */
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PcscCardSlots, startAgent, type Pkcs11Info } from '../../src/agent/index.js';
import { createVirtualHiCOSCard, VpcdBridge } from '../../src/testing/index.js';
import { createTestPki } from '../../src/testing/pki/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const pki = pcscAvailable() ? await createTestPki({ authorities: ['moica'] }) : undefined;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await waitForReaderEmpty();
});

const fds = (): number => readdirSync('/proc/self/fd').length;
/** Active libuv resources by kind, without the ones a fetch or a test runner come and go with. */
function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (r !== 'Immediate' && r !== 'MessagePort') out[r] = (out[r] ?? 0) + 1;
  return out;
}

describe.runIf(pcscAvailable())('the agent over many card insertions through pcscd', () => {
  it('holds no more descriptors, handles or listeners after ten insertions than after one', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    cleanup.push(async () => process.off('warning', onWarning));
    const card = await createVirtualHiCOSCard({ pki, generation: 2, cardNumber: 'TP03000000009921', pin: '123456' });
    const slots = await PcscCardSlots.open();
    cleanup.push(() => slots.close());
    const agent = await startAgent({ slots, port: 0 });
    cleanup.push(() => agent.close());
    const token = async (): Promise<unknown> => {
      // A new connection each time (Connection: close), so the client's own pool does not count.
      const answer = (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Connection: 'close' } })).json()) as Pkcs11Info;
      return answer.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token;
    };
    const settle = async (inserted: boolean): Promise<unknown> => {
      const until = Date.now() + 10_000;
      let t = await token();
      while ((inserted ? typeof t !== 'object' || t === null : t !== null) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        t = await token();
      }
      return t;
    };
    const round = async (): Promise<boolean> => {
      const bridge = await VpcdBridge.connect(card);
      const inserted = (await settle(true)) as { serialNumber?: string };
      await bridge.close();
      const removed = await settle(false);
      card.clearLog();
      return inserted?.serialNumber === 'TP03000000009921' && removed === null;
    };
    expect(await round()).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    const after1 = { fds: fds(), resources: resources() };
    let good = 0;
    for (let i = 0; i < 9; i++) if (await round()) good++;
    expect(good).toBe(9);
    // The bridge's wire is a worker thread, and the last fetch's socket is closing: what they held goes a moment
    // after they end, so wait (a few seconds at most) for the counts to come back.
    const same = (): boolean => JSON.stringify({ fds: fds(), resources: resources() }) === JSON.stringify(after1);
    const until = Date.now() + 5_000;
    while (!same() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect({ fds: fds(), resources: resources() }).toEqual(after1);
    expect(warnings).toEqual([]);
  }, 60_000);
});
