import { randomBytes } from 'node:crypto';
import type { Transport } from '../../pcsc/transport.js';
import { HiCOSFile } from '../commands/file-id.js';
import { gen1ProtectedVerify, gen2VerifyPlain } from '../commands/verify.js';
import { encryptGen1PinBlock, padPinFF } from '../crypto/gen1-pin-block.js';
import type { FileReader } from '../file-reader.js';
import type { Scp03Session } from '../secure-channel/scp03-session.js';
import { interpretVerifyStatus, type PinVerifyResult } from './verify-status.js';

/**
 * Gen1 protected VERIFY: select `3F00/5030/0810`, then send the 3DES PIN
 * block under a fresh random IV. The caller owns and zeroes `pin`.
 */
export async function presentPinGen1(
  tx: Transport,
  files: FileReader,
  pin: Uint8Array,
  tryLimit: number,
  iv: Uint8Array = new Uint8Array(randomBytes(8)),
): Promise<PinVerifyResult> {
  await files.selectEf(tx, HiCOSFile.PKCS15_DF, HiCOSFile.KEYS);
  const block = encryptGen1PinBlock(pin, iv);
  const command = gen1ProtectedVerify(block);
  block.fill(0);
  const response = await tx.transmit(command);
  return interpretVerifyStatus(response, tryLimit);
}

/**
 * Gen2 VERIFY inside an open SCP03 session: the PIN `FF`-padded to 10 bytes;
 * the session pads it with `80` to 16, encrypts, C-MACs and sets CLA `04`.
 */
export async function presentPinGen2(
  tx: Transport,
  session: Scp03Session,
  pin: Uint8Array,
  tryLimit: number,
): Promise<PinVerifyResult> {
  // The session's C-DECRYPTION adds the `80` padding to 16 bytes.
  const ff = padPinFF(pin);
  const plain = gen2VerifyPlain(ff);
  ff.fill(0);
  const command = session.wrap(plain);
  plain.data.fill(0);
  const response = await tx.transmit(command);
  return interpretVerifyStatus(response, tryLimit);
}
