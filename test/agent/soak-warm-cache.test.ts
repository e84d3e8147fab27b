/**
 * The warm cache over many insertions and removals, as a desktop agent sees them over days: it holds at most the
 * cards now in a reader, and nothing about a card once `/pkcs11info` has seen it leave or its reader go.
 * In-process (emulated reader), so it runs without pcscd.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, type CardSlots, type SlotInfo } from '../../src/agent/index.js';
import { pkcs11Info } from '../../src/agent/pkcs11-info.js';
import { WarmCardCache } from '../../src/agent/warm-card-cache.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, type VirtualHiCOSCard } from '../../src/testing/index.js';

let card: VirtualHiCOSCard;
beforeAll(async () => {
  card = await createVirtualHiCOSCard({ pki: await createTestPki(), generation: 2, cardNumber: 'TP03000000009911', pin: '123456' });
}, 60_000);

/** The emulated reader's slots, whose reader can be unplugged (listed no more). */
function unpluggable(reader: EmulatorReader): CardSlots & { plugged: boolean } {
  const inner = new EmulatorCardSlots(reader);
  const slots = {
    plugged: true,
    list: async (): Promise<SlotInfo[]> => (slots.plugged ? inner.list() : []),
    withCard: inner.withCard.bind(inner),
    close: () => inner.close(),
  };
  return slots;
}

describe('the warm cache over many card insertions', () => {
  it('keeps only the cards now in a reader: nothing after a removal or an unplugged reader', async () => {
    const reader = new EmulatorReader();
    const slots = unpluggable(reader);
    const cache = new WarmCardCache();
    const sizes = { inserted: new Set<number>(), removed: new Set<number>() };
    for (let i = 0; i < 100; i++) {
      reader.insert(card);
      const answer = await pkcs11Info(slots, false, cache);
      expect(answer.slots[0]?.token).toMatchObject({ serialNumber: 'TP03000000009911' });
      sizes.inserted.add(cache.size);
      reader.remove();
      expect((await pkcs11Info(slots, false, cache)).slots[0]?.token).toBeNull();
      sizes.removed.add(cache.size);
      card.clearLog();
    }
    expect(sizes).toEqual({ inserted: new Set([1]), removed: new Set([0]) });

    // A reader unplugged with its card still in.
    reader.insert(card);
    await pkcs11Info(slots, false, cache);
    expect(cache.size).toBe(1);
    slots.plugged = false;
    expect((await pkcs11Info(slots, false, cache)).slots).toEqual([]);
    expect(cache.size).toBe(0);
  }, 30_000);
});
