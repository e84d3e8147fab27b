import type { CommandApdu } from '../pcsc/command-apdu.js';
import type { ResponseApdu } from '../pcsc/response-apdu.js';
import type { Transport } from '../pcsc/transport.js';
import { CardStatusError, HiCOSError } from './errors.js';

/** Sends a command and returns the answer when its status word is one of `accept`. */
export async function exchange(
  tx: Transport,
  command: CommandApdu,
  step: string,
  accept: (sw: number) => boolean = (sw) => sw === 0x9000,
): Promise<ResponseApdu> {
  const response = await tx.transmit(command);
  if (!accept(response.sw.value)) throw statusError(step, response);
  return response;
}

/** The typed error for an unexpected status word (`6A82` → `FILE_NOT_FOUND`). */
export function statusError(step: string, response: ResponseApdu): HiCOSError {
  const sw = response.sw.toString();
  if (response.sw.value === 0x6a82) {
    return new HiCOSError('FILE_NOT_FOUND', `${step}: file or application not found (6A82)`, { statusWord: sw });
  }
  return new CardStatusError(step, sw, response.sw.describe());
}

/**
 * Sends a command that must reach the card at most once: a VERIFY (each
 * may cost a PIN try) or an EXTERNAL AUTHENTICATE (GlobalPlatform cards
 * count failed ones). The transport's follow-ups are off, so a `6Cxx`
 * answer is the card's answer and never a reason to send the command again
 * (a card that counted the try before asking for another Le would otherwise
 * be charged twice). `61xx` needs no GET RESPONSE: it already says the
 * command completed normally (`sw.isSuccess`), and neither command needs
 * response data.
 */
export function transmitOnce(tx: Transport, command: CommandApdu): Promise<ResponseApdu> {
  return tx.transmit(command, { followUp: false });
}

/**
 * Whether a SELECT succeeded: `9000`, or `62xx` (processed with a warning,
 * e.g. no FCI): the captured middleware takes both. Detection and every
 * later SELECT use this one rule, so a card detected once is not refused
 * by the re-SELECT that ends a secure session.
 */
export function selectSucceeded(sw: number): boolean {
  return sw === 0x9000 || sw >> 8 === 0x62;
}
