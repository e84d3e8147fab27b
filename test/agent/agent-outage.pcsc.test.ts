/**
 * The agent through two pcscd outages close together, and what it keeps about a card when pcscd fails.
 *
 * As in `walk-pcscd-restart.pcsc.test.ts`, this file's process reaches pcscd through a relay of its own
 * (`PCSCLITE_CSOCK_NAME`, read by pcsc-lite at the first PC/SC call): taking the relay down is, for this process
 * only, pcscd stopping, and putting it back up is pcscd answering again with the same readers and cards (the case
 * no reader event reports). The machine's pcscd is never stopped.
 *
 * The reader watch tries again every second while pcscd is away. pcscd coming back and going away again between
 * two of those tries is, for the watch, one failure going on: it never saw pcscd answer. The agent used to trust a
 * probe of its own in between and then answered the card it kept for as long as the second outage lasted.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LastError, PcscCardSlots, RetCode, startAgent, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { WarmCardCache } from '../../src/agent/warm-card-cache.js';
import { PcscContext, type PcscError } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, VpcdBridge } from '../../src/testing/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { startPcscdRelay } from '../support/pcscd-relay.js';
import { poll } from '../support/poll.js';

const relay = await startPcscdRelay('agent-outage');
const tell = (m: 'up' | 'down'): Promise<void> => (m === 'up' ? relay.up() : relay.down());

afterAll(async () => {
  await relay.up();
  if (pcscAvailable()) await waitForReaderEmpty();
  await relay.close();
});

/** Resolves with the next `error` of `context` that `match` accepts (rejects after `ms`). */
function nextFailure(context: PcscContext, match: (error: PcscError) => boolean, ms = 10_000): Promise<PcscError> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      context.off('error', listener);
      reject(new Error('the reader watch reported no such failure'));
    }, ms);
    const listener = (error: PcscError): void => {
      if (!match(error)) return;
      clearTimeout(timer);
      context.off('error', listener);
      resolve(error);
    };
    context.on('error', listener);
  });
}

/** An agent over pcscd (through the relay) with a card in the virtual reader, served warm once. */
async function agentWithCard(cardNumber: string): Promise<{
  info: () => Promise<Pkcs11Info>;
  sign: () => Promise<SignResponse>;
  serial: (doc: Pkcs11Info) => unknown;
  watcher: PcscContext;
  card: Awaited<ReturnType<typeof createVirtualHiCOSCard>>;
  caches: Set<WarmCardCache>;
  close: () => Promise<void>;
}> {
  // The agent's own cache, caught as it keeps the first card (startAgent makes it and hands it to no one).
  const caches = new Set<WarmCardCache>();
  const put = WarmCardCache.prototype.put;
  const spy = vi.spyOn(WarmCardCache.prototype, 'put').mockImplementation(function (this: WarmCardCache, ...args) {
    caches.add(this);
    return put.apply(this, args);
  });
  const card = await createVirtualHiCOSCard({ generation: 2, cardNumber });
  const bridge = await VpcdBridge.connect(card);
  const slots = await PcscCardSlots.open();
  const agent = await startAgent({ slots, port: 0 });
  // This test's own context: it hears what the process's reader watch (shared with the agent's context) reports,
  // after the agent's context, which subscribed first.
  const watcher = await PcscContext.establish();
  const info = async (): Promise<Pkcs11Info> => (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`)).json()) as Pkcs11Info;
  const serial = (doc: Pkcs11Info): unknown => (doc.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token as { serialNumber?: string } | null)?.serialNumber;
  const sign = async (): Promise<SignResponse> => {
    const body = `tbsPackage=${JSON.stringify({ tbs: 'outage', pin: '123456', signatureType: 'PKCS1', withCardSN: 'true', slotDescription: VIRTUAL_READER })}`;
    return (await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body })).json()) as SignResponse;
  };
  expect(serial(await poll(info, (d) => serial(d) === cardNumber))).toBe(cardNumber);
  return {
    info,
    sign,
    serial,
    watcher,
    card,
    caches,
    close: async () => {
      spy.mockRestore();
      await agent.close();
      await watcher.close();
      await slots.close();
      await bridge.close();
    },
  };
}

describe.runIf(pcscAvailable())('the agent through pcscd outages (relay)', () => {
  it('a second outage before the reader watch has reconnected is 無可用讀卡機 too, not the kept card, and the card is served again once pcscd is back', async () => {
    const rig = await agentWithCard('TP03000000007301');
    try {
      await tell('down');
      // The watch's retry found pcscd gone (not only its wait cut off): it now waits a second before trying again.
      await nextFailure(rig.watcher, (e) => e.code === 'SERVICE_UNAVAILABLE');
      expect((await rig.info()).ret_code).toBe(RetCode.NO_READER);

      // pcscd answers again for a moment, a page asks meanwhile, and pcscd goes away again: all before the watch
      // tries again (milliseconds, against its second).
      await tell('up');
      await rig.info();
      await tell('down');

      rig.card.clearLog();
      const during = await poll(rig.info, (d) => d.ret_code === RetCode.NO_READER, 5_000);
      expect(during).toMatchObject({ ret_code: RetCode.NO_READER, last_error: LastError.NONE, slots: [] });
      expect(await rig.sign()).toMatchObject({ ret_code: RetCode.NO_READER, signature: '', cardSN: '' });
      expect((await rig.info()).ret_code).toBe(RetCode.NO_READER);
      expect(rig.card.apduCount).toBe(0);

      await tell('up');
      expect(rig.serial(await poll(rig.info, (d) => rig.serial(d) === 'TP03000000007301'))).toBe('TP03000000007301');
      expect(await rig.sign()).toMatchObject({ ret_code: RetCode.OK, cardSN: 'TP03000000007301' });
    } finally {
      await tell('up');
      await rig.close();
    }
  }, 60_000);

  it('forgets the kept card as soon as the reader watch fails, without waiting for a /pkcs11info', async () => {
    const rig = await agentWithCard('TP03000000007302');
    try {
      expect([...rig.caches].map((c) => c.size)).toEqual([1]);
      await tell('down');
      // Any failure of the watch: the agent's context heard it before this one.
      await nextFailure(rig.watcher, () => true);
      expect([...rig.caches].map((c) => c.size)).toEqual([0]);
      await tell('up');
      expect(rig.serial(await poll(rig.info, (d) => rig.serial(d) === 'TP03000000007302'))).toBe('TP03000000007302');
      expect([...rig.caches].map((c) => c.size)).toEqual([1]);
    } finally {
      await tell('up');
      await rig.close();
    }
  }, 60_000);
});
