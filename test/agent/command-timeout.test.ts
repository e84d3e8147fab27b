/**
 * `CardSlotsOptions.commandTimeoutMs`: how long one command may take the card to answer before the request fails
 * as a card that went silent. In process (the emulated reader); over pcscd the agent's walks through a silent card
 * (walk-silent-card, walk-abandoned-*) run with it.
 */
import { describe, expect, it } from 'vitest';
import { EmulatorCardSlots, PcscCardSlots, type SlotInfo } from '../../src/agent/index.js';
import { EmulatorReader, PcscTimeoutError, type CardEmulator } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard } from '../../src/testing/index.js';

/** A card that answers its first `answered` commands, then never again. */
function goesSilentAfter(card: CardEmulator, answered: number): CardEmulator & { commands: number } {
  const silent = {
    commands: 0,
    reset: () => card.reset(),
    process: (command: Uint8Array): Uint8Array | Promise<Uint8Array> => {
      silent.commands++;
      return silent.commands > answered ? new Promise<Uint8Array>(() => undefined) : card.process(command);
    },
  };
  return silent;
}

function slotOf(reader: EmulatorReader): SlotInfo {
  return { slotID: 0, description: reader.name, cardPresent: true };
}

describe('CardSlotsOptions.commandTimeoutMs', () => {
  it('fails a command the card does not answer after that many milliseconds, naming the limit', async () => {
    const reader = new EmulatorReader({ name: 'stalling reader' });
    const card = goesSilentAfter(await createVirtualHiCOSCard({ generation: 1 }), 2);
    reader.insert(card);
    const slots = new EmulatorCardSlots(reader, {}, { commandTimeoutMs: 150 });
    const error = await slots.withCard(slotOf(reader), (c) => c.info()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcscTimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', timeoutMs: 150 });
    // The third command was the one given up on; nothing was sent after it.
    expect(card.commands).toBe(3);
    await slots.close();
  });

  it('leaves a card that answers alone: the same read as without the option', async () => {
    const reader = new EmulatorReader({ name: 'answering reader' });
    reader.insert(await createVirtualHiCOSCard({ generation: 2, cardNumber: 'TP03000000001234' }));
    const slots = new EmulatorCardSlots(reader, {}, { commandTimeoutMs: 5_000 });
    await expect(slots.withCard(slotOf(reader), (c) => c.cardNumber())).resolves.toBe('TP03000000001234');
    await slots.close();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '5000' as unknown as number])(
    'refuses %s when the slots are made, naming the setting',
    async (value) => {
      const reader = new EmulatorReader();
      expect(() => new EmulatorCardSlots(reader, {}, { commandTimeoutMs: value })).toThrow(RangeError);
      expect(() => new EmulatorCardSlots(reader, {}, { commandTimeoutMs: value })).toThrow(/^commandTimeoutMs must be/);
      // Before pcscd is asked for a context.
      await expect(PcscCardSlots.open({}, {}, { commandTimeoutMs: value })).rejects.toThrow(/^commandTimeoutMs must be/);
    },
  );
});
