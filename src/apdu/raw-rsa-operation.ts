import type { Transport } from '../pcsc/transport.js';
import type { CommandApdu } from '../pcsc/command-apdu.js';
import { exchange } from './card-io.js';
import { HiCOSFile } from './commands/file-id.js';
import { RSA_HALF, rsaInputFirstHalf, rsaInputSecondHalf, rsaResultSecondHalf } from './commands/private-key-operation.js';
import { HiCOSError, MalformedResponseError } from './errors.js';
import type { FileReader } from './file-reader.js';
import type { Scp03Session } from './secure-channel/scp03-session.js';

/** Size of the raw RSA block: HiCOS cards hold RSA-2048 keys only. */
export const RSA_BLOCK = 2 * RSA_HALF;

/**
 * The card's raw private-key operation on a 256-byte block: select
 * `5030/0810`, `EA 82` (first half), `EA 02` (second half; answers result
 * bytes 0–127), `C1` (bytes 128–255). With `secure` (Gen2), every command
 * goes under SCP03.
 */
export async function rawRsaOperation(
  tx: Transport,
  files: FileReader,
  keyRef: number,
  block: Uint8Array,
  secure?: Scp03Session,
): Promise<Uint8Array> {
  if (block.length !== RSA_BLOCK) throw new HiCOSError('INVALID_CARD_INPUT', `raw RSA input must be ${RSA_BLOCK} bytes, got ${block.length}`);
  await files.selectEf(tx, HiCOSFile.PKCS15_DF, HiCOSFile.KEYS, secure);
  const send = (command: CommandApdu, step: string) =>
    exchange(tx, secure ? secure.wrap(command) : command, step, (sw) => {
      if (sw === 0x6982) throw new HiCOSError('NOT_VERIFIED', `${step}: the PIN has not been verified in this session (6982)`, { statusWord: '6982' });
      if (sw === 0x6a88) {
        // The official module then tries another key label; signing with a key other than the one asked for is never right.
        throw new HiCOSError('KEY_NOT_FOUND', `${step}: the card holds no key under reference ${keyRef.toString(16).padStart(2, '0').toUpperCase()} (6A88)`, {
          statusWord: '6A88',
        });
      }
      return sw === 0x9000;
    });
  await send(rsaInputFirstHalf(keyRef, block.subarray(0, RSA_HALF)), 'private-key operation (EA 82)');
  const first = await send(rsaInputSecondHalf(keyRef, block.subarray(RSA_HALF)), 'private-key operation (EA 02)');
  const second = await send(rsaResultSecondHalf(), 'private-key result (C1)');
  if (first.data.length !== RSA_HALF || second.data.length !== RSA_HALF) {
    throw new MalformedResponseError('private-key operation', `result parts of ${first.data.length} and ${second.data.length} bytes, expected 128 each`);
  }
  const out = new Uint8Array(RSA_BLOCK);
  out.set(first.data);
  out.set(second.data, RSA_HALF);
  return out;
}
