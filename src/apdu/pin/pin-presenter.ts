import type { Transport } from '../../pcsc/transport.js';
import { readCardNumber } from '../card-directory.js';
import { statusError } from '../card-io.js';
import type { CardState } from '../card-session.js';
import type { PinOptions, PinStatus } from '../card-types.js';
import { HiCOSFile } from '../commands/file-id.js';
import { verifyStatusProbe } from '../commands/verify.js';
import { LastTryGuardError } from '../errors.js';
import { fileCla } from '../generation.js';
import { type PinPolicy, pinToBuffer, validatePin } from './pin-policy.js';
import { presentPinGen1, presentPinGen2 } from './present-pin.js';
import type { RetryCounterStore } from './retry-counter-store.js';
import type { PinVerifyResult } from './verify-status.js';

/**
 * Everything that touches the user PIN: local validation before any APDU,
 * the last-try guard, the VERIFY of each generation (Gen2 in a fresh SCP03
 * session) and the opt-in status probe. Retry counts go to the store keyed
 * by card number.
 */
export class PinPresenter {
  public constructor(
    private readonly policy: PinPolicy,
    private readonly retryStore: RetryCounterStore,
    private readonly tryLimit: number,
  ) {}

  /** Last known tries left for a card number. */
  public lastKnown(cardNumber: string | undefined): number | undefined {
    return cardNumber === undefined ? undefined : this.retryStore.get(cardNumber);
  }

  /**
   * A copy of `pin` that satisfies the policy; the caller zeroes it.
   * @throws InvalidPinFormatError before anything is sent
   */
  public checkedPin(pin: string | Uint8Array): Buffer {
    const buffer = pinToBuffer(pin);
    try {
      validatePin(buffer, this.policy);
    } catch (error) {
      buffer.fill(0);
      throw error;
    }
    return buffer;
  }

  /**
   * Presents the PIN unless the last known count is 1 and the caller did not
   * allow the last try. Gen2 opens a fresh secure session for it (plain reads
   * must be done before: the card number is read here first).
   */
  public async present(tx: Transport, state: CardState, pin: Uint8Array, options: PinOptions): Promise<PinVerifyResult> {
    const cardNumber = await readCardNumber(tx, state);
    if (this.retryStore.get(cardNumber) === 1 && options.allowLastTry !== true) throw new LastTryGuardError();
    let result: PinVerifyResult;
    if (!state.channel) {
      result = await presentPinGen1(tx, state.files, pin, this.tryLimit);
    } else {
      const session = await state.channel.open(tx);
      try {
        result = await presentPinGen2(tx, session, pin, this.tryLimit);
      } catch (error) {
        state.channel.discard();
        throw error;
      }
      state.channel.pinResult(result.status === 'ok');
    }
    this.retryStore.set(cardNumber, result.retriesLeft);
    return result;
  }

  /** The ISO "VERIFY with no data" probe (the caller checks it is enabled). */
  public async probe(tx: Transport, state: CardState): Promise<PinStatus> {
    const cardNumber = await readCardNumber(tx, state);
    if (state.channel) await state.channel.beforePlainCommand(tx);
    else await state.files.selectEf(tx, HiCOSFile.PKCS15_DF, HiCOSFile.KEYS);
    const response = await tx.transmit(verifyStatusProbe(fileCla(state.generation)));
    const sw = response.sw;
    const left = sw.retriesLeft;
    if (left !== undefined) {
      this.retryStore.set(cardNumber, left);
      return { verified: false, retriesLeft: left, locked: left === 0 };
    }
    if (sw.value === 0x6983) {
      this.retryStore.set(cardNumber, 0);
      return { verified: false, retriesLeft: 0, locked: true };
    }
    if (sw.value === 0x9000) return { verified: true, retriesLeft: undefined, locked: false };
    throw statusError('VERIFY status probe', response);
  }
}
