import { describe, expect, it } from 'vitest';
import { PcscContext } from '../../src/pcsc/index.js';
import { VpcdBridge, VpcdBridgeError } from '../../src/testing/vpcd/index.js';
import { TwpkiError } from '../../src/shared/twpki-error.js';
import { lockReader } from '../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { ScriptedCard } from '../support/scripted-card.js';

/** A card whose ATR says which one it is, so the reader's card can be told apart. */
function cardWithAtr(last: number): ScriptedCard {
  const card = new ScriptedCard();
  const atr = Uint8Array.of(0x3b, 0x02, 0x14, last);
  card.reset = () => atr;
  return card;
}

// Two harness processes (or two test files in parallel workers) that each insert a card through the default
// vpcd port: the second TCP connection completes from vpcd's listen backlog while the first card holds the
// reader, so a bridge that trusted the handshake said "inserted" for a card pcscd never saw.
describe.runIf(pcscAvailable())('VpcdBridge when another card holds the reader', () => {
  it('refuses with READER_BUSY, naming the reader, when the other card stays for all of timeoutMs', { timeout: 30_000 }, async () => {
    const release = await lockReader(35963);
    const first = await VpcdBridge.connect(cardWithAtr(0x01));
    try {
      const error = await VpcdBridge.connect(cardWithAtr(0x02), { timeoutMs: 1_500 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VpcdBridgeError);
      expect(error).toBeInstanceOf(TwpkiError);
      expect((error as VpcdBridgeError).code).toBe('READER_BUSY');
      expect((error as Error).message).toContain(VIRTUAL_READER);
      expect((error as Error).message).toContain('timeoutMs');
      expect(first.connected).toBe(true);
    } finally {
      await first.close();
      await waitForReaderEmpty();
      release();
    }
  });

  it('waits for its turn: resolves only once the other card is out and its own is in', { timeout: 30_000 }, async () => {
    const release = await lockReader(35963);
    const first = await VpcdBridge.connect(cardWithAtr(0x01));
    let second: VpcdBridge | undefined;
    try {
      let firstClosedAt = Infinity;
      const pending = VpcdBridge.connect(cardWithAtr(0x02), { timeoutMs: 10_000 }).then((bridge) => {
        second = bridge;
        return Date.now();
      });
      await new Promise((r) => setTimeout(r, 800));
      firstClosedAt = Date.now();
      await first.close();
      const secondAt = await pending;
      expect(secondAt).toBeGreaterThanOrEqual(firstClosedAt);
      const context = await PcscContext.establish();
      try {
        await context.waitForCard(VIRTUAL_READER, { timeoutMs: 5_000 });
        const session = await context.connect(VIRTUAL_READER);
        expect(session.atr).toEqual(Uint8Array.of(0x3b, 0x02, 0x14, 0x02));
        await session.disconnect();
      } finally {
        await context.close();
      }
    } finally {
      await first.close();
      await second?.close();
      await waitForReaderEmpty();
      release();
    }
  });
});
