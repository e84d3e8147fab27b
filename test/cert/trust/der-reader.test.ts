import { describe, expect, it } from 'vitest';
import { DerFormatError, decodeOid, decodeTime, integerHex, readElement, readRoot } from '../../../src/cert/trust/der/der-reader.js';
import { nameToText } from '../../../src/cert/trust/der/name-text.js';

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

describe('DER reader', () => {
  it('decodes times with the RFC 5280 UTCTime century rule', () => {
    expect(decodeTime(0x17, latin1('491231235959Z'))).toEqual(new Date('2049-12-31T23:59:59Z'));
    expect(decodeTime(0x17, latin1('500101000000Z'))).toEqual(new Date('1950-01-01T00:00:00Z'));
    expect(decodeTime(0x18, latin1('20491231155959Z'))).toEqual(new Date('2049-12-31T15:59:59Z'));
    expect(decodeTime(0x18, latin1('20240123155959.5Z'))).toEqual(new Date('2024-01-23T15:59:59.500Z'));
    expect(() => decodeTime(0x17, latin1('2401231559Z'))).toThrow(DerFormatError);
    expect(() => decodeTime(0x04, latin1('x'))).toThrow(DerFormatError);
  });

  it('decodes OIDs, including large arcs, and rejects truncated ones', () => {
    expect(decodeOid(new Uint8Array([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]))).toBe('2.16.840.1.101.3.4.2.1');
    expect(decodeOid(new Uint8Array([0x60, 0x86, 0x76, 0x01, 0x64, 0x02, 0x81, 0x4c]))).toBe('2.16.886.1.100.2.204');
    expect(() => decodeOid(new Uint8Array([0x2a, 0x86]))).toThrow(DerFormatError);
  });

  it('canonicalises serial numbers and enforces container bounds', () => {
    expect(integerHex(new Uint8Array([0x00, 0x9a, 0x01]))).toBe('9a01');
    expect(integerHex(new Uint8Array([0x00]))).toBe('00');
    expect(() => readElement(new Uint8Array([0x30, 0x05, 0x02, 0x01]), 0)).toThrow(/overruns/);
    expect(() => readElement(new Uint8Array([0x1f, 0x01, 0x00]), 0)).toThrow(/high tag/);
    expect(() => readRoot(new Uint8Array([0x05, 0x00, 0x00]))).toThrow(/trailing/);
  });

  it('renders names with UTF8String and BMPString Chinese', () => {
    const utf8 = Buffer.from('內政部', 'utf8');
    const bmp = Buffer.from('王小明', 'utf16le').swap16();
    const atv = (oid: number[], tag: number, value: Buffer): Buffer =>
      Buffer.concat([Buffer.from([0x31, value.length + oid.length + 6, 0x30, value.length + oid.length + 4, 0x06, oid.length, ...oid, tag, value.length]), value]);
    const rdns = Buffer.concat([atv([0x55, 0x04, 0x0b], 0x0c, utf8), atv([0x55, 0x04, 0x03], 0x1e, bmp)]);
    const name = new Uint8Array(Buffer.concat([Buffer.from([0x30, rdns.length]), rdns]));
    expect(nameToText(name)).toBe('OU=內政部, CN=王小明');
  });
});
