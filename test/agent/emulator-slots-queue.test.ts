/**
 * The agent's in-process card source (`twpki agent --virtual`, test harnesses) runs one request at a time on its
 * card, as the PC/SC one does per reader: two requests at once each opened a session and interleaved their APDUs,
 * one's SELECT moving the file the other was reading (sign failed FILE_NOT_FOUND).
 */
import { describe, expect, it } from 'vitest';
import { EmulatorCardSlots } from '../../src/agent/card-slots.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard } from '../../src/testing/index.js';

describe('EmulatorCardSlots: one request at a time', () => {
  for (const generation of [1, 2] as const) {
    it(`Gen${generation}: info and sign started together both succeed, the second after the first ends`, async () => {
      const card = await createVirtualHiCOSCard({ generation, pin: '123456', cardNumber: 'TP03000000000001' });
      const reader = new EmulatorReader();
      reader.insert(card);
      const slots = new EmulatorCardSlots(reader);
      try {
        const [slot] = await slots.list();
        if (slot === undefined) throw new Error('no slot');
        const events: string[] = [];
        const [certificates, signature] = await Promise.all([
          slots.withCard(slot, async (c) => {
            events.push('info start');
            const info = await c.info();
            events.push('info end');
            return info.certificates.length;
          }),
          slots.withCard(slot, async (c) => {
            events.push('sign start');
            const signed = await c.sign(new TextEncoder().encode('x'), { pin: '123456' });
            events.push('sign end');
            return signed.length;
          }),
        ]);
        expect([certificates, signature]).toEqual([4, 256]);
        expect(events).toEqual(['info start', 'info end', 'sign start', 'sign end']);
        // A failing request does not stop the next one.
        await expect(slots.withCard(slot, () => Promise.reject(new Error('page went away')))).rejects.toThrow('page went away');
        expect(await slots.withCard(slot, async (c) => (await c.info()).cardNumber)).toBe('TP03000000000001');
      } finally {
        await slots.close();
      }
    });
  }
});
