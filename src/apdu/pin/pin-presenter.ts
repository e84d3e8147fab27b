import type { CommandApdu } from '../../pcsc/command-apdu.js';
import { PcscError } from '../../pcsc/errors.js';
import type { ResponseApdu } from '../../pcsc/response-apdu.js';
import type { Transport } from '../../pcsc/transport.js';
import { statusError, transmitOnce } from '../card-io.js';
import type { CardState } from '../card-session.js';
import type { PinOptions, PinStatus } from '../card-types.js';
import { HiCOSFile } from '../commands/file-id.js';
import { verifyStatusProbe } from '../commands/verify.js';
import { LastTryGuardError } from '../errors.js';
import { fileCla } from '../generation.js';
import { type PinPolicy, pinToBuffer, validatePin } from './pin-policy.js';
import { gen1VerifyCommand, gen2VerifyCommand } from './present-pin.js';
import { pinCardKey } from './pin-card-key.js';
import type { RetryCounterStore } from './retry-counter-store.js';
import { interpretVerifyStatus, type PinVerifyResult } from './verify-status.js';

/** A VERIFY's outcome and the status word the card gave it. */
export interface PresentedPin {
  readonly result: PinVerifyResult;
  readonly statusWord: string;
}

/**
 * Everything that touches the user PIN: local validation before any APDU,
 * the last-try guard, the VERIFY of each generation (Gen2 in a fresh SCP03
 * session) and the opt-in status probe. Retry counts go to the store keyed
 * by card number (a card without one: by its certificate, see `pinCardKey`).
 */
export class PinPresenter {
  public constructor(
    private readonly policy: PinPolicy,
    private readonly retryStore: RetryCounterStore,
    private readonly tryLimit: number,
  ) {}

