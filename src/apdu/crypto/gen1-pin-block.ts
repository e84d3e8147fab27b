import { createCipheriv, createDecipheriv } from 'node:crypto';
import { bytesEqual } from '../../shared/bytes.js';

/** The fixed interoperability key of the Gen1 protected VERIFY (ASCII `CHTTL8f0HiCardV2`, 2-key 3DES). */
export const GEN1_PIN_KEY: Uint8Array = new Uint8Array(Buffer.from('CHTTL8f0HiCardV2', 'ascii'));

/** Size of the PIN buffer on HiCOS cards; shorter PINs are `FF`-padded. */
export const PIN_BUFFER_LENGTH = 10;

/** Pads a PIN with `FF` to the 10-byte HiCOS buffer (caller zeroes the result). */
export function padPinFF(pin: Uint8Array): Uint8Array {
  if (pin.length > PIN_BUFFER_LENGTH) throw new RangeError(`PIN longer than ${PIN_BUFFER_LENGTH} bytes`);
  const out = new Uint8Array(PIN_BUFFER_LENGTH).fill(0xff);
  out.set(pin);
  return out;
}

function tdesCbc(encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array, pad: boolean): Uint8Array {
  const c = encrypt ? createCipheriv('des-ede-cbc', key, iv) : createDecipheriv('des-ede-cbc', key, iv);
  c.setAutoPadding(pad);
  const out = Buffer.concat([c.update(data), c.final()]);
  const copy = new Uint8Array(out);
  out.fill(0);
  return copy;
}

/** 2-key 3DES CBC-MAC with PKCS#7 padding: the last ciphertext block. */
export function gen1PinMac(key: Uint8Array, iv: Uint8Array, paddedPin: Uint8Array): Uint8Array {
  const ct = tdesCbc(true, key, iv, paddedPin, true);
  const mac = ct.slice(ct.length - 8);
  ct.fill(0);
  return mac;
}

/**
 * Builds the 32-byte data of the Gen1 VERIFY (`8C 20 00 01 20`):
 * IV(8) ‖ 3DES-CBC(IV, PKCS#7)(PIN_FF10 ‖ MAC(8)).
 */
export function encryptGen1PinBlock(pin: Uint8Array, iv: Uint8Array, key: Uint8Array = GEN1_PIN_KEY): Uint8Array {
  if (iv.length !== 8) throw new RangeError('Gen1 PIN block IV must be 8 bytes');
  const padded = padPinFF(pin);
  const mac = gen1PinMac(key, iv, padded);
  const plain = new Uint8Array(18);
  plain.set(padded);
  plain.set(mac, 10);
  const ct = tdesCbc(true, key, iv, plain, true);
  padded.fill(0);
  plain.fill(0);
  const out = new Uint8Array(8 + ct.length);
  out.set(iv);
  out.set(ct, 8);
  ct.fill(0);
  return out;
}

/**
 * Card side of {@link encryptGen1PinBlock}: decrypts and checks the MAC.
 * @returns the 10-byte FF-padded PIN, or `undefined` when the block is malformed or its MAC is wrong
 */
export function decryptGen1PinBlock(data: Uint8Array, key: Uint8Array = GEN1_PIN_KEY): Uint8Array | undefined {
  if (data.length !== 32) return undefined;
  const iv = data.subarray(0, 8);
  let plain: Uint8Array;
  try {
    plain = tdesCbc(false, key, iv, data.subarray(8), true);
  } catch {
    return undefined;
  }
  if (plain.length !== 18) return undefined;
  const padded = plain.slice(0, 10);
  const ok = bytesEqual(gen1PinMac(key, iv, padded), plain.subarray(10));
  plain.fill(0);
  if (!ok) {
    padded.fill(0);
    return undefined;
  }
  return padded;
}
