import type { ResponseApdu } from '../../pcsc/response-apdu.js';
import { statusError } from '../card-io.js';
import { CardStatusError } from '../errors.js';

/** The PIN was right; the counter is back at the try limit. */
export interface PinOk {
  /** Discriminant. */
  readonly status: 'ok';
  /** The configured try limit (the card does not report it). */
  readonly retriesLeft: number;
}

/** The PIN was wrong (`63Cx`, or `6300` from a card that reports no counter). */
export interface PinWrong {
  /** Discriminant. */
  readonly status: 'wrong';
  /**
   * Tries left as the card reported (`63Cx`). After a bare `6300`: one less
   * than the last known count, or `undefined` when that is not known (no
   * count, or it was 1 or 0: an inference never reports a lock).
   */
  readonly retriesLeft: number | undefined;
}

/** The card is locked (`6983`). */
export interface PinLocked {
  /** Discriminant. */
  readonly status: 'locked';
  /** Always 0. */
  readonly retriesLeft: 0;
}

/** Outcome of a PIN verification. */
export type PinVerifyResult = PinOk | PinWrong | PinLocked;

/**
 * Maps a VERIFY answer: `9000` (or `61xx`, also normal completion) ok,
 * `63Cx` wrong with x tries left (`63C0` counts as locked), `6300` wrong
 * with the count not reported (ISO: verification failed; the try is spent),
 * `6983` locked; anything else is a typed card error. `6A88` (no such PIN
 * reference) made the official module try other key labels; the SDK never
 * does, since each VERIFY may cost a try.
 */
export function interpretVerifyStatus(response: ResponseApdu, tryLimit: number): PinVerifyResult {
  const sw = response.sw;
  if (response.sw.isSuccess) return { status: 'ok', retriesLeft: tryLimit };
  const left = sw.retriesLeft;
  if (left !== undefined) return left === 0 ? { status: 'locked', retriesLeft: 0 } : { status: 'wrong', retriesLeft: left };
  if (sw.value === 0x6300) return { status: 'wrong', retriesLeft: undefined };
  if (sw.value === 0x6983) return { status: 'locked', retriesLeft: 0 };
  if (sw.value === 0x6a88) {
    throw new CardStatusError('VERIFY', '6A88', 'the card has no user PIN under reference 01; no other reference is tried');
  }
  throw statusError('VERIFY', response);
}
