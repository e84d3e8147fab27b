import { TwpkiError } from '../shared/twpki-error.js';

/** Stable codes of transport-level failures. */
export const PCSC_ERROR_CODES = [
  'BINDING_UNAVAILABLE',
  'WRONG_THREAD',
  'SERVICE_UNAVAILABLE',
  'SERVICE_UNRESPONSIVE',
  'NO_READER',
  'UNKNOWN_READER',
  'READER_UNAVAILABLE',
  'NO_CARD',
  'CARD_REMOVED',
  'CARD_RESET',
  'CARD_UNRESPONSIVE',
  'SHARING_VIOLATION',
  'TIMEOUT',
  'PROTOCOL_ERROR',
  'CANCELLED',
  'CLOSED',
  'INVALID_APDU',
  'UNKNOWN',
] as const;

/** One of {@link PCSC_ERROR_CODES}. */
export type PcscErrorCode = (typeof PCSC_ERROR_CODES)[number];

// Errors of commands that certainly never reached the reader (see PcscError.notSent). Kept apart from the error so
// that the card channel can take it back from an error a transport subclass made when an earlier exchange of the same
// transmit did go out, while callers only ever read it. Added only to an error made for the one transmit it ends: a
// transport may throw one error object again, also for a command that went out.
const unsent = new WeakSet<PcscError>();

/**
 * A PC/SC or transport failure. `pcscCode` is the raw `SCARD_*` value when the
 * error came from the PC/SC service.
 */
export class PcscError extends TwpkiError<PcscErrorCode> {
  /** Raw PC/SC return code (e.g. `0x80100069`), when known. */
  public readonly pcscCode: number | undefined;
  /** Reader the failure happened on, when known. */
  public readonly reader: string | undefined;

  /**
   * @param options.notSent - the failed transmit's command certainly never reached the reader (see
   *   {@link PcscError.notSent}); for a transport of the caller's that refused it before handing it on
   */
  public constructor(
    code: PcscErrorCode,
    message: string,
    options: { cause?: unknown; pcscCode?: number; reader?: string; notSent?: boolean } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.pcscCode = options.pcscCode;
    this.reader = options.reader;
    if (options.notSent === true) unsent.add(this);
  }

  /**
   * `true` when the transmit that failed with this error certainly never handed its command to the reader: it was
   * refused before (the session closed, lost or its card already gone; the wait for an earlier command that timed
   * out ran out; pcscd known to be silent), so the card cannot have acted on it and a PIN try it carried is not
   * spent. `false` when the command went out, or may have (a timeout, a card pulled during the exchange, any
   * failure of the reader or the card), and for every other error that did not end a transmit: whoever counts tries
   * must then take the try as possibly spent. A session's refusal (closed, lost, its card already gone) is `true`
   * wherever it is thrown, a transaction's start or a reset included: nothing was handed to the reader.
   */
  public get notSent(): boolean {
    return unsent.has(this);
  }
}

/**
 * Records whether the transmit `error` ended handed its command to the reader (see {@link PcscError.notSent});
 * anything but a {@link PcscError} is left as it is. Only where that is certain: `true` before the reader was
 * given the command, and only on an error made for this one transmit (never one a transport handed over, which it
 * may throw again for a command that went out); `false` once any exchange of the transmit went out.
 * @returns `error`
 * @internal
 */
export function markNotSent<E>(error: E, notSent: boolean): E {
  if (error instanceof PcscError) {
    if (notSent) unsent.add(error);
    else unsent.delete(error);
  }
  return error;
}

/** The card left the reader (or was reset by someone else) during the session. */
export class CardRemovedError extends PcscError {
  public constructor(reader?: string, options: { cause?: unknown; pcscCode?: number } = {}) {
    super('CARD_REMOVED', `the card was removed${reader ? ` from "${reader}"` : ''}`, {
      ...options,
      reader,
    });
  }
}

/** An operation did not finish within its time limit. */
export class PcscTimeoutError extends PcscError {
  /** The limit that was exceeded, in milliseconds. */
  public readonly timeoutMs: number;

  public constructor(operation: string, timeoutMs: number, reader?: string) {
    super('TIMEOUT', `${operation} did not finish within ${timeoutMs} ms`, { reader });
    this.timeoutMs = timeoutMs;
  }
}

/** A malformed command or response APDU. */
export class ApduFormatError extends PcscError {
  public constructor(message: string) {
    super('INVALID_APDU', message);
  }
}

/** The card answered in a way the protocol does not allow (e.g. a 1-byte response, endless 61xx). */
export class CardProtocolError extends PcscError {
  public constructor(message: string, reader?: string) {
    super('PROTOCOL_ERROR', message, { reader });
  }
}

