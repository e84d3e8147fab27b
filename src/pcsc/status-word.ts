import { triesLeft } from '../shared/tries-left.js';
/**
 * ISO 7816-4 status word (SW1 SW2) as a value type.
 *
 * Kept as a class rather than a bare number so that `61xx`/`6Cxx`/`63Cx`
 * decoding lives in one place and logs print `6983`, not `27011`.
 */
export class StatusWord {
  /** `9000`: normal processing. */
  public static readonly OK = new StatusWord(0x90, 0x00);

  /** First status byte. */
  public readonly sw1: number;
  /** Second status byte. */
  public readonly sw2: number;

  public constructor(sw1: number, sw2: number) {
    if (!isByte(sw1) || !isByte(sw2)) {
      throw new RangeError(`status bytes must be 0..255, got ${sw1}, ${sw2}`);
    }
    this.sw1 = sw1;
    this.sw2 = sw2;
  }

  /** Builds a status word from its 16-bit value, e.g. `0x6983`. */
  public static of(value: number): StatusWord {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
      throw new RangeError(`status word must be 0..0xFFFF, got ${value}`);
    }
    return new StatusWord(value >> 8, value & 0xff);
  }

  /** The 16-bit value, e.g. `0x9000`. */
  public get value(): number {
    return (this.sw1 << 8) | this.sw2;
  }

  /** `9000`, or `61xx` (more data waiting, which is still success). */
  public get isSuccess(): boolean {
    return this.value === 0x9000 || this.sw1 === 0x61;
  }

  /** `62xx`/`63xx`: processed with a warning (`63Cx` is a wrong PIN). */
  public get isWarning(): boolean {
    return this.sw1 === 0x62 || this.sw1 === 0x63;
  }

  /** For `61xx`: how many bytes GET RESPONSE can fetch (`00` means 256). */
  public get bytesAvailable(): number | undefined {
    if (this.sw1 !== 0x61) return undefined;
    return this.sw2 === 0 ? 256 : this.sw2;
  }

  /** For `6Cxx`: the Le the card wants the command resent with (`00` means 256). */
  public get correctLe(): number | undefined {
    if (this.sw1 !== 0x6c) return undefined;
    return this.sw2 === 0 ? 256 : this.sw2;
  }

  /** For `63Cx`: the retry counter the card reports. */
  public get retriesLeft(): number | undefined {
    if (this.sw1 === 0x63 && (this.sw2 & 0xf0) === 0xc0) return this.sw2 & 0x0f;
    return undefined;
  }

  /** True when both status words have the same value. */
  public equals(other: StatusWord | number): boolean {
    return this.value === (typeof other === 'number' ? other : other.value);
  }

  /** Upper-case four-hex-digit form, e.g. `6A82`. */
  public toString(): string {
    return this.value.toString(16).toUpperCase().padStart(4, '0');
  }

  /** Encodes as the two trailing bytes of a response. */
  public toBytes(): Uint8Array {
    return Uint8Array.of(this.sw1, this.sw2);
  }

  /** A short English meaning for common ISO 7816-4 status words. */
  public describe(): string {
    const retries = this.retriesLeft;
    if (retries !== undefined) return `verification failed, ${triesLeft(retries)}`;
    if (this.sw1 === 0x61) return `${this.bytesAvailable ?? 0} response bytes available`;
    if (this.sw1 === 0x6c) return `wrong Le, card expects ${this.correctLe ?? 0}`;
    return KNOWN[this.value] ?? 'unknown status';
  }
}

const KNOWN: Readonly<Record<number, string>> = {
  0x9000: 'success',
  0x6281: 'returned data may be corrupted',
  0x6282: 'end of file reached before Le bytes',
  0x6700: 'wrong length',
  0x6881: 'logical channel not supported',
  0x6882: 'secure messaging not supported',
  0x6982: 'security status not satisfied',
  0x6983: 'authentication method blocked',
  0x6984: 'reference data not usable',
  0x6985: 'conditions of use not satisfied',
  0x6986: 'command not allowed (no current EF)',
  0x6987: 'expected secure messaging data objects missing',
  0x6988: 'incorrect secure messaging data objects',
  0x6a80: 'incorrect parameters in the data field',
  0x6a81: 'function not supported',
  0x6a82: 'file or application not found',
  0x6a86: 'incorrect parameters P1-P2',
  0x6a88: 'referenced data not found',
  0x6b00: 'wrong parameters P1-P2',
  0x6d00: 'instruction not supported',
  0x6e00: 'class not supported',
  0x6f00: 'no precise diagnosis',
};

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}
