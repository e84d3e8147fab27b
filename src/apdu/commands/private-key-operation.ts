import { CommandApdu } from '../../pcsc/command-apdu.js';

/** Half of a 2048-bit block, the size of each EA data part and of each result part. */
export const RSA_HALF = 128;

/** `80 EA 82 <keyRef> 80 <first 128 bytes>`: first half of the raw RSA input. */
export function rsaInputFirstHalf(keyRef: number, half: Uint8Array): CommandApdu {
  return new CommandApdu({ cla: 0x80, ins: 0xea, p1: 0x82, p2: keyRef, data: checkHalf(half) });
}

/** `80 EA 02 <keyRef> 80 <last 128 bytes>`: runs the operation, answers result bytes 0–127. */
export function rsaInputSecondHalf(keyRef: number, half: Uint8Array): CommandApdu {
  return new CommandApdu({ cla: 0x80, ins: 0xea, p1: 0x02, p2: keyRef, data: checkHalf(half) });
}

/** `80 C1 00 80 80`: fetches result bytes 128–255. */
export function rsaResultSecondHalf(): CommandApdu {
  return new CommandApdu({ cla: 0x80, ins: 0xc1, p1: 0x00, p2: 0x80, le: RSA_HALF });
}

function checkHalf(half: Uint8Array): Uint8Array {
  if (half.length !== RSA_HALF) throw new RangeError(`RSA half block must be ${RSA_HALF} bytes`);
  return half;
}
