import { createHash } from 'node:crypto';
import type { Transport } from '../../pcsc/transport.js';
import { keyCertificateOf, readCardNumber, readKeyCertificate } from '../card-directory.js';
import type { CardState } from '../card-session.js';
import type { CardCertificate } from '../card-types.js';
import { HiCOSError } from '../errors.js';

/**
 * Prefix of the key of a card that has no card number. A card number is at most 16 characters (its read asks for 16
 * bytes) and this key is 76, so the two kinds can never meet in a retry store; the prefix tells a reader of the
 * store's file what the key is.
 */
export const CERTIFICATE_KEY_PREFIX = 'cert-sha256:';

/**
 * The key the count of PIN tries left is kept under, read before any PIN APDU (the last-try guard needs it): the
 * card number, or, for a card that has none (see `readCardNumber`), the SHA-256 of its SIGN certificate (of its
 * KEYX certificate when there is no SIGN one), prefixed with {@link CERTIFICATE_KEY_PREFIX}. A certificate belongs
 * to one card and stays while the card does, and reading it costs no PIN try; a card given new certificates starts
 * again from "unknown", as a card new to this store does. A card with neither number nor user certificate has no
 * identity to guard by: refused, so no PIN goes out. Built from the session's cached reads; of the certificates only
 * the one the key is made of is read (`readKeyCertificate`), unless all are cached already.
 *
 * Failures are rethrown with the same code and status word, saying that no PIN was sent and why the read was needed.
 */
export async function pinCardKey(tx: Transport, state: CardState): Promise<string> {
  try {
    await readCardNumber(tx, state);
    if (state.cardNumber === '') await readKeyCertificate(tx, state);
  } catch (error) {
    if (!(error instanceof HiCOSError)) throw error;
    throw new HiCOSError(
      error.code,
      `no PIN was sent: a PIN operation first reads the card number (EF 0900/0903; without one, the card's SIGN certificate), which keys the count of tries left that guards the last try, and reading it failed: ${error.message}`,
      { cause: error, statusWord: error.statusWord },
    );
  }
  const key = cachedPinCardKey(state);
  if (key === undefined) {
    throw new HiCOSError(
      'FILE_NOT_FOUND',
      'no PIN was sent: the card has no card number (EF 0900/0903 not found, or blank) and no SIGN or KEYX certificate, so the count of tries left that guards the last try could not be kept for it',
    );
  }
  return key;
}

/** The key as far as the session's cached reads tell it (nothing is sent); `undefined` when they do not. */
export function cachedPinCardKey(state: CardState): string | undefined {
  if (state.cardNumber === undefined) return undefined;
  const certificates = state.certificates ?? (state.keyCertificate ? [state.keyCertificate.certificate] : []);
  return retryCounterKey({ cardNumber: state.cardNumber, certificates });
}

/**
 * The key a retry store keeps a card's count of PIN tries left under, from what `HiCOSCard.info()` read: its card
 * number, or for a card without one (`cardNumber` `''`) `cert-sha256:` and the SHA-256 of its SIGN
 * certificate (KEYX when there is no SIGN one); `undefined` for a card with neither, which no PIN operation is run
 * on. For a `CardSlots` of the caller's that answers `lastKnownRetries` from a `RetryCounterStore`.
 * @throws HiCOSError `INVALID_CARD_INPUT` when `info` is not what `info()` returned
 */
export function retryCounterKey(info: { readonly cardNumber: string; readonly certificates: ReadonlyArray<Pick<CardCertificate, 'id' | 'der'>> }): string | undefined {
  const given = info as Partial<typeof info> | null | undefined;
  if (typeof given?.cardNumber !== 'string' || !Array.isArray(given.certificates)) {
    throw new HiCOSError('INVALID_CARD_INPUT', 'retryCounterKey needs what card.info() returned ({ cardNumber, certificates })');
  }
  if (info.cardNumber !== '') return info.cardNumber;
  const own = keyCertificateOf(info.certificates, (c) => c.id);
  return own && `${CERTIFICATE_KEY_PREFIX}${createHash('sha256').update(own.der).digest('hex')}`;
}