  /** Last known tries left for a card, by the key `pinCardKey` gave it. */
  public lastKnown(cardKey: string | undefined): number | undefined {
    return cardKey === undefined ? undefined : this.retryStore.get(cardKey);
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
   * must be done before: the card's key, its number or its certificate, is read here first). The VERIFY is
   * sent exactly once. The last known count follows the answer; a bare
   * `6300` (no counter) or no answer at all (card pulled, timeout: the try
   * may be spent) steps a known count down by one (not below 1), so the
   * guard is never a try behind the card. A VERIFY the transport refused
   * before handing it to the reader ({@link PcscError.notSent}) leaves the
   * count as it was: the card never saw it.
   */
  public async present(tx: Transport, state: CardState, pin: Uint8Array, options: PinOptions): Promise<PresentedPin> {
    const cardKey = await pinCardKey(tx, state);
    if (this.retryStore.get(cardKey) === 1 && options.allowLastTry !== true) throw new LastTryGuardError();
    let response: ResponseApdu;
    let result: PinVerifyResult;
    if (!state.channel) {
      await state.files.selectEf(tx, HiCOSFile.PKCS15_DF, HiCOSFile.KEYS);
      // A Gen1 card keeps a verification for every connection until it is reset: from the moment the VERIFY goes
      // out (an answer lost on the way may be a 9000) the caller has a verified state to end. Only a definite
      // refusal (63Cx, 6983, 6300) says this VERIFY verified nothing.
      const before = state.pinVerifiedOnCard === true;
      state.pinVerifiedOnCard = true;
      response = await this.sendVerify(tx, cardKey, gen1VerifyCommand(pin));
      result = this.interpret(cardKey, response);
      if (result.status !== 'ok') state.pinVerifiedOnCard = before;
    } else {
      const session = await state.channel.open(tx);
      try {
        response = await this.sendVerify(tx, cardKey, gen2VerifyCommand(session, pin));
        result = this.interpret(cardKey, response);
      } catch (error) {
        state.channel.discard();
        throw error;
      }
      state.channel.pinResult(result.status === 'ok');
    }
    if (result.retriesLeft !== undefined) this.retryStore.set(cardKey, result.retriesLeft);
    else result = { status: 'wrong', retriesLeft: this.assumeTrySpent(cardKey, true) };
    return { result, statusWord: response.sw.toString() };
  }

  /**
   * Reads the card's answer to a VERIFY that went out. An answer no rule
   * knows (`6Cxx`, `6F00`, `6988`…) may come from a card that counted the
   * try first: the try counts as possibly spent before the error is thrown,
   * as when no answer comes back.
   */
  private interpret(cardKey: string, response: ResponseApdu): PinVerifyResult {
    try {
      return interpretVerifyStatus(response, this.tryLimit);
    } catch (error) {
      this.assumeTrySpent(cardKey, false);
      throw error;
    }
  }

  /**
   * Sends a VERIFY once; when no answer comes back, counts the try as possibly spent before rethrowing, unless the
   * transport says the VERIFY was never handed to the reader. Once the card has answered, the command's data (the
   * PIN block) is zeroed. Not after a failure: a transport of the caller's that gave up waiting might still send
   * it, and must then send the PIN given, not zeros (a try).
   */
  private async sendVerify(tx: Transport, cardKey: string, command: CommandApdu): Promise<ResponseApdu> {
    let response: ResponseApdu;
    try {
      response = await transmitOnce(tx, command);
    } catch (error) {
      // Fails closed: only a refusal certain to have come before sending (waiting for an earlier command that timed
      // out, a session already closed) keeps the count; a persisted count stepped down for it would stay a try short.
      if (!(error instanceof PcscError && error.notSent)) this.assumeTrySpent(cardKey, false);
      throw error;
    }
    command.data.fill(0);
    return response;
  }

  /**
   * After a VERIFY that may have cost a try the card did not count out: a
   * known count steps down by one, but an inference never goes below 1
   * (only `6983`/`63C0` say locked), so the guard then still asks for
   * `allowLastTry`. `notLocked`: the card said so (a `6300`), which
   * replaces a stale 0.
   * @returns the count to report, `undefined` when it is not known
   */
  private assumeTrySpent(cardKey: string, notLocked: boolean): number | undefined {
    const known = this.retryStore.get(cardKey);
    if (known === undefined || (known === 0 && !notLocked)) return undefined;
    this.retryStore.set(cardKey, Math.max(1, known - 1));
    return known - 1 >= 1 ? known - 1 : undefined;
  }

  /**
   * The ISO "VERIFY with no data" probe (the caller checks it is enabled).
   * Guarded as a VERIFY is: a card that does not know the probe may count it
   * as a wrong PIN, so at one try left it could lock the card.
   */
  public async probe(tx: Transport, state: CardState, options: PinOptions): Promise<PinStatus> {
    const cardKey = await pinCardKey(tx, state);
    if (this.retryStore.get(cardKey) === 1 && options.allowLastTry !== true) throw new LastTryGuardError();
    if (state.channel) await state.channel.beforePlainCommand(tx);
    else await state.files.selectEf(tx, HiCOSFile.PKCS15_DF, HiCOSFile.KEYS);
    // Sent once like any VERIFY, and read like one: on a card that does not know the probe it may be taken for
    // a (wrong) PIN, so a bare 6300, an unknown answer or none at all count a try as possibly spent.
    const response = await this.sendVerify(tx, cardKey, verifyStatusProbe(fileCla(state.generation)));
    const sw = response.sw;
    const left = sw.retriesLeft;
    if (left !== undefined) {
      this.retryStore.set(cardKey, left);
      return { verified: false, retriesLeft: left, locked: left === 0 };
    }
    if (sw.value === 0x6983) {
      this.retryStore.set(cardKey, 0);
      return { verified: false, retriesLeft: 0, locked: true };
    }
    if (response.sw.isSuccess) return { verified: true, retriesLeft: undefined, locked: false };
    if (sw.value === 0x6300) return { verified: false, retriesLeft: this.assumeTrySpent(cardKey, true), locked: false };
    this.assumeTrySpent(cardKey, false);
    throw statusError('VERIFY status probe', response);
  }
}
