/**
 * Through pcscd (vpcd): after the agent's `/sign` on a Gen1 card, a program that connects at once cannot sign
 * without the PIN (the agent's session ended with SCARD_RESET_CARD, `afterPin: 'reset'`, the default); with
 * `afterPin: 'leave'` it can. pcscd reports no reader event for the agent's reset: the warm cache stays, the next
 * `/pkcs11info` sends no APDU, and the next `/sign` (the page's card, accepted by the swap check) costs what it
 * costs without the reset. See sign-ends-verified-state.test.ts for the in-process cases.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcscCardSlots, startAgent, type CardSlotsOptions, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
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

async function scenario(options: CardSlotsOptions) {
  const card = new VirtualHiCOSCard({ credentials, pin: PIN, cardNumber: 'TP03000000007703' });
  const counts = { resets: 0, verifies: 0 };
  const counted: CardEmulator = {
    reset: () => {
      counts.resets++;
      return card.reset();
    },
    process: (apdu) => {
      if (apdu[1] === 0x20) counts.verifies++;
      return card.process(apdu);
    },
  };
  // The other program's context, established before: it connects at once after the /sign.
  const other = await PcscContext.establish();
  cleanup.push(() => other.close());
  const slots = await PcscCardSlots.open({ retryStore: new RetryCounterStore() }, {}, options);
  cleanup.push(() => slots.close());
  const agent = await startAgent({ slots, port: 0 });
  cleanup.push(() => agent.close());
  const bridge = await VpcdBridge.connect(counted);
  cleanup.push(() => bridge.close());
  await other.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });

  const info = async (): Promise<Pkcs11Info> => (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info?withcert=true`)).json()) as Pkcs11Info;
  const serial = (doc: Pkcs11Info): string | undefined => {
    const token = doc.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token;
    return token && typeof token === 'object' ? token.serialNumber : undefined;
  };
  const sign = async (tbs: string): Promise<SignResponse> => {
    const body = `tbsPackage=${JSON.stringify({ tbs, pin: PIN, signatureType: 'PKCS1', withCardSN: 'true', slotDescription: VIRTUAL_READER })}`;
    return (await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body })).json()) as SignResponse;
  };
  const otherProgram = async (): Promise<'signed' | 'refused'> => {
    const session = await other.connect(VIRTUAL_READER, { share: 'shared' });
    try {
      return await otherProgramSigns(session, 1, credentials);
    } finally {
      await session.disconnect();
    }
  };
  const until = Date.now() + 10_000;
  while (serial(await info()) !== card.cardNumber && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return { card, counts, info, serial, sign, otherProgram };
}

describe.runIf(pcscAvailable())('the agent through pcscd ends the Gen1 verified state its /sign created', () => {
  it('default (afterPin reset): the next program cannot sign; the card stays warm and signs again at the same cost', async () => {
    const s = await scenario({});
    expect((await s.sign('first')).ret_code).toBe(0);
    expect(await s.otherProgram()).toBe('refused');
    s.card.clearLog();
    const after = await s.info();
    const infoApdus = s.card.apduCount;
    expect(s.serial(after)).toBe(s.card.cardNumber);
    s.card.clearLog();
    const again = await s.sign('second');
    expect(again.ret_code).toBe(0);
    expect(again.cardSN).toBe(s.card.cardNumber);
    const signApdus = s.card.apduCount;
    expect(s.counts.verifies).toBe(2);
    expect(infoApdus).toBe(0);
    // Re-detection after the reset (the refused Gen2 AID, then SELECT MF) is part of it.
    expect(signApdus).toBe(14);
  }, 120_000);

  it('afterPin leave: the next program signs without the PIN (the behaviour before)', async () => {
    const s = await scenario({ afterPin: 'leave' });
    expect((await s.sign('first')).ret_code).toBe(0);
    expect(await s.otherProgram()).toBe('signed');
  }, 120_000);
});
