import { TwpkiError } from '../shared/twpki-error.js';
import { triesLeft } from '../shared/tries-left.js';

/** Stable codes of card-layer (HiCOS command set) failures. */
export const HICOS_ERROR_CODES = [
  'NOT_HICOS',
  'CARD_ERROR',
  'MALFORMED_RESPONSE',
  'FILE_NOT_FOUND',
  'INVALID_PIN_FORMAT',
  'LAST_TRY_GUARD',
  'PIN_REQUIRED',
  'NOT_VERIFIED',
  'SECURE_CHANNEL_FAILED',
  'KEY_NOT_FOUND',
  'UNSUPPORTED_HASH',
  'INVALID_CARD_INPUT',
  'DECRYPTION_FAILED',
  'WRONG_PIN',
  'PIN_LOCKED',
  'PROBE_DISABLED',
] as const;

/** One of {@link HICOS_ERROR_CODES}. */
export type HiCOSErrorCode = (typeof HICOS_ERROR_CODES)[number];

/**
 * A failure of the HiCOS command layer. Messages name the failed step and the
 * status word when there is one; they never contain a PIN or key material.
 */
export class HiCOSError extends TwpkiError<HiCOSErrorCode> {
  /** Status word the card answered with (e.g. `"6A82"`), when the card refused. */
  public readonly statusWord: string | undefined;

  public constructor(code: HiCOSErrorCode, message: string, options: { cause?: unknown; statusWord?: string } = {}) {
    super(code, message, { cause: options.cause });
    this.statusWord = options.statusWord;
  }
}

/** The card in the reader is not a HiCOS card this SDK knows how to drive. */
export class NotHiCOSCardError extends HiCOSError {
  public constructor(detail: string) {
    super('NOT_HICOS', `not a HiCOS card: ${detail}`);
  }
}

/** The card refused a command with an unexpected status word. */
export class CardStatusError extends HiCOSError {
  public constructor(step: string, statusWord: string, meaning: string) {
    super('CARD_ERROR', `${step}: card answered ${statusWord} (${meaning})`, { statusWord });
  }
}

/** A card answer could not be parsed (truncated, garbled, out of range). */
export class MalformedResponseError extends HiCOSError {
  public constructor(step: string, detail: string, cause?: unknown) {
    super('MALFORMED_RESPONSE', `${step}: malformed card answer: ${detail}`, { cause });
  }
}

/**
 * Which local rule refused a PIN: not a string or bytes (`type`), a character outside the policy's charset
 * (`characters`), outside the policy's lengths (`length`), or a 民國 date typed with separators (`date-shaped`,
 * see `PinPolicy.dateShaped`).
 */
export type PinFormatRule = 'type' | 'characters' | 'length' | 'date-shaped';

/** A PIN was rejected locally before anything was sent to the card. */
export class InvalidPinFormatError extends HiCOSError {
  /** The rule that refused it, for callers that answer each differently (the agent's `last_error`, the doctor's advice). */
  public readonly rule: PinFormatRule;

  public constructor(detail: string, rule: PinFormatRule) {
    super('INVALID_PIN_FORMAT', `PIN rejected before sending (no try used): ${detail}`);
    this.rule = rule;
  }
}

/**
 * The last known retry count is 1 and the caller did not pass
 * `allowLastTry: true`; nothing was sent.
 */
export class LastTryGuardError extends HiCOSError {
  public constructor() {
    super(
      'LAST_TRY_GUARD',
      'refusing to send a VERIFY: the card has one try left (pass allowLastTry: true to use it)',
    );
  }
}

/** A PIN-protected operation failed because the PIN was wrong or the card is locked. */
export class PinRejectedError extends HiCOSError {
  /**
   * Tries left as the card reported (0 when locked); after a `6300` (no
   * counter) one less than the last known count, or `undefined` when that
   * is not known.
   */
  public readonly retriesLeft: number | undefined;

  public constructor(locked: boolean, retriesLeft: number | undefined, statusWord: string) {
    super(
      locked ? 'PIN_LOCKED' : 'WRONG_PIN',
      locked ? `the card's PIN is locked (${statusWord})` : `wrong PIN, ${triesLeft(retriesLeft)} (${statusWord})`,
      { statusWord },
    );
    this.retriesLeft = retriesLeft;
  }
}
