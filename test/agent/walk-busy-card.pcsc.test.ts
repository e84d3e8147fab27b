/**
 * Walks the agent through a card that another program or another tab is
 * using at the moment a page asks: a desktop program holding the card for a
 * moment, and several tabs asking for `/pkcs11info` right after insertion.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PcscCardSlots, RetCode, startAgent, type AgentServer, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { PcscContext } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, minimumReadApdus, VpcdBridge } from '../../src/testing/index.js';
import { createTestPki } from '../../src/testing/pki/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const pki = pcscAvailable() ? await createTestPki({ authorities: ['moica'] }) : undefined;
const cleanup: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await waitForReaderEmpty();
});

/** An agent over pcscd with the virtual card in the vpcd reader, once the agent's context sees it. */
async function agentWithCard(cardNumber: string) {
  const card = await createVirtualHiCOSCard({ pki, generation: 2, cardNumber });
  const bridge = await VpcdBridge.connect(card);
  cleanup.push(() => bridge.close());
  const slots = await PcscCardSlots.open();
  cleanup.push(() => slots.close());
  const agent: AgentServer = await startAgent({ slots, port: 0 });
  cleanup.push(() => agent.close());
  const until = Date.now() + 10_000;
  while (!(await slots.list()).some((s) => s.description === VIRTUAL_READER && s.cardPresent)) {
    if (Date.now() > until) throw new Error('the agent never saw the card');
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = async (): Promise<Pkcs11Info> => (await (await fetch(`${agent.url.replace('localhost', '127.0.0.1')}/pkcs11info`)).json()) as Pkcs11Info;
  const token = async (): Promise<unknown> => (await info()).slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token;
  const sign = async (pin: string): Promise<SignResponse> => {
    const body = `tbsPackage=${JSON.stringify({ tbs: 'walk', pin, signatureType: 'PKCS1', withCardSN: 'true', slotDescription: VIRTUAL_READER })}`;
    return (await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body })).json()) as SignResponse;
  };
  return { card, info, token, sign };
}

/** Another PC/SC program on the desktop that takes the card for `ms` and lets go. */
async function otherProgramHolds(ms: number): Promise<void> {
  const other = await PcscContext.establish();
  cleanup.push(() => other.close());
  const session = await other.connect(VIRTUAL_READER, { share: 'exclusive' });
  setTimeout(() => void session.disconnect(), ms);
}

describe.runIf(pcscAvailable())('the agent when the card is busy', () => {
  it('waits for a card another program holds for a moment instead of calling it an unknown token', async () => {
    const { token } = await agentWithCard('TP03000000007001');
    await otherProgramHolds(800);
    // Cold cache: the agent must open the card while the other program still has it.
    expect(await token()).toMatchObject({ serialNumber: 'TP03000000007001' });
  }, 30_000);

  it('signs once another program lets go of the card, with the PIN sent once', async () => {
    const { card, sign } = await agentWithCard('TP03000000007002');
    await otherProgramHolds(800);
    card.clearLog();
    const answer = await sign('123456');
    expect(answer).toMatchObject({ ret_code: RetCode.OK, last_error: 0, cardSN: 'TP03000000007002' });
    expect(card.log.filter((e) => e.command[1] === 0x20)).toHaveLength(1);
    expect(card.pinTriesLeft).toBe(3);
  }, 30_000);

  it('reads a newly inserted card once for all the tabs that ask at the same moment', async () => {
    const { card, info } = await agentWithCard('TP03000000007003');
    card.clearLog();
    const answers = await Promise.all([info(), info(), info(), info()]);
    for (const doc of answers) {
      expect(doc.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token).toMatchObject({ serialNumber: 'TP03000000007003' });
    }
    expect(card.apduCount).toBe(minimumReadApdus(card, { includeVersion: true }));
  }, 30_000);
});
