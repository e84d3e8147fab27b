import { CommandApdu } from './command-apdu.js';
import { CardProtocolError, PcscTimeoutError, markNotSent } from './errors.js';
import { ResponseApdu } from './response-apdu.js';
import type { TransmitOptions, Transport } from './transport.js';

/** INS of VERIFY, whose data is the PIN (plain, enciphered or under secure messaging: the INS stays). */
const INS_VERIFY = 0x20;

/** Upper bound on GET RESPONSE / resend rounds for one command. */
export const MAX_FOLLOW_UP_ROUNDS = 64;

/**
 * Shared machinery of every transport: serialising access, per-call timeouts,
 * and the T=0 follow-ups (`61xx` → GET RESPONSE, `6Cxx` → resend with Le).
 * Subclasses only supply one raw exchange.
 */
export abstract class CardChannel implements Transport {
  public abstract readonly readerName: string;
  public abstract readonly atr: Uint8Array;
  public abstract readonly epoch: number;

  /** See {@link Transport.cardResets}; `undefined` unless a subclass counts them. */
  public get cardResets(): number | undefined {
    return undefined;
  }

  /** Default per-call timeout in milliseconds. */
  public timeoutMs: number;

  private tail: Promise<void> = Promise.resolve();
  /**
   * Settles when the raw exchange still running ends (it may be one a timeout abandoned: the caller has its
   * error while the transport still waits for the card); `undefined` when none is running.
   */
  private running: Promise<unknown> | undefined;

  protected constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** The raw exchange still running, if any (read-only to subclasses: a session releases its handle after it). */
  protected get inflight(): Promise<unknown> | undefined {
    return this.running;
  }

  /**
   * Sends raw bytes to the card and returns its raw answer. A failure before the bytes were handed to the reader
   * (the handle already gone, pcscd known to be silent) rejects with a {@link PcscError} whose
   * {@link PcscError.notSent} is `true`; only there, as a PIN try is then taken as not spent.
   */
  protected abstract exchange(command: Uint8Array): Promise<Uint8Array>;

  /**
   * Throws when the channel can no longer be used (closed, card gone). Called before a command is sent: a
   * {@link PcscError} made with `notSent: true` says the command never went out ({@link PcscError.notSent}). The
   * channel does not mark what it throws itself: a transport may throw one error object again, also for a command
   * that did go out, and a mark put on it here would then say "not sent" of that command too.
   */
  protected abstract assertUsable(): void;

  public transmit(command: CommandApdu | Uint8Array, options: TransmitOptions = {}): Promise<ResponseApdu> {
    return this.locked(() => this.transmitUnlocked(command, options));
  }

  public transaction<T>(fn: (tx: Transport) => Promise<T>): Promise<T> {
    // Checked on entry, not only at the first transmit: a transaction that sends nothing (HiCOSCard answering
    // info() from its per-card cache) would otherwise answer for a card the session no longer holds.
    return this.locked(async () => {
      this.assertUsable();
      return fn(this.unlockedView());
    });
  }

  /** Runs `fn` after every earlier locked call settles; never deadlocks on throw. */
  protected locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private unlockedView(): Transport {
    // Inside a transaction the lock is already held: transmit directly.
    const channel = this;
    const view: Transport = {
      get readerName() {
        return channel.readerName;
      },
      get atr() {
        return channel.atr;
      },
      get epoch() {
        return channel.epoch;
      },
      get cardResets() {
        return channel.cardResets;
      },
      transmit: (c, o) => this.transmitUnlocked(c, o ?? {}),
      transaction: (fn) => fn(view),
    };
    return view;
  }

