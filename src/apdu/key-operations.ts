import type { Transport } from '../pcsc/transport.js';
import { KEY_IDS, readPrivateKeys } from './card-directory.js';
import type { CardState } from './card-session.js';
import type { PinOptions } from './card-types.js';
import { HiCOSError, PinRejectedError } from './errors.js';
import type { PinPresenter } from './pin/pin-presenter.js';
import { RSA_BLOCK, rawRsaOperation } from './raw-rsa-operation.js';
import type { Scp03Session } from './secure-channel/scp03-session.js';

/** One raw private-key operation as the caller asked for it. */
export interface KeyOperationRequest extends PinOptions {
  /** Which key (`SIGN` / `KEYX`, by PrKDF iD). */
  readonly keyName: 'SIGN' | 'KEYX';
  /** The 256-byte input block. */
  readonly block: Uint8Array;
  /** A validated PIN copy to present first (the caller zeroes it). */
  readonly pin: Uint8Array | undefined;
}

/**
 * Runs the card's raw RSA operation with a key from the PrKDF, presenting
 * the PIN first when given. Plain reads (PrKDF, card number) come before a
 * Gen2 channel opens. On Gen2 a verified channel serves exactly one
 * operation and is then dropped, success or not: the middleware re-opens it
 * for each one, the card may reset the PIN state after a signature, and it
 * keeps every flow clear of the SCP03 counter question (`C1`, the only
 * command without data, is the session's last).
 */
export async function runKeyOperation(
  tx: Transport,
  state: CardState,
  pins: PinPresenter,
  request: KeyOperationRequest,
): Promise<Uint8Array> {
  if (state.channel && !request.pin && !state.channel.verifiedSession) throw pinRequired();
  const key = (await readPrivateKeys(tx, state)).find((k) => k.id === KEY_IDS[request.keyName]);
  if (!key) throw new HiCOSError('KEY_NOT_FOUND', `the card lists no ${request.keyName} private key`);
  if (key.modulusBits !== RSA_BLOCK * 8) {
    throw new HiCOSError('KEY_NOT_FOUND', `${request.keyName} key has ${key.modulusBits} bits; only RSA-2048 is supported`);
  }
  if (request.pin) {
    const { result, statusWord } = await pins.present(tx, state, request.pin, request);
    if (result.status !== 'ok') throw new PinRejectedError(result.status === 'locked', result.retriesLeft, statusWord);
  }
  let secure: Scp03Session | undefined;
  if (state.channel) {
    secure = state.channel.verifiedSession;
    // A plain read above (an uncached PrKDF) ended the channel verifyPin opened.
    if (!secure) throw pinRequired();
  }
  try {
    return await rawRsaOperation(tx, state.files, key.keyRef, request.block, secure);
  } finally {
    state.channel?.discard();
  }
}

function pinRequired(): HiCOSError {
  return new HiCOSError('PIN_REQUIRED', 'Gen2 cards need the PIN for each private-key operation: pass options.pin');
}
