import { isUtf8 } from 'node:buffer';
import { bufferOf } from '../../../../shared/bytes.js';
import { SignedDataMismatchError } from '../errors.js';
import { parseLoginMessage } from '../login-message.js';
import { need, type LoginContext } from './login-context.js';

/**
 * Step 4, signed data: the signed content is a login message naming an
 * allowed origin; the card number the component reported (unsigned) agrees
 * with the signed attribute when both exist.
 */
export function checkSignedData(ctx: LoginContext): void {
  const content = need(ctx, 'content');
  if (!isUtf8(content)) throw new SignedDataMismatchError('CHALLENGE_NOT_SIGNED', 'the signed data is not UTF-8 text');
  const text = bufferOf(content).toString('utf8');
  const message = parseLoginMessage(text);
  if (message === undefined) {
    throw new SignedDataMismatchError('CHALLENGE_NOT_SIGNED', 'the signed data is not a twpki login message');
  }
  if (!ctx.settings.origins.has(message.origin)) {
    throw new SignedDataMismatchError('ORIGIN_MISMATCH', `the signed origin ${JSON.stringify(message.origin)} is not allowed`);
  }
  const claimed = ctx.token?.token.cardSN;
  if (claimed !== undefined && ctx.cardNumber !== undefined && claimed !== ctx.cardNumber) {
    throw new SignedDataMismatchError('CARD_NUMBER_MISMATCH', 'the reported card number differs from the signed one');
  }
  ctx.origin = message.origin;
  ctx.challenge = message.challenge;
}
