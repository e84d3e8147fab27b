import { ApduFormatError } from './errors.js';
import { describeValue } from '../shared/describe-value.js';
import { isBytes } from '../shared/bytes.js';

/** Fields of a command APDU. */
export interface CommandApduInit {
  /** Class byte. */
  cla: number;
  /** Instruction byte. */
  ins: number;
  /** Parameter 1. */
  p1: number;
  /** Parameter 2. */
  p2: number;
  /** Command data (Lc is derived from its length). Empty or absent means no data. */
  data?: Uint8Array;
  /**
   * Expected response length. `undefined` means no Le field. 256 is the short
   * maximum (encoded `00`), 65536 the extended maximum (encoded `0000`).
   */
  le?: number;
  /** Encode with extended length fields even when short ones would do. */
  extended?: boolean;
}

const SHORT_MAX_LC = 255;
const SHORT_MAX_LE = 256;
const EXTENDED_MAX_LC = 65535;
const EXTENDED_MAX_LE = 65536;

/**
 * An ISO 7816-4 command APDU, immutable.
 *
 * Short encoding is chosen automatically unless data exceeds 255 bytes, Le
 * exceeds 256, or `extended` is set. HiCOS cards only accept short APDUs
 * (the card layer never asks for extended).
 */
export class CommandApdu {
  /** Class byte. */
  public readonly cla: number;
  /** Instruction byte. */
  public readonly ins: number;
  /** Parameter 1. */
  public readonly p1: number;
  /** Parameter 2. */
  public readonly p2: number;
  /** Command data; empty when the APDU carries none. */
  public readonly data: Uint8Array;
  /** Expected response length, or `undefined` for none. */
  public readonly le: number | undefined;
  /** Whether the encoding uses extended length fields. */
  public readonly extended: boolean;

  public constructor(init: CommandApduInit) {
    if (typeof init !== 'object' || init === null) throw new ApduFormatError(`a command APDU needs { cla, ins, p1, p2, data?, le? }, got ${describeValue(init)}`);
    if (init.data !== undefined && !isBytes(init.data)) {
      throw new ApduFormatError(`command data must be bytes (a Uint8Array or Buffer), got ${describeValue(init.data)}`);
    }
    for (const [name, v] of [['CLA', init.cla], ['INS', init.ins], ['P1', init.p1], ['P2', init.p2]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ApduFormatError(`${name} must be a byte, got ${v}`);
    }
    const data = init.data ?? new Uint8Array(0);
    if (data.length > EXTENDED_MAX_LC) throw new ApduFormatError(`command data too long: ${data.length} bytes`);
    if (init.le !== undefined && (!Number.isInteger(init.le) || init.le < 1 || init.le > EXTENDED_MAX_LE)) {
      throw new ApduFormatError(`Le must be 1..65536 or absent, got ${init.le}`);
    }
    this.cla = init.cla;
    this.ins = init.ins;
    this.p1 = init.p1;
    this.p2 = init.p2;
    this.data = Uint8Array.from(data);
    this.le = init.le;
    this.extended =
      init.extended === true || data.length > SHORT_MAX_LC || (init.le !== undefined && init.le > SHORT_MAX_LE);
  }

  /** Returns a copy with a different Le (used for `6Cxx` resends). */
  public withLe(le: number | undefined): CommandApdu {
    return new CommandApdu({ ...this.fields(), le });
  }

  /** Returns a copy with a different CLA (used for secure messaging). */
  public withCla(cla: number): CommandApdu {
    return new CommandApdu({ ...this.fields(), cla });
  }

  /** Encodes to bytes (case 1, 2, 3 or 4; short or extended). */
  public toBytes(): Uint8Array {
    const header = [this.cla, this.ins, this.p1, this.p2];
    const hasData = this.data.length > 0;
    const out: number[] = header;
    if (!this.extended) {
      if (hasData) out.push(this.data.length, ...this.data);
      if (this.le !== undefined) out.push(this.le === SHORT_MAX_LE ? 0 : this.le);
      return Uint8Array.from(out);
    }
    const le2 = (le: number): number[] => (le === EXTENDED_MAX_LE ? [0, 0] : [le >> 8, le & 0xff]);
    if (hasData) {
      out.push(0, this.data.length >> 8, this.data.length & 0xff, ...this.data);
      if (this.le !== undefined) out.push(...le2(this.le));
    } else if (this.le !== undefined) {
      out.push(0, ...le2(this.le));
    }
    return Uint8Array.from(out);
  }

  /** Upper-case hex with spaces, e.g. `00 A4 04 00 02 3F 00`. */
  public toString(): string {
    return Array.from(this.toBytes(), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  }

  /**
   * Decodes an encoded command APDU (all ISO cases, short and extended).
   * Emulators use this; a malformed encoding raises {@link ApduFormatError}.
   */
  public static from(bytes: Uint8Array): CommandApdu {
    // A number[] or hex text has a length too, and failed further on as "bytes.subarray is not a function".
    if (!isBytes(bytes)) {
      throw new ApduFormatError(`a command APDU must be bytes (a Uint8Array or Buffer, such as Uint8Array.of(0x00, 0xa4, …)), got ${describeValue(bytes)}`);
    }
    if (bytes.length < 4) throw new ApduFormatError(`command APDU shorter than 4 bytes (${bytes.length})`);
    const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
    const base = { cla, ins, p1, p2 };
    const body = bytes.subarray(4);
    if (body.length === 0) return new CommandApdu(base);
    if (body.length === 1) return new CommandApdu({ ...base, le: body[0] === 0 ? SHORT_MAX_LE : body[0]! });
    const b0 = body[0]!;
    if (b0 !== 0) {
      // Short case 3 or 4.
      const lc = b0;
      if (body.length === 1 + lc) return new CommandApdu({ ...base, data: body.subarray(1) });
      if (body.length === 2 + lc) {
        const le = body[1 + lc]!;
        return new CommandApdu({ ...base, data: body.subarray(1, 1 + lc), le: le === 0 ? SHORT_MAX_LE : le });
      }
      throw new ApduFormatError(`Lc ${lc} does not match the ${body.length - 1} bytes that follow`);
    }
    // Extended: 00 then two bytes.
    if (body.length === 3) {
      const le = (body[1]! << 8) | body[2]!;
      return new CommandApdu({ ...base, le: le === 0 ? EXTENDED_MAX_LE : le, extended: true });
    }
    if (body.length < 3) throw new ApduFormatError('truncated extended length field');
    const lc = (body[1]! << 8) | body[2]!;
    if (lc === 0) throw new ApduFormatError('extended Lc of zero');
    const data = body.subarray(3, 3 + lc);
    if (data.length !== lc) throw new ApduFormatError(`extended Lc ${lc} exceeds the data present`);
    const rest = body.length - 3 - lc;
    if (rest === 0) return new CommandApdu({ ...base, data, extended: true });
    if (rest === 2) {
      const le = (body[3 + lc]! << 8) | body[4 + lc]!;
      return new CommandApdu({ ...base, data, le: le === 0 ? EXTENDED_MAX_LE : le, extended: true });
    }
    throw new ApduFormatError(`${rest} unexpected bytes after extended command data`);
  }

  private fields(): CommandApduInit {
    return { cla: this.cla, ins: this.ins, p1: this.p1, p2: this.p2, data: this.data, le: this.le, extended: this.extended };
  }
}
