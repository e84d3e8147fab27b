import { CommandApdu } from '../../pcsc/command-apdu.js';
import { padIso9797M2 } from '../crypto/iso9797-padding.js';
import type { Scp03SessionKeys } from '../crypto/scp03-session-keys.js';
import { aesCbc, SCP03_MAC_LENGTH, scp03CommandIv, scp03CommandMac } from './scp03-command-crypto.js';
import { HiCOSError } from '../errors.js';
import type { Scp03CounterPolicy } from './scp03-options.js';

/**
 * How a session steps its encryption counter: a known policy, or
 * `'unsettled'` (the card's policy is not known): counters are stepped as
 * `'every-command'`, and encrypting data after a command without data, the
 * only case where the policies differ, is refused instead of guessed.
 */
export type Scp03SessionCounter = Scp03CounterPolicy | 'unsettled';

/**
 * Host side of an open SCP03 session at security level C-MAC + C-DECRYPTION:
 * turns plain commands into secured ones. Holds the MAC chaining value and
 * the encryption counter, so commands must be sent in the order wrapped.
 */
export class Scp03Session {
  private chaining: Uint8Array;
  private counter = 0;
  private sentDataless = false;

  /**
   * @param keys session keys from INITIALIZE UPDATE
   * @param counterPolicy when the encryption counter steps (see {@link Scp03SessionCounter})
   */
  public constructor(
    private readonly keys: Scp03SessionKeys,
    private readonly counterPolicy: Scp03SessionCounter,
    chaining: Uint8Array = new Uint8Array(16),
  ) {
    this.chaining = Uint8Array.from(chaining);
  }

  /**
   * C-MAC only (used for EXTERNAL AUTHENTICATE, whose data is never encrypted).
   * `command.cla` must already carry the secure-messaging bit.
   */
  public macOnly(command: CommandApdu): CommandApdu {
    const mac = scp03CommandMac(this.keys.sMac, this.chaining, command, command.data);
    this.chaining = mac;
    const data = new Uint8Array(command.data.length + SCP03_MAC_LENGTH);
    data.set(command.data);
    data.set(mac.subarray(0, SCP03_MAC_LENGTH), command.data.length);
    return new CommandApdu({ cla: command.cla, ins: command.ins, p1: command.p1, p2: command.p2, data, le: command.le });
  }

  /**
   * Encrypts the data (when there is any) and appends the C-MAC. Sets the
   * secure-messaging bit `04` in CLA (`00`→`04`, `80`→`84`).
   */
  public wrap(command: CommandApdu): CommandApdu {
    const hasData = command.data.length > 0;
    if (hasData && this.sentDataless && this.counterPolicy === 'unsettled') {
      throw new HiCOSError(
        'SECURE_CHANNEL_FAILED',
        'encrypting after a command without data depends on the card\'s SCP03 counter policy, which is unknown: open a new session (or set scp03.counterPolicy)',
      );
    }
    if (!hasData) this.sentDataless = true;
    if (hasData || this.counterPolicy !== 'data-commands-only') this.counter++;
    let payload: Uint8Array = new Uint8Array(0);
    if (hasData) {
      const padded = padIso9797M2(command.data);
      payload = aesCbc(true, this.keys.sEnc, scp03CommandIv(this.keys.sEnc, this.counter), padded);
      padded.fill(0);
    }
    const secured = new CommandApdu({
      cla: command.cla | 0x04,
      ins: command.ins,
      p1: command.p1,
      p2: command.p2,
      data: payload,
      le: command.le,
    });
    return this.macOnly(secured);
  }

  /** Forgets the keys; the session cannot be used afterwards. */
  public close(): void {
    this.keys.sEnc.fill(0);
    this.keys.sMac.fill(0);
    this.keys.sRmac.fill(0);
  }
}