const SCARD_CODES: ReadonlyArray<readonly [number, PcscErrorCode, string]> = [
  [0x80100002, 'CANCELLED', 'the operation was cancelled'],
  [0x80100003, 'CLOSED', 'the PC/SC handle is no longer valid'],
  [0x80100006, 'PROTOCOL_ERROR', 'insufficient memory in the PC/SC service'],
  [0x80100009, 'UNKNOWN_READER', 'the reader is not known to the PC/SC service'],
  [0x8010000a, 'TIMEOUT', 'the PC/SC call timed out'],
  [0x8010000b, 'SHARING_VIOLATION', 'the card is in use by another connection'],
  [0x8010000c, 'NO_CARD', 'no card in the reader'],
  [0x8010000f, 'PROTOCOL_ERROR', 'the card does not speak the requested protocol'],
  [0x80100013, 'PROTOCOL_ERROR', 'communication error with the reader'],
  [0x80100016, 'PROTOCOL_ERROR', 'transaction failed'],
  [0x80100017, 'READER_UNAVAILABLE', 'the reader is not available'],
  [0x8010001d, 'SERVICE_UNAVAILABLE', 'the PC/SC service (pcscd) is not running'],
  [0x8010001e, 'SERVICE_UNAVAILABLE', 'the PC/SC service stopped'],
  [0x8010002e, 'NO_READER', 'no smart-card reader is connected'],
  [0x80100065, 'PROTOCOL_ERROR', 'the card is not supported'],
  [0x80100066, 'CARD_UNRESPONSIVE', 'the card does not answer'],
  [0x80100067, 'CARD_UNRESPONSIVE', 'the card has no power'],
  [0x80100068, 'CARD_RESET', 'the card was reset'],
  [0x80100069, 'CARD_REMOVED', 'the card was removed'],
];

// The native binding reports a PC/SC failure only as the text its error table gives each code (smartcard 3.7.0,
// pinned): map the text back to the code. Codes twpki gives a meaning to are in SCARD_CODES above.
const NATIVE_MESSAGES: ReadonlyMap<string, number> = new Map([
  ['Internal error', 0x80100001],
  ['Operation cancelled', 0x80100002],
  ['Invalid handle', 0x80100003],
  ['Invalid parameter', 0x80100004],
  ['Invalid target', 0x80100005],
  ['Not enough memory', 0x80100006],
  ['Insufficient buffer', 0x80100008],
  ['Unknown reader', 0x80100009],
  ['Operation timed out', 0x8010000a],
  ['Sharing violation', 0x8010000b],
  ['No smart card present', 0x8010000c],
  ['Unknown card type', 0x8010000d],
  ['Cannot dispose handle', 0x8010000e],
  ['Protocol mismatch', 0x8010000f],
  ['Reader not ready', 0x80100010],
  ['Invalid value', 0x80100011],
  ['System cancelled operation', 0x80100012],
  ['Communication error', 0x80100013],
  ['Invalid ATR', 0x80100015],
  ['Transaction failed', 0x80100016],
  ['Reader unavailable', 0x80100017],
  ['PCI struct too small', 0x80100019],
  ['PC/SC service not running', 0x8010001d],
  ['PC/SC service stopped', 0x8010001e],
  ['No readers available', 0x8010002e],
  ['Card is not supported', 0x80100065],
  ['Card is unresponsive', 0x80100066],
  ['Card is unpowered', 0x80100067],
  ['Card was reset', 0x80100068],
  ['Card was removed', 0x80100069],
]);

/** The `0x8010xxxx` code behind an error of the native binding, when its message is one the binding gives a code. */
export function pcscCodeOf(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return NATIVE_MESSAGES.get(message);
}

/**
 * Maps an error from the native binding to a typed {@link PcscError}.
 * Unknown codes keep the original message and become `UNKNOWN`.
 */
export function mapPcscError(error: unknown, operation: string, reader?: string): PcscError {
  if (error instanceof PcscError) return error;
  const pcscCode = pcscCodeOf(error);
  const known = pcscCode === undefined ? undefined : SCARD_CODES.find(([c]) => c === pcscCode);
  if (known?.[1] === 'CARD_REMOVED') return new CardRemovedError(reader, { cause: error, pcscCode });
  const where = reader ? ` on "${reader}"` : '';
  if (known) {
    return new PcscError(known[1], `${operation}${where}: ${known[2]}`, { cause: error, pcscCode, reader });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new PcscError('UNKNOWN', `${operation}${where} failed: ${detail}`, { cause: error, pcscCode, reader });
}
