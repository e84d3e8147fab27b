/**
 * The agent's warm cache over pcscd (vpcd): what it kept about a card is forgotten as soon as the agent hears the
 * card left, not when the next `/pkcs11info` comes (it used to stay in memory until then: card number and
 * certificates of a card no longer there). Forgetting sends nothing to any card and changes nothing pages see.
 */
import { describe, expect, it, vi } from 'vitest';
import { PcscCardSlots, startAgent, type Pkcs11Info } from '../../src/agent/index.js';
import { WarmCardCache } from '../../src/agent/warm-card-cache.js';
import { PcscContext } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, VpcdBridge } from '../../src/testing/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { poll } from '../support/poll.js';

/** Resolves once `context` lists the virtual reader without a card (now, or at its next removal). */
function cardOut(context: PcscContext, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const gone = (): boolean => !context.readers().some((r) => r.name === VIRTUAL_READER && r.cardPresent);
    const timer = setTimeout(() => {
      context.off('card-removed', listener);
      reject(new Error('the card was not seen leaving'));
    }, ms);
    const listener = ({ reader }: { reader: string }): void => {
      if (reader !== VIRTUAL_READER) return;
      clearTimeout(timer);
      context.off('card-removed', listener);
      resolve();
    };
    context.on('card-removed', listener);
    if (gone()) listener({ reader: VIRTUAL_READER });
  });
}

describe.runIf(pcscAvailable())('the agent forgets a card when it leaves', () => {
  it('drops the entry at the removal, before any /pkcs11info, and keeps it while the card stays in (no APDU)', async () => {
    // The agent's own cache, caught as it keeps the card (startAgent makes it and hands it to no one).
    const caches = new Set<WarmCardCache>();
    const put = WarmCardCache.prototype.put;
    const spy = vi.spyOn(WarmCardCache.prototype, 'put').mockImplementation(function (this: WarmCardCache, ...args) {
      caches.add(this);
      return put.apply(this, args);
    });
    await waitForReaderEmpty();
    const first = await createVirtualHiCOSCard({ generation: 2, cardNumber: 'TP03000000007401' });
    const second = await createVirtualHiCOSCard({ generation: 1, cardNumber: 'TP03000000007402' });
    let bridge = await VpcdBridge.connect(first);
    const slots = await PcscCardSlots.open();
    const agent = await startAgent({ slots, port: 0 });
    // This test's own context hears what the process's reader watch reports after the agent's context, which
    // subscribed to it first: when it sees the card leave, the agent has heard of it.
    const watcher = await PcscContext.establish();
    try {
      const info = async (): Promise<Pkcs11Info> => (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`)).json()) as Pkcs11Info;
      const token = (doc: Pkcs11Info): unknown => doc.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token;
      const serial = (doc: Pkcs11Info): unknown => (token(doc) as { serialNumber?: string } | null)?.serialNumber;
      const sizes = (): number[] => [...caches].map((c) => c.size);

      expect(serial(await poll(info, (d) => serial(d) === 'TP03000000007401'))).toBe('TP03000000007401');
      expect(sizes()).toEqual([1]);
      first.clearLog();
      for (let i = 0; i < 3; i++) expect(serial(await info())).toBe('TP03000000007401');
      expect(first.apduCount).toBe(0);
      expect(sizes()).toEqual([1]);

      const out = cardOut(watcher);
      await bridge.close();
      await out;
      expect(sizes()).toEqual([0]);
      // What pages see is what they saw before: the reader, empty.
      expect(token(await info())).toBeNull();
      expect(first.apduCount).toBe(0);

      bridge = await VpcdBridge.connect(second);
      expect(serial(await poll(info, (d) => serial(d) === 'TP03000000007402'))).toBe('TP03000000007402');
      expect(sizes()).toEqual([1]);
      const outAgain = cardOut(watcher);
      await bridge.close();
      await outAgain;
      expect(sizes()).toEqual([0]);
    } finally {
      spy.mockRestore();
      await agent.close();
      await watcher.close();
      await slots.close();
      await bridge.close();
    }
  }, 60_000);
});
