import { HiCOSError } from '../errors.js';

/**
 * EMSA-PKCS1-v1_5 encoding: `00 01 FF…FF 00 ‖ DigestInfo`, `modulusBytes` long.
 * The card only does the raw private-key operation, so the host builds this.
 */
export function pkcs1SignatureBlock(digestInfoDer: Uint8Array, modulusBytes: number): Uint8Array {
  const psLength = modulusBytes - digestInfoDer.length - 3;
  if (psLength < 8) throw new HiCOSError('INVALID_CARD_INPUT', 'DigestInfo too long for the key size');
  const block = new Uint8Array(modulusBytes).fill(0xff);
  block[0] = 0x00;
  block[1] = 0x01;
  block[2 + psLength] = 0x00;
  block.set(digestInfoDer, 3 + psLength);
  return block;
}

/**
 * Removes PKCS#1 v1.5 type-2 (encryption) padding `00 02 PS(≥8 non-zero) 00 M`.
 * @throws HiCOSError `DECRYPTION_FAILED` when the block is not type-2 padded
 */
export function removePkcs1Type2Padding(block: Uint8Array): Uint8Array {
  // One generic error for every defect, so the answer is not a padding oracle.
  const fail = (): never => {
    throw new HiCOSError('DECRYPTION_FAILED', 'decrypted block is not PKCS#1 v1.5 type 2');
  };
  if (block.length < 11 || block[0] !== 0x00 || block[1] !== 0x02) fail();
  const separator = block.indexOf(0x00, 2);
  if (separator < 10) fail();
  return block.slice(separator + 1);
}
