import { CommandApdu, type CardEmulator } from '../../src/pcsc/index.js';

/**
 * A tiny non-HiCOS card for transport tests: echoes data, serves a blob in
 * T=0 style (61xx chunks) and insists on an exact Le (6Cxx), so the
 * transport's follow-ups can be exercised through a real pcscd.
 *
 * INS 0x10: echo the command data, 9000.
 * INS 0x20: return `blob`; answers 61xx and serves it via GET RESPONSE in `chunk`-byte pieces.
 * INS 0x30: return 16 bytes, but only when Le is exactly 16; otherwise 6C10.
 * INS 0x40: never-ending 61xx (protocol abuse).
 */
export class ScriptedCard implements CardEmulator {
  public readonly atr = Uint8Array.from([0x3b, 0x02, 0x14, 0x50]);
  public log: Uint8Array[] = [];
  private pending: Uint8Array | undefined;

  public constructor(
    public blob: Uint8Array = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff),
    public chunk = 200,
  ) {}

  public reset(): Uint8Array {
    this.pending = undefined;
    return this.atr;
  }

  public process(bytes: Uint8Array): Uint8Array {
    this.log.push(bytes);
    const cmd = CommandApdu.from(bytes);
    switch (cmd.ins) {
      case 0x10:
        return Uint8Array.from([...cmd.data, 0x90, 0x00]);
      case 0x20:
        this.pending = this.blob;
        return this.more();
      case 0xc0:
        return this.more(cmd.le);
      case 0x30:
        if (cmd.le !== 16) return Uint8Array.of(0x6c, 0x10);
        return Uint8Array.from([...Array.from({ length: 16 }, (_, i) => 0xa0 + i), 0x90, 0x00]);
      case 0x40:
        return Uint8Array.of(0x61, 0x05);
      default:
        return Uint8Array.of(0x6d, 0x00);
    }
  }

  private more(le?: number): Uint8Array {
    if (!this.pending) return Uint8Array.of(0x69, 0x85);
    if (le === undefined) {
      // First answer: no data yet, announce the first chunk.
      return Uint8Array.of(0x61, Math.min(this.chunk, this.pending.length) & 0xff);
    }
    const out = this.pending.subarray(0, le);
    this.pending = this.pending.subarray(le);
    const left = this.pending.length;
    if (left === 0) {
      this.pending = undefined;
      return Uint8Array.from([...out, 0x90, 0x00]);
    }
    return Uint8Array.from([...out, 0x61, Math.min(this.chunk, left) & 0xff]);
  }
}
