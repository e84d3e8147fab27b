import { bytesEqual } from '../../shared/bytes.js';
import { CommandApdu } from '../../pcsc/command-apdu.js';
import { unpadIso9797M2 } from '../../apdu/crypto/iso9797-padding.js';
import {
  deriveScp03SessionKeys,
  type Scp03SessionKeys,
  type Scp03StaticKeys,
  scp03CardCryptogram,
  scp03HostCryptogram,
} from '../../apdu/crypto/scp03-session-keys.js';
import { aesCbc, SCP03_MAC_LENGTH, scp03CommandIv, scp03CommandMac } from '../../apdu/secure-channel/scp03-command-crypto.js';
import type { Scp03CounterPolicy } from '../../apdu/secure-channel/scp03-options.js';

/**
 * Card side of an SCP03 session as the virtual Gen2 card runs it: checks
 * C-MACs with chaining, decrypts command data, steps the counter by the
 * same policy as the host.
 */
export class CardSecureChannel {
  private chaining: Uint8Array = new Uint8Array(16);
  private counter = 0;
  private authenticated = false;
  private readonly keys: Scp03SessionKeys;

  /** Starts a session at INITIALIZE UPDATE. */
  public constructor(
    staticKeys: Scp03StaticKeys,
    private readonly hostChallenge: Uint8Array,
    private readonly cardChallenge: Uint8Array,
    private readonly counterPolicy: Scp03CounterPolicy,
  ) {
    this.keys = deriveScp03SessionKeys(staticKeys, hostChallenge, cardChallenge);
  }

  /** The card cryptogram for the INITIALIZE UPDATE answer. */
  public cardCryptogram(): Uint8Array {
    return scp03CardCryptogram(this.keys.sMac, this.hostChallenge, this.cardChallenge);
  }

  /** Whether EXTERNAL AUTHENTICATE succeeded. */
  public get isAuthenticated(): boolean {
    return this.authenticated;
  }

  /**
   * Checks EXTERNAL AUTHENTICATE (`84 82 <level> 00 10 <host cryptogram> <C-MAC>`).
   * @returns `true` when the MAC and host cryptogram are right
   */
  public externalAuthenticate(command: CommandApdu): boolean {
    if (command.data.length !== 16 || command.p1 !== 0x03) return false;
    if (!this.checkMac(command)) return false;
    const expected = scp03HostCryptogram(this.keys.sMac, this.hostChallenge, this.cardChallenge);
    if (!bytesEqual(expected, command.data.subarray(0, 8))) return false;
    this.authenticated = true;
    return true;
  }

  /**
   * Verifies and strips secure messaging.
   * @returns the plain command (CLA without the SM bit), or `undefined` on a bad MAC or cryptogram
   */
  public unwrap(command: CommandApdu): CommandApdu | undefined {
    if (!this.authenticated || command.data.length < SCP03_MAC_LENGTH) return undefined;
    if (!this.checkMac(command)) return undefined;
    const encrypted = command.data.subarray(0, command.data.length - SCP03_MAC_LENGTH);
    if (encrypted.length > 0 || this.counterPolicy === 'every-command') this.counter++;
    let data: Uint8Array = new Uint8Array(0);
    if (encrypted.length > 0) {
      if (encrypted.length % 16 !== 0) return undefined;
      const plain = aesCbc(false, this.keys.sEnc, scp03CommandIv(this.keys.sEnc, this.counter), encrypted);
      const unpadded = unpadIso9797M2(plain);
      plain.fill(0);
      if (!unpadded) return undefined;
      data = unpadded;
    }
    return new CommandApdu({ cla: command.cla & ~0x04, ins: command.ins, p1: command.p1, p2: command.p2, data, le: command.le });
  }

  private checkMac(command: CommandApdu): boolean {
    const body = command.data.subarray(0, command.data.length - SCP03_MAC_LENGTH);
    const mac = scp03CommandMac(this.keys.sMac, this.chaining, command, body);
    if (!bytesEqual(mac.subarray(0, SCP03_MAC_LENGTH), command.data.subarray(command.data.length - SCP03_MAC_LENGTH))) return false;
    this.chaining = mac;
    return true;
  }
}
