import { PcscContext, PcscError, type ReaderState, type Transport } from '../pcsc/index.js';
import { UsageError } from './command.js';

/** An open card for a CLI command. */
export interface CardAccess {
  transport: Transport;
  readerName: string;
  /** Ends the session with `disposition` (default `leave`; `reset` ends a PIN-verified state), then the context. */
  close(disposition?: 'leave' | 'reset'): Promise<void>;
}

/** Where the reader name came from, as an error names it: `--reader`, else `TWPKI_READER`. */
function readerSource(options: { reader?: string }): string {
  return options.reader !== undefined ? '--reader' : 'TWPKI_READER';
}

/**
 * `wanted` names no reader. The name is not repeated (it could be a PIN typed after `--reader`): the error names
 * where it came from and lists the readers pcscd reports, which is what the user needs to choose one.
 */
function unknownReader(readers: readonly Pick<ReaderState, 'name'>[], source: string): PcscError {
  return new PcscError('UNKNOWN_READER', `no reader has the name given with ${source} (the name is not repeated here); readers: ${readers.map((r) => `"${r.name}"`).join(', ')}`);
}

/**
 * The reader a PIN is for: `wanted` when given, else the one reader holding a
 * card. With more than one card and none chosen this is a {@link UsageError}
 * naming `--reader` and listing the readers with cards: a PIN typed for one
 * card must not cost another card a try. Fails with the typed errors of
 * {@link openCardTransport} when there is no reader, no such reader or no card.
 * `how` is the way the command chooses a reader, as the message names it; `source` where `wanted` came from.
 */
export function choosePinReader(
  readers: readonly Pick<ReaderState, 'name' | 'cardPresent'>[],
  wanted: string | undefined,
  how = '--reader NAME (or TWPKI_READER)',
  source = '--reader or TWPKI_READER',
): string {
  if (readers.length === 0) throw new PcscError('NO_READER', 'no smart-card reader is connected');
  if (wanted !== undefined) {
    if (!readers.some((r) => r.name === wanted)) throw unknownReader(readers, source);
    return wanted;
  }
  const withCard = readers.filter((r) => r.cardPresent);
  if (withCard.length > 1) {
    throw new UsageError(
      `${withCard.length} cards are inserted: choose the one the PIN is for with ${how}; readers with a card: ${withCard.map((r) => `"${r.name}"`).join(', ')}`,
    );
  }
  const [only] = withCard;
  if (only === undefined) throw new PcscError('NO_CARD', 'no card in any reader');
  return only.name;
}

/**
 * Resolves, before any PIN is read or any APDU sent, the reader a PIN-presenting
 * command uses (`--reader`, else `$TWPKI_READER`, else the only card; see
 * {@link choosePinReader}). Pass the answer to `withCard` so the card opened is
 * exactly that one.
 */
export async function resolvePinReader(options: { reader?: string; env: NodeJS.ProcessEnv }): Promise<string> {
  const context = await PcscContext.establish();
  try {
    return choosePinReader(context.readers(), options.reader ?? options.env.TWPKI_READER, undefined, readerSource(options));
  } finally {
    await context.close();
  }
}

/**
 * Opens the card in `reader`, or in the first reader holding a card, over
 * PC/SC (commands that present a PIN choose the reader with
 * {@link resolvePinReader} first). Fails with a typed error naming what is missing (pcscd, reader, card).
 */
export async function openCardTransport(options: { reader?: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CardAccess> {
  const context = await PcscContext.establish();
  try {
    const readers = context.readers();
    if (readers.length === 0) throw new PcscError('NO_READER', 'no smart-card reader is connected');
    const wanted = options.reader ?? options.env.TWPKI_READER;
    if (wanted !== undefined && !readers.some((r) => r.name === wanted)) throw unknownReader(readers, readerSource(options));
    const withCard = readers.find((r) => r.cardPresent && (wanted === undefined || r.name === wanted));
    // `wanted` is here the name of a reader pcscd reports, so it may be shown.
    if (!withCard) throw new PcscError('NO_CARD', wanted ? `no card in "${wanted}"` : 'no card in any reader');
    const session = await context.connect(withCard.name, { timeoutMs: options.timeoutMs });
    return {
      transport: session,
      readerName: withCard.name,
      close: async (disposition = 'leave') => {
        await session.disconnect(disposition);
        await context.close();
      },
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}
