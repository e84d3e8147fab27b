import { CommandApdu } from '../../pcsc/command-apdu.js';

/** Largest READ BINARY the HiCOS middleware asks for (`C8`). */
export const READ_CHUNK = 200;

/** Largest offset a short READ BINARY can address (P1 bit 8 must stay clear). */
export const MAX_READ_OFFSET = 0x7fff;

/** `<CLA> B0 <offset hi & 7F> <offset lo> <Le>`. */
export function readBinary(cla: number, offset: number, le: number = READ_CHUNK): CommandApdu {
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_READ_OFFSET) {
    throw new RangeError(`READ BINARY offset must be 0..7FFF, got ${offset}`);
  }
  return new CommandApdu({ cla, ins: 0xb0, p1: (offset >> 8) & 0x7f, p2: offset & 0xff, le });
}
