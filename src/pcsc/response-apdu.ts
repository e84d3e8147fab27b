import { CardProtocolError } from './errors.js';
import { StatusWord } from './status-word.js';
import { describeValue } from '../shared/describe-value.js';
import { isBytes } from '../shared/bytes.js';

/** An ISO 7816-4 response APDU: data followed by a status word. */
export class ResponseApdu {
  /** Response data (may be empty). */
  public readonly data: Uint8Array;
  /** Trailing status word. */
  public readonly sw: StatusWord;

  public constructor(data: Uint8Array, sw: StatusWord) {
    this.data = data;
    this.sw = sw;
  }

  /** Splits raw response bytes; fewer than two bytes is a protocol error. */
  public static from(bytes: Uint8Array): ResponseApdu {
    // What a card emulator of the caller's returned: a number[] would fail further on as a TypeError.
    if (!isBytes(bytes)) throw new CardProtocolError(`a response APDU must be bytes (a Uint8Array or Buffer), got ${describeValue(bytes)}`);
    if (bytes.length < 2) {
      throw new CardProtocolError(`response of ${bytes.length} byte(s) has no status word`);
    }
    const n = bytes.length;
    return new ResponseApdu(Uint8Array.from(bytes.subarray(0, n - 2)), new StatusWord(bytes[n - 2]!, bytes[n - 1]!));
  }

  /** Builds a response from data and a 16-bit status value (emulators use this). */
  public static of(data: Uint8Array, sw: number): ResponseApdu {
    return new ResponseApdu(data, StatusWord.of(sw));
  }

  /** `9000` or `61xx`. */
  public get ok(): boolean {
    return this.sw.isSuccess;
  }

  /** Encodes as data ‖ SW1 SW2. */
  public toBytes(): Uint8Array {
    const out = new Uint8Array(this.data.length + 2);
    out.set(this.data);
    out[this.data.length] = this.sw.sw1;
    out[this.data.length + 1] = this.sw.sw2;
    return out;
  }
}
