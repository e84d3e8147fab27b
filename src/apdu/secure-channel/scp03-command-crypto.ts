import { createCipheriv, createDecipheriv } from 'node:crypto';
import { aesCmac, aesEcbEncryptor } from '../crypto/aes-cmac.js';

/** Length of the truncated C-MAC appended to each secured command. */
export const SCP03_MAC_LENGTH = 8;

/**
 * The full 16-byte C-MAC over chaining value ‖ CLA INS P1 P2 Lc ‖ data,
 * where CLA already has the secure-messaging bit and Lc counts the MAC.
 * It becomes the next chaining value; its first 8 bytes are sent.
 */
export function scp03CommandMac(
  sMac: Uint8Array,
  chaining: Uint8Array,
  header: { cla: number; ins: number; p1: number; p2: number },
  data: Uint8Array,
): Uint8Array {
  const input = new Uint8Array(16 + 5 + data.length);
  input.set(chaining);
  input.set([header.cla, header.ins, header.p1, header.p2, data.length + SCP03_MAC_LENGTH], 16);
  input.set(data, 21);
  return aesCmac(sMac, input);
}

/** IV for command encryption: AES-ECB(S-ENC, 16-byte big-endian counter). */
export function scp03CommandIv(sEnc: Uint8Array, counter: number): Uint8Array {
  const block = new Uint8Array(16);
  let c = counter;
  for (let i = 15; i >= 0 && c > 0; i--) {
    block[i] = c % 256;
    c = Math.floor(c / 256);
  }
  return aesEcbEncryptor(sEnc)(block);
}

/** AES-CBC without padding (the caller pads with ISO 9797-1 method 2). */
export function aesCbc(encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const algorithm = `aes-${key.length * 8}-cbc`;
  const c = encrypt ? createCipheriv(algorithm, key, iv) : createDecipheriv(algorithm, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}
