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
  const message = parseLoginMessage(signedText(ctx));
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

/**
 * The signed content as text. When it is the UTF-8 encoding of the token's
 * own `tbs` (the usual case: what the card signed is `tbs` as given), that
 * string is the text, without decoding the bytes back; a `tbs` with a lone
 * surrogate (encoded as U+FFFD) is decoded like any other content.
 */
function signedText(ctx: LoginContext): string {
  const content = need(ctx, 'content');
  const token = ctx.token;
  if (token !== undefined && content === token.signedBytes && token.token.tbsEncoding !== 'base64' && !LONE_SURROGATE.test(token.token.tbs)) {
    return token.token.tbs;
  }
  if (!isUtf8(content)) throw new SignedDataMismatchError('CHALLENGE_NOT_SIGNED', 'the signed data is not UTF-8 text');
  return bufferOf(content).toString('utf8');
}

const LONE_SURROGATE = /\p{Cs}/u;
