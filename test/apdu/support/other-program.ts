import { verify, X509Certificate } from 'node:crypto';
import { expect } from 'vitest';
import { HiCOSError } from '../../../src/apdu/errors.js';
import { FileReader } from '../../../src/apdu/file-reader.js';
import { pkcs1SignatureBlock } from '../../../src/apdu/pkcs1/encryption-block.js';
import { digest, digestInfo } from '../../../src/apdu/pkcs1/signature-hash.js';
import { rawRsaOperation, RSA_BLOCK } from '../../../src/apdu/raw-rsa-operation.js';
import { Gen2Channel } from '../../../src/apdu/secure-channel/gen2-channel.js';
import { CommandApdu } from '../../../src/pcsc/command-apdu.js';
import type { Transport } from '../../../src/pcsc/transport.js';
import type { VirtualCardCredentials } from '../../../src/testing/hicos/virtual-card-options.js';

const DATA = new TextEncoder().encode('signed by someone who never typed the PIN');
const SIGN_KEY_REF = 0x01;

/** The signing block over DATA, as any program can build it. */
function block(): Uint8Array {
  return pkcs1SignatureBlock(digestInfo('sha256', digest('sha256', DATA)), RSA_BLOCK);
}

/**
 * What a program that never saw the PIN gets from the card on a new connection: a signature (verified under the
 * card's SIGN certificate) or the card's refusal. Gen1: SELECT MF (the card may be anywhere in its tree), then the
 * key operation. Gen2: the plain key operation (refused: Gen2 needs SM), then the operation under an SCP03
 * session the program opens itself, selecting nothing first (a SELECT of the applet would end any session).
 */
export async function otherProgramSigns(tx: Transport, generation: 1 | 2, credentials: VirtualCardCredentials): Promise<'signed' | 'refused'> {
  const attempt = async (files: FileReader, secure?: Parameters<typeof rawRsaOperation>[4]): Promise<'signed' | 'refused'> => {
    try {
      const signature = await rawRsaOperation(tx, files, SIGN_KEY_REF, block(), secure);
      expect(verify('sha256', DATA, new X509Certificate(credentials.sign.certificate).publicKey, signature)).toBe(true);
      return 'signed';
    } catch (error) {
      if (error instanceof HiCOSError && error.code === 'NOT_VERIFIED') return 'refused';
      throw error;
    }
  };
  if (generation === 1) {
    const mf = await tx.transmit(new CommandApdu({ cla: 0x80, ins: 0xa4, p1: 0, p2: 0, data: Uint8Array.of(0x3f, 0x00) }));
    expect(mf.sw.value).toBe(0x9000);
    const files = new FileReader(1);
    files.atRoot();
    return attempt(files);
  }
  // Back to the applet root (a plain SELECT, which leaves any session open on a card that accepts plain commands
  // during secure messaging), then a plain EA: Gen2 takes key operations only under secure messaging.
  const root = await tx.transmit(new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 0, p2: 0x04, data: Uint8Array.of(0x3f, 0x00), le: 256 }));
  expect(root.sw.value).toBe(0x9000);
  const plain = await tx.transmit(new CommandApdu({ cla: 0x80, ins: 0xea, p1: 0x82, p2: SIGN_KEY_REF, data: block().subarray(0, 128) }));
  expect(plain.sw.value).toBe(0x6982);
  // Its own SCP03 session, card ID taken from INITIALIZE UPDATE (no SELECT that would end the host's session).
  let channel: Gen2Channel | undefined;
  const files = new FileReader(2, (t) => channel!.beforePlainCommand(t));
  channel = new Gen2Channel({ counterPolicy: 'every-command', cardIdSource: 'initialize-update' }, files);
  files.atRoot();
  return attempt(files, await channel.open(tx));
}

