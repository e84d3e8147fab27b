import { createCipheriv } from 'node:crypto';

const BLOCK = 16;
const RB = 0x87;

/**
 * AES-CMAC (NIST SP 800-38B, RFC 4493) with a 128/192/256-bit key.
 * Node's crypto has no CMAC, so it is built from one AES-ECB block primitive.
 * @returns the full 16-byte MAC (SCP03 truncates it where needed)
 */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const encryptBlock = aesEcbEncryptor(key);
  const l = encryptBlock(new Uint8Array(BLOCK));
  const k1 = doubleInGf128(l);
  const k2 = doubleInGf128(k1);

  const blocks = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = new Uint8Array(BLOCK);
  const tail = message.subarray((blocks - 1) * BLOCK);
  last.set(tail);
  if (complete) {
    xorInto(last, k1);
  } else {
    last[tail.length] = 0x80;
    xorInto(last, k2);
  }

  let x: Uint8Array = new Uint8Array(BLOCK);
  for (let i = 0; i < blocks - 1; i++) {
    const y = message.slice(i * BLOCK, (i + 1) * BLOCK);
    xorInto(y, x);
    x = encryptBlock(y);
  }
  xorInto(last, x);
  return encryptBlock(last);
}

/** Returns a function that AES-ECB-encrypts one 16-byte block with `key`. */
export function aesEcbEncryptor(key: Uint8Array): (block: Uint8Array) => Uint8Array {
  const algorithm = `aes-${key.length * 8}-ecb`;
  if (![16, 24, 32].includes(key.length)) throw new RangeError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  return (block) => {
    const cipher = createCipheriv(algorithm, key, null).setAutoPadding(false);
    return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
  };
}

function doubleInGf128(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK);
  let carry = 0;
  for (let i = BLOCK - 1; i >= 0; i--) {
    const b = block[i]!;
    out[i] = ((b << 1) | carry) & 0xff;
    carry = b >> 7;
  }
  if (carry) out[BLOCK - 1]! ^= RB;
  return out;
}

function xorInto(target: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i]! ^= other[i] ?? 0;
}
