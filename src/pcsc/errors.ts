import { TwpkiError } from '../shared/twpki-error.js';

/** Stable codes of transport-level failures. */
export const PCSC_ERROR_CODES = [
  'BINDING_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
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

/**
 * A PC/SC or transport failure. `pcscCode` is the raw `SCARD_*` value when the
 * error came from the PC/SC service.
 */
export class PcscError extends TwpkiError<PcscErrorCode> {
  /** Raw PC/SC return code (e.g. `0x80100069`), when known. */
  public readonly pcscCode: number | undefined;
  /** Reader the failure happened on, when known. */
  public readonly reader: string | undefined;

  public constructor(
    code: PcscErrorCode,
    message: string,
    options: { cause?: unknown; pcscCode?: number; reader?: string } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.pcscCode = options.pcscCode;
    this.reader = options.reader;
  }
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

/** Extracts the `0x8010xxxx` code from a pcsclite error message. */
export function pcscCodeOf(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(message);
  return m?.[1] ? Number.parseInt(m[1], 16) : undefined;
}

/**
 * Maps an error from the `pcsclite` binding to a typed {@link PcscError}.
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
