import { PcscError, type PcscContext, type PcscSession } from '../pcsc/index.js';

/**
 * How long the agent waits for a card another program holds. Other PC/SC
 * programs on the desktop (a status applet, a browser's smart-card module,
 * `pcsc_scan`) connect briefly and let go; answering the page at once would
 * show a HiCOS card as `"unknown token"` or a signature as failed for what
 * is only a moment's wait. Long enough for such a poll, short enough that a
 * page still gets an answer when a program keeps the card.
 */
export const BUSY_CARD_WAIT_MS = 5_000;

// Connecting sends no APDU, so asking again costs the card nothing.
const BUSY_RETRY_MS = 100;

/**
 * Opens an (exclusive) session on `reader`, waiting up to `waitMs` while
 * another connection holds the card (`SHARING_VIOLATION`). Any other
 * failure, and a card still held after `waitMs`, is thrown as it came. A card this process's own earlier
 * session still holds, after the card did not answer it, is not a `SHARING_VIOLATION`: the context refuses it at
 * once (`CARD_UNRESPONSIVE`), since waiting cannot help until the card answers or is removed.
 */
export async function connectWhenFree(context: PcscContext, reader: string, waitMs = BUSY_CARD_WAIT_MS): Promise<PcscSession> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return await context.connect(reader);
    } catch (error) {
      if (!(error instanceof PcscError && error.code === 'SHARING_VIOLATION') || Date.now() + BUSY_RETRY_MS > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
    }
  }
}
