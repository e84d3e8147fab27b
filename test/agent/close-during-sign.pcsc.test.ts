/**
 * PIN safety: the agent stopped (Ctrl-C: `agent.close()` then `slots.close()`, as src/cli/commands/agent.ts does)
 * while a /sign is in flight on a Gen1 card still resets the card. `PcscCardSlots.close()` waits for the request,
 * whose session ends with the reset; before, `PcscContext.close()` let the session go leaving the card, the reset
 * came too late, and the next program signed without the PIN. (Found by the fifteenth session's review.)
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import { PcscCardSlots, startAgent } from '../../src/agent/index.js';
import { RetryCounterStore } from '../../src/apdu/index.js';
import { PcscContext } from '../../src/pcsc/index.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import type { VirtualCardCredentials } from '../../src/testing/hicos/virtual-card-options.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { VpcdBridge } from '../../src/testing/vpcd/index.js';
import { otherProgramSigns } from '../apdu/support/other-program.js';
import { testCredentials } from '../apdu/support/virtual-cards.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const PIN = '135790';
const cleanup: Array<() => Promise<unknown>> = [];
let credentials: VirtualCardCredentials;
beforeAll(async () => {
  credentials = await testCredentials();
}, 60_000);
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await waitForReaderEmpty();
});

it.runIf(pcscAvailable())('an agent stopped during a /sign still resets the Gen1 card: the next program cannot sign without the PIN', async () => {
  const card = new VirtualHiCOSCard({ credentials, pin: PIN, cardNumber: 'TP03000000007704' });
  let slots: PcscCardSlots | undefined;
  let agentClose: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;
  const emulator: CardEmulator = {
    reset: () => card.reset(),
    process: (apdu) => {
      // The user presses Ctrl-C while the card works on the /sign (here: as its VERIFY arrives).
      if (apdu[1] === 0x20 && stopping === undefined && agentClose) stopping = agentClose().then(() => slots!.close());
      // A real Gen1 card takes about a second for an RSA-2048 private-key operation.
      if (apdu[1] === 0xea) return new Promise((r) => setTimeout(() => r(card.process(apdu)), 1000));
      return card.process(apdu);
    },
  };
  const other = await PcscContext.establish();
  cleanup.push(() => other.close());
  slots = await PcscCardSlots.open({ retryStore: new RetryCounterStore() }, {}, {});
  cleanup.push(() => slots!.close());
  const agent = await startAgent({ slots, port: 0 });
  cleanup.push(() => agent.close());
  const bridge = await VpcdBridge.connect(emulator);
  cleanup.push(() => bridge.close());
  await other.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
  const until = Date.now() + 10_000;
  for (;;) {
    const doc = (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`)).json()) as { slots: { token: unknown }[] };
    if (doc.slots.some((s) => s.token && typeof s.token === 'object') || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  agentClose = agent.close;
  const body = `tbsPackage=${JSON.stringify({ tbs: 'x', pin: PIN, signatureType: 'PKCS1', withCardSN: 'true', slotDescription: VIRTUAL_READER })}`;
  await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body }).catch(() => undefined);
  await stopping;
  // At once: pcscd powers an unused card down after a short grace period (which would end the verified state too).
  const session = await other.connect(VIRTUAL_READER, { share: 'shared' });
  try {
    // The card was reset as the /sign's session ended.
    expect(await otherProgramSigns(session, 1, credentials)).toBe('refused');
  } finally {
    await session.disconnect();
  }
}, 120_000);
