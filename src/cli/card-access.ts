import { PcscContext, PcscError, type Transport } from '../pcsc/index.js';

/** An open card for a CLI command. */
export interface CardAccess {
  transport: Transport;
  readerName: string;
  close(): Promise<void>;
}

/**
 * Opens the card in `reader`, or in the first reader holding a card, over
 * PC/SC. Fails with a typed error naming what is missing (pcscd, reader, card).
 */
export async function openCardTransport(options: { reader?: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CardAccess> {
  const context = await PcscContext.establish();
  try {
    const readers = context.readers();
    if (readers.length === 0) throw new PcscError('NO_READER', 'no smart-card reader is connected');
    const wanted = options.reader ?? options.env.TWPKI_READER;
    if (wanted !== undefined && !readers.some((r) => r.name === wanted)) {
      throw new PcscError('UNKNOWN_READER', `no reader named "${wanted}" (have: ${readers.map((r) => r.name).join(', ')})`);
    }
    const withCard = readers.find((r) => r.cardPresent && (wanted === undefined || r.name === wanted));
    if (!withCard) throw new PcscError('NO_CARD', wanted ? `no card in "${wanted}"` : 'no card in any reader');
    const session = await context.connect(withCard.name, { timeoutMs: options.timeoutMs });
    return {
      transport: session,
      readerName: withCard.name,
      close: async () => {
        await session.disconnect();
        await context.close();
      },
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}
