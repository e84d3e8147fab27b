import { PcscError } from '../pcsc/index.js';

/**
 * What the agent tells a page whose card did not answer. PC/SC cannot cancel a command a card never answers: the
 * agent's handle stays on the card until it answers or leaves the reader, so taking it out and putting it back
 * is what frees it (and what revives a card that hung).
 */
export const CARD_DID_NOT_ANSWER = 'the card did not answer: remove it from the reader and insert it again';

/**
 * Whether a failure means the card did not answer: a command timed out (`TIMEOUT`), or the card is mute or
 * still held by an earlier command of the agent's that it never answered (`CARD_UNRESPONSIVE`, which the PC/SC
 * context says at once instead of pcscd's sharing violation; see `PcscContext.connect`).
 */
export function cardDidNotAnswer(error: unknown): boolean {
  return error instanceof PcscError && (error.code === 'TIMEOUT' || error.code === 'CARD_UNRESPONSIVE');
}
