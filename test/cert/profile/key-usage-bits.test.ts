import { describe, expect, it } from 'vitest';
import { decodeKeyUsage } from '../../../src/cert/profile/extensions/key-usage.js';

// keyUsage is a BIT STRING: a first content octet counting the unused (padding) bits of the last one.
const bits = (...content: number[]): Uint8Array => Uint8Array.of(0x03, content.length, ...content);

describe('keyUsage bits', () => {
  it('reads the named bits a card certificate carries', () => {
    expect(decodeKeyUsage(bits(0x07, 0x80))).toEqual(['digitalSignature']);
    expect(decodeKeyUsage(bits(0x04, 0x30))).toEqual(['keyEncipherment', 'dataEncipherment']);
    expect(decodeKeyUsage(bits(0x01, 0x06))).toEqual(['keyCertSign', 'cRLSign']);
    expect(decodeKeyUsage(bits(0x07, 0x80, 0x80))).toEqual(['digitalSignature', 'decipherOnly']);
  });

  it('does not read padding bits as usages (0x81 with 7 unused bits is digitalSignature alone, as OpenSSL reads it)', () => {
    expect(decodeKeyUsage(bits(0x07, 0x81))).toEqual(['digitalSignature']);
    expect(decodeKeyUsage(bits(0x07, 0x80, 0xff))).toEqual(['digitalSignature', 'decipherOnly']);
  });
});
