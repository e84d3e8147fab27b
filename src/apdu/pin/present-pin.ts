import { randomBytes } from 'node:crypto';
import type { CommandApdu } from '../../pcsc/command-apdu.js';
import { gen1ProtectedVerify, gen2VerifyPlain } from '../commands/verify.js';
import { encryptGen1PinBlock, padPinFF } from '../crypto/gen1-pin-block.js';
import type { Scp03Session } from '../secure-channel/scp03-session.js';

/*
 * The VERIFY commands of both generations. Building is kept apart from
 * sending: the PIN presenter sends a VERIFY exactly once (`transmitOnce`)
 * and has to know whether a failure came before or after it went out.
 */

/**
 * Gen1 protected VERIFY (`8C 20 00 01 20`): the 3DES PIN block under a fresh
 * random IV; `3F00/5030/0810` must be selected first. The caller owns and
 * zeroes `pin`.
 */
export function gen1VerifyCommand(pin: Uint8Array, iv: Uint8Array = new Uint8Array(randomBytes(8))): CommandApdu {
  const block = encryptGen1PinBlock(pin, iv);
  const command = gen1ProtectedVerify(block);
  block.fill(0);
  return command;
}

/**
 * Gen2 VERIFY inside an open SCP03 session: the PIN `FF`-padded to 10 bytes;
 * the session pads it with `80` to 16, encrypts, C-MACs and sets CLA `04`.
 */
export function gen2VerifyCommand(session: Scp03Session, pin: Uint8Array): CommandApdu {
  // The session's C-DECRYPTION adds the `80` padding to 16 bytes.
  const ff = padPinFF(pin);
  const plain = gen2VerifyPlain(ff);
  ff.fill(0);
  const command = session.wrap(plain);
  plain.data.fill(0);
  return command;
}
