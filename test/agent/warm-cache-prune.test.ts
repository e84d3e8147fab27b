/**
 * A card read that was under way when the agent heard its reader change is not kept: the entry would be of a card
 * that may have left, under a presence token nothing asks for again, and would stay in memory until the next
 * `/pkcs11info`. The answer of the read itself is the same as before. In-process (emulated reader), no pcscd.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, type CardSlots, type SlotInfo } from '../../src/agent/index.js';
import { pkcs11Info } from '../../src/agent/pkcs11-info.js';
import { WarmCardCache } from '../../src/agent/warm-card-cache.js';
import type { HiCOSCard } from '../../src/apdu/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, type VirtualHiCOSCard } from '../../src/testing/index.js';

let card: VirtualHiCOSCard;
beforeAll(async () => {
  card = await createVirtualHiCOSCard({ pki: await createTestPki(), generation: 2, cardNumber: 'TP03000000009921', pin: '123456' });
}, 60_000);

/** The emulated reader's slots, whose card reads wait, once the card is read, until `release` is called. */
function heldSlots(reader: EmulatorReader): { slots: CardSlots; read: Promise<void>; release: () => void } {
  const inner = new EmulatorCardSlots(reader);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let readDone!: () => void;
  const read = new Promise<void>((resolve) => (readDone = resolve));
  const slots: CardSlots = {
    list: () => inner.list(),
    withCard: <T>(slot: SlotInfo, fn: (card: HiCOSCard) => Promise<T>): Promise<T> =>
      inner.withCard(slot, async (c) => {
        const result = await fn(c);
        readDone();
        await released;
        return result;
      }),
    close: () => inner.close(),
  };
  return { slots, read, release };
}

describe('a read under way when the reader changes', () => {
  for (const [what, change] of [
    ['its entry dropped', (cache: WarmCardCache, reader: string) => cache.drop(reader)],
    ['every entry cleared', (cache: WarmCardCache) => cache.clear()],
  ] as const) {
    it(`is answered but not kept when the cache had ${what} meanwhile`, async () => {
      const reader = new EmulatorReader();
      reader.insert(card);
      const { slots, read, release } = heldSlots(reader);
      const cache = new WarmCardCache();
      const answer = pkcs11Info(slots, false, cache);
      await read;
      change(cache, reader.name);
      release();
      expect((await answer).slots[0]?.token).toMatchObject({ serialNumber: 'TP03000000009921' });
      expect(cache.size).toBe(0);
    });
  }

  it('is kept when nothing changed meanwhile, or when another reader did', async () => {
    const reader = new EmulatorReader();
    reader.insert(card);
    const { slots, read, release } = heldSlots(reader);
    const cache = new WarmCardCache();
    const answer = pkcs11Info(slots, false, cache);
    await read;
    cache.drop('another reader');
    release();
    expect((await answer).slots[0]?.token).toMatchObject({ serialNumber: 'TP03000000009921' });
    expect(cache.size).toBe(1);
    // Kept: the next listing answers from it, sending nothing to the card.
    card.clearLog();
    expect((await pkcs11Info(slots, false, cache)).slots[0]?.token).toMatchObject({ serialNumber: 'TP03000000009921' });
    expect(card.apduCount).toBe(0);
  });
});
