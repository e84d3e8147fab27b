import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/shared/bytes.js';
import { HiCOSFile } from '../../src/apdu/commands/file-id.js';
import { getCardId, initializeUpdate } from '../../src/apdu/commands/global-platform.js';
import { rsaInputFirstHalf, rsaInputSecondHalf, rsaResultSecondHalf } from '../../src/apdu/commands/private-key-operation.js';
import { readBinary } from '../../src/apdu/commands/read-binary.js';
import { selectFile, selectGen2Applet, selectMf } from '../../src/apdu/commands/select.js';
import { gen1ProtectedVerify, verifyStatusProbe } from '../../src/apdu/commands/verify.js';

const hex = (c: { toBytes(): Uint8Array }): string => toHex(c.toBytes());

describe('HiCOS command builders match the captured bytes', () => {
  it('SELECT', () => {
    expect(hex(selectMf(0x80))).toBe('80a40000023f00');
    expect(hex(selectFile(1, HiCOSFile.PKCS15_DF))).toBe('80a40000025030');
    expect(hex(selectFile(2, HiCOSFile.CERTIFICATES))).toBe('00a400040208f200');
    expect(hex(selectGen2Applet())).toBe('00a4040c10a0000002830000062201696400010101' + '00');
  });
  it('READ BINARY masks the offset high byte and asks for 200 bytes', () => {
    expect(hex(readBinary(0x80, 0x0e00))).toBe('80b00e00c8');
    expect(hex(readBinary(0x00, 0x01c8))).toBe('00b001c8c8');
    expect(() => readBinary(0x80, 0x8000)).toThrow(RangeError);
  });
  it('VERIFY', () => {
    expect(hex(gen1ProtectedVerify(new Uint8Array(32))).slice(0, 10)).toBe('8c20000120');
    expect(hex(verifyStatusProbe(0x00))).toBe('00200001');
  });
  it('private-key operation', () => {
    expect(hex(rsaInputFirstHalf(0x11, new Uint8Array(128))).slice(0, 10)).toBe('80ea821180');
    expect(hex(rsaInputSecondHalf(0x11, new Uint8Array(128))).slice(0, 10)).toBe('80ea021180');
    expect(hex(rsaResultSecondHalf())).toBe('80c1008080');
    expect(() => rsaInputFirstHalf(1, new Uint8Array(127))).toThrow(RangeError);
  });
  it('GlobalPlatform', () => {
    expect(hex(getCardId())).toBe('80ca004500');
    expect(hex(initializeUpdate(new Uint8Array(8).fill(0xaa)))).toBe('8050010008aaaaaaaaaaaaaaaa00');
  });
});
