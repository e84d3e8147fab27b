import { CommandApdu } from '../../pcsc/command-apdu.js';

/** PIN reference of the user PIN on HiCOS (P2). */
export const USER_PIN_REFERENCE = 0x01;

/** Gen1 protected VERIFY: `8C 20 00 01 20 <IV ‖ encrypted PIN block>`. */
export function gen1ProtectedVerify(pinBlock: Uint8Array): CommandApdu {
  if (pinBlock.length !== 32) throw new RangeError('Gen1 PIN block must be 32 bytes');
  return new CommandApdu({ cla: 0x8c, ins: 0x20, p1: 0, p2: USER_PIN_REFERENCE, data: pinBlock });
}

/**
 * Gen2 VERIFY before secure messaging: `00 20 00 01 0A <PIN FF-padded to 10>`.
 * The SCP03 session pads to 16, encrypts, MACs and sets CLA `04`, giving
 * `04 20 00 01 18 …` on the wire.
 */
export function gen2VerifyPlain(pinFF10: Uint8Array): CommandApdu {
  return new CommandApdu({ cla: 0x00, ins: 0x20, p1: 0, p2: USER_PIN_REFERENCE, data: pinFF10 });
}

/**
 * ISO 7816-4 VERIFY with no data: asks for the retry counter without
 * presenting a PIN. Unconfirmed on HiCOS; only sent on explicit opt-in.
 */
export function verifyStatusProbe(cla: number): CommandApdu {
  return new CommandApdu({ cla, ins: 0x20, p1: 0, p2: USER_PIN_REFERENCE });
}
