/**
 * Through pcscd (vpcd): a page was shown card A, the user swapped in card B, and the page sends A's PIN. The
 * agent refuses the `/sign` with 未插入IC卡 before any VERIFY (B keeps its tries); after the page reads the card
 * again B signs, and A taken out and put back signs with no refusal. See swapped-card.test.ts for the in-process
 * cases.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LastError, PcscCardSlots, RetCode, startAgent, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { createVirtualHiCOSCard, VpcdBridge, type VirtualHiCOSCard } from '../../src/testing/index.js';
import { createTestPki } from '../../src/testing/pki/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const pki = pcscAvailable() ? await createTestPki({ authorities: ['moica'] }) : undefined;
const cleanup: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await waitForReaderEmpty();
});

async function insert(card: VirtualHiCOSCard): Promise<VpcdBridge> {
  const bridge = await VpcdBridge.connect(card);
  cleanup.push(() => bridge.close());
  return bridge;
}

const verifies = (c: VirtualHiCOSCard): number => c.log.filter((e) => e.command[1] === 0x20).length;

describe.runIf(pcscAvailable())('the agent through pcscd, a card swapped after the page read it', () => {
  it('refuses the page’s PIN for the old card before any VERIFY; the same card put back signs', async () => {
    const slots = await PcscCardSlots.open();
    cleanup.push(() => slots.close());
    const agent = await startAgent({ slots, port: 0 });
    cleanup.push(() => agent.close());
    const serial = async (): Promise<string | null | undefined> => {
      const token = ((await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`)).json()) as Pkcs11Info).slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token;
      return token === null || token === undefined ? null : typeof token === 'string' ? token : token.serialNumber;
    };
    const serialIs = async (expected: string): Promise<void> => {
      const until = Date.now() + 10_000;
      while ((await serial()) !== expected && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(await serial()).toBe(expected);
    };
    /** Waits for pcscd to show a card in the reader, without a /pkcs11info (which would be the page reading it). */
    const cardSeen = async (): Promise<void> => {
      const until = Date.now() + 10_000;
      while (!(await slots.list()).some((s) => s.description === VIRTUAL_READER && s.cardPresent) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const sign = async (pin: string): Promise<SignResponse> => {
      const body = `tbsPackage=${JSON.stringify({ tbs: 'swap', pin, signatureType: 'PKCS1', withCardSN: 'true', slotDescription: VIRTUAL_READER })}`;
      return (await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body })).json()) as SignResponse;
    };

    const first = await createVirtualHiCOSCard({ pki, generation: 2, cardNumber: 'TP03000014147301', pin: '111111' });
    const second = await createVirtualHiCOSCard({ pki, generation: 2, cardNumber: 'TP03000014147302', pin: '222222' });
    let bridge = await insert(first);
    await serialIs(first.cardNumber);
    await bridge.close();
    // Out for as long as a hand takes: pcscd reports the removal (an instant swap on vpcd goes unseen by pcscd).
    await waitForReaderEmpty();
    bridge = await insert(second);
    await cardSeen();
    second.clearLog();
    const refused = await sign('111111');
    expect(refused).toMatchObject({ ret_code: RetCode.NO_CARD, last_error: LastError.NONE, signature: '', cardSN: '' });
    expect(refused.message).toMatch(/changed since the page read it/);
    expect(verifies(second)).toBe(0);
    expect(second.pinTriesLeft).toBe(3);

    // The page reads the card again: the card now in the reader signs with its own PIN.
    await serialIs(second.cardNumber);
    expect(await sign('222222')).toMatchObject({ ret_code: RetCode.OK, cardSN: second.cardNumber });

    // The same card taken out and put back is the card the page was shown: no refusal.
    await bridge.close();
    await waitForReaderEmpty();
    await insert(second);
    await cardSeen();
    expect(await sign('222222')).toMatchObject({ ret_code: RetCode.OK, cardSN: second.cardNumber });
  }, 60_000);
});