  /**
   * One command and its follow-ups. A failure before the command was handed to the reader says so
   * ({@link PcscError.notSent}); a failure of a follow-up never does: the command itself went out.
   */
  private async transmitUnlocked(input: CommandApdu | Uint8Array, options: TransmitOptions): Promise<ResponseApdu> {
    this.assertUsable();
    let command: CommandApdu;
    try {
      command = input instanceof CommandApdu ? input : CommandApdu.from(input);
    } catch (error) {
      // Made here for this transmit alone: marking it changes no other transmit's error.
      throw markNotSent(error, true);
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const response = await this.exchangeOnce(command.toBytes(), timeoutMs);
    if (options.followUp === false) return response;
    try {
      return await this.followUp(command, response, timeoutMs);
    } catch (error) {
      // A refusal of a GET RESPONSE or a resend is one of a command that did reach the card.
      throw markNotSent(error, false);
    }
  }

  /** The T=0 follow-ups of `command`, whose first answer was `first`: `6Cxx` resends, `61xx` GET RESPONSEs. */
  private async followUp(command: CommandApdu, first: ResponseApdu, timeoutMs: number): Promise<ResponseApdu> {
    let current = command;
    let response = first;
    const collected: Uint8Array[] = [];
    for (let round = 0; ; round++) {
      if (round >= MAX_FOLLOW_UP_ROUNDS) {
        throw new CardProtocolError(`card kept asking for follow-ups after ${MAX_FOLLOW_UP_ROUNDS} rounds`, this.readerName);
      }
      const wrongLe = response.sw.correctLe;
      if (wrongLe !== undefined) {
        if (current.extended || (current.le !== undefined && current.le === wrongLe)) {
          // Resending with the same Le would loop forever.
          throw new CardProtocolError(`card answered 6C${response.sw.toString().slice(2)} to Le it asked for`, this.readerName);
        }
        current = current.withLe(wrongLe);
        response = await this.exchangeOnce(current.toBytes(), timeoutMs);
        continue;
      }
      const more = response.sw.bytesAvailable;
      if (more !== undefined) {
        collected.push(response.data);
        // GET RESPONSE is an interindustry command: CLA 00 with the original command's channel bits (what the
        // captured HiCOS middleware sends). A card that refuses that class (6E00: HiCOS Gen1 answers 6E00 to
        // CLA 00 elsewhere) is asked again with the original command's CLA; GET RESPONSE costs nothing to repeat.
        const getResponse = new CommandApdu({ cla: command.cla & 0x03, ins: 0xc0, p1: 0, p2: 0, le: more });
        current = getResponse;
        response = await this.exchangeOnce(getResponse.toBytes(), timeoutMs);
        if (response.sw.value === 0x6e00 && command.cla !== getResponse.cla) {
          current = new CommandApdu({ cla: command.cla, ins: 0xc0, p1: 0, p2: 0, le: more });
          response = await this.exchangeOnce(current.toBytes(), timeoutMs);
        }
        continue;
      }
      break;
    }
    if (collected.length === 0) return response;
    collected.push(response.data);
    return new ResponseApdu(Buffer.concat(collected), response.sw);
  }

  private async exchangeOnce(bytes: Uint8Array, timeoutMs: number): Promise<ResponseApdu> {
    // A timed-out exchange is still running on the card; never overlap it. Waiting for it counts against this
    // command's own limit: a card (or reader driver) that never answers the first must not hold every later
    // command of the session without one. Nothing is sent when it has not ended by then. Checked again after each
    // wait: commands sent at once inside one transaction wake together, and the first to go starts an exchange the
    // others must then wait for.
    const limited = Number.isFinite(timeoutMs) && timeoutMs > 0;
    const deadline = Date.now() + timeoutMs;
    while (this.running !== undefined) {
      const left = limited ? deadline - Date.now() : timeoutMs;
      if (limited && left <= 0) throw this.waitRanOut(timeoutMs);
      try {
        await withTimeout(this.running, left, WAITING_FOR_EARLIER, this.readerName);
      } catch {
        // `running` never rejects: this is the timer, named with the command's own limit.
        throw this.waitRanOut(timeoutMs);
      }
    }
    this.assertUsable();
    const pending = this.exchange(bytes);
    // A VERIFY carries the PIN (Gen1: under a publicly known key): its encoding, made for this exchange only, is
    // zeroed once the card has answered (not at a timeout: the exchange may still be reading it).
    const secret = bytes[1] === INS_VERIFY;
    const settled = pending.then(
      () => undefined,
      () => undefined,
    );
    if (secret) void settled.then(() => bytes.fill(0));
    this.running = settled;
    void settled.then(() => {
      if (this.running === settled) this.running = undefined;
    });
    // From here on the command may have gone out: only a refusal `exchange` itself made before handing it to the
    // reader says otherwise (a timeout here may have come while it was being sent).
    const raw = await withTimeout(pending, timeoutMs, 'transmit', this.readerName);
    return ResponseApdu.from(raw);
  }

  /** The TIMEOUT of a command whose wait for an earlier, timed-out one ran out: it was never sent. */
  private waitRanOut(timeoutMs: number): PcscTimeoutError {
    return markNotSent(new PcscTimeoutError(WAITING_FOR_EARLIER, timeoutMs, this.readerName), true);
  }
}

/** What a command waiting for an earlier, timed-out one names in its TIMEOUT. */
const WAITING_FOR_EARLIER = 'transmit (waiting for the card to answer an earlier command that timed out)';

/**
 * Races `promise` against a timer. The underlying operation is not cancelled
 * (PC/SC cannot cancel a transmit): {@link CardChannel} waits for it before
 * the next exchange.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, operation: string, reader?: string): Promise<T> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PcscTimeoutError(operation, timeoutMs, reader)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
