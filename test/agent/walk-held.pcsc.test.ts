/**
 * Walks the agent through what happens to cards in real life where it already
 * behaves: a card swapped between `/pkcs11info` and `/sign`, a card pulled in
 * the middle of a signature, a locked card, a page naming a reader that is
 * gone. These guard the invariants (the card that signs is the one answered
 * for, nothing kept about a card that left, one VERIFY at most, no PIN in an
 * answer) against regressions.
 */
import { verify, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LastError, PcscCardSlots, RetCode, startAgent, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import type { CardEmulator } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, VpcdBridge, type VirtualHiCOSCard } from '../../src/testing/index.js';
import { createTestPki } from '../../src/testing/pki/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const pki = pcscAvailable() ? await createTestPki({ authorities: ['moica'] }) : undefined;
const cleanup: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await waitForReaderEmpty();
});

const card = (cardNumber: string, pin: string, extra: Parameters<typeof createVirtualHiCOSCard>[0] = {}): Promise<VirtualHiCOSCard> =>
  createVirtualHiCOSCard({ pki, generation: 2, cardNumber, pin, ...extra });

async function insert(emulator: CardEmulator): Promise<VpcdBridge> {
  const bridge = await VpcdBridge.connect(emulator);
  cleanup.push(() => bridge.close());
  return bridge;
}

async function startWalk(refuseSwappedCard?: boolean) {
  const slots = await PcscCardSlots.open();
  cleanup.push(() => slots.close());
  const agent = await startAgent({ slots, port: 0, refuseSwappedCard });
  cleanup.push(() => agent.close());
  const token = async (): Promise<{ serialNumber?: string } | string | null | undefined> =>
    ((await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`)).json()) as Pkcs11Info).slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token as never;
  const sign = async (pin: string, slotDescription = VIRTUAL_READER): Promise<SignResponse> => {
    const body = `tbsPackage=${JSON.stringify({ tbs: 'walk', pin, signatureType: 'PKCS1', withCardSN: 'true', slotDescription })}`;
    return (await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body })).json()) as SignResponse;
  };
  const serialIs = async (expected: string | null): Promise<void> => {
    const until = Date.now() + 10_000;
    const now = async (): Promise<unknown> => {
      const t = await token();
      return t === null ? null : typeof t === 'object' ? t?.serialNumber : t;
    };
    while ((await now()) !== expected && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await now()).toBe(expected);
  };
  return { slots, token, sign, serialIs };
}

const verifies = (c: VirtualHiCOSCard): number => c.log.filter((e) => e.command[1] === 0x20).length;

describe.runIf(pcscAvailable())('the agent through card events that it already handles', () => {
  it('signs with the card now in the reader after a swap, and answers with that card’s number and certificate', async () => {
    // With the swap check on (the default), this /sign is refused: the page was shown the first card
    // (swapped-card.pcsc.test.ts). What is walked here is the agent that lets it through.
    const walk = await startWalk(false);
    const first = await card('TP03000000007301', '111111');
    const second = await card('TP03000000007302', '222222');
    const bridge = await insert(first);
    await walk.serialIs('TP03000000007301');
    await bridge.close();
    // Out for as long as a hand takes: pcscd reports the removal (an instant swap on vpcd goes unseen by pcscd).
    await waitForReaderEmpty();
    await insert(second);
    // No /pkcs11info in between: the sign itself must not reuse what was kept about the first card.
    const until = Date.now() + 10_000;
    while (!(await walk.slots.list()).some((s) => s.description === VIRTUAL_READER && s.cardPresent) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const answer = await walk.sign('222222');
    expect(answer).toMatchObject({ ret_code: RetCode.OK, cardSN: 'TP03000000007302' });
    const certificate = new X509Certificate(Buffer.from(answer.certb64, 'base64'));
    expect(Buffer.from(certificate.raw).equals(Buffer.from(second.credentials.sign.certificate))).toBe(true);
    expect(verify('sha256', Buffer.from('walk'), certificate.publicKey, Buffer.from(answer.signature, 'base64'))).toBe(true);
    await walk.serialIs('TP03000000007302');
    expect(first.pinTriesLeft).toBe(3);
  }, 40_000);

  it('answers 未插入IC卡 when the card is pulled during the signature, sends the PIN once, and forgets the card', async () => {
    const walk = await startWalk();
    const target = await card('TP03000000007303', '123456');
    let bridge: VpcdBridge | undefined;
    // Pulled as the private-key operation starts, after the PIN was verified.
    const pulled: CardEmulator = {
      reset: () => target.reset(),
      process: (command) => {
        if (command[1] === 0xea) {
          void bridge?.close();
          return new Uint8Array(0);
        }
        return target.process(command);
      },
    };
    bridge = await insert(pulled);
    await walk.serialIs('TP03000000007303');
    target.clearLog();
    const answer = await walk.sign('123456');
    expect(answer).toMatchObject({ ret_code: RetCode.NO_CARD, last_error: LastError.NONE, signature: '', cardSN: '' });
    expect(verifies(target)).toBe(1);
    await walk.serialIs(null);
  }, 40_000);

  it('answers a locked card with 0x76100006 / 0xA4 and never echoes the PIN', async () => {
    const walk = await startWalk();
    const locked = await card('TP03000000007304', '123456', { card: { pinTriesLeft: 0 } });
    await insert(locked);
    await walk.serialIs('TP03000000007304');
    const answer = await walk.sign('654321');
    expect(answer).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_LOCKED, signature: '' });
    expect(JSON.stringify(answer)).not.toContain('654321');
    expect(locked.pinTriesLeft).toBe(0);
  }, 40_000);

  it('sends a wrong PIN at the last try once, answers 已鎖卡, and /pkcs11info then flags the card locked', async () => {
    const walk = await startWalk();
    const lastTry = await card('TP03000000007306', '123456', { card: { pinTriesLeft: 1 } });
    await insert(lastTry);
    await walk.serialIs('TP03000000007306');
    lastTry.clearLog();
    const answer = await walk.sign('999999');
    expect(answer).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_LOCKED, signature: '' });
    expect(JSON.stringify(answer)).not.toContain('999999');
    expect(verifies(lastTry)).toBe(1);
    expect(lastTry.pinTriesLeft).toBe(0);
    const token = (await walk.token()) as { flags: number };
    // CKF_USER_PIN_LOCKED
    expect(token.flags & 0x40000).toBe(0x40000);
  }, 40_000);

  it('answers 無可用讀卡機 for a reader that is gone, and sends the card nothing', async () => {
    const walk = await startWalk();
    const present = await card('TP03000000007305', '123456');
    await insert(present);
    await walk.serialIs('TP03000000007305');
    present.clearLog();
    const answer = await walk.sign('123456', 'Reader Unplugged 00 00');
    expect(answer).toMatchObject({ ret_code: RetCode.NO_READER, last_error: LastError.NONE });
    expect(present.apduCount).toBe(0);
  }, 40_000);
});
