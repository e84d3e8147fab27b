/**
 * Ending a card session so that no PIN-verified state twpki created outlives it. The agent's slots and the CLI's
 * commands open a card, run one job and end the session the same way; this is that way, in one place.
 * @internal
 */
import type { Transport } from '../pcsc/transport.js';
import type { AfterPin, HiCOSCardOptions } from './card-types.js';
import { HiCOSCard } from './hicos-card.js';

/**
 * Opens a {@link HiCOSCard} on `transport`, runs `fn` on it and always ends the session with `end`: told `'reset'`
 * when `fn` presented a PIN to a Gen1 card and `afterPin` is `'reset'`, else `'leave'` (also when the card could
 * not be opened: no PIN was presented).
 */
export async function runOnCardThenRelease<T>(
  transport: Transport,
  cardOptions: HiCOSCardOptions,
  afterPin: AfterPin,
  end: (disposition: 'reset' | 'leave') => Promise<void>,
  fn: (card: HiCOSCard) => Promise<T>,
): Promise<T> {
  let card: HiCOSCard | undefined;
  try {
    card = await HiCOSCard.open(transport, cardOptions);
    // `return await`: the session must outlive fn's promise.
    return await fn(card);
  } finally {
    await end(card?.releaseDisposition(afterPin) ?? 'leave');
  }
}
