import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/shared/bytes.js';
import { pkcs1SignatureBlock, removePkcs1Type2Padding } from '../../src/apdu/pkcs1/encryption-block.js';
import { checkSignatureHash, digest, digestInfo } from '../../src/apdu/pkcs1/signature-hash.js';
import { parseCertificateRecord } from '../../src/apdu/pkcs15/certificate-directory.js';
import { certificateUsage } from '../../src/apdu/pkcs15/certificate-usage.js';
import { parsePrivateKeyRecord } from '../../src/apdu/pkcs15/private-key-directory.js';
import { parseTokenInfo } from '../../src/apdu/pkcs15/token-info.js';
import { splitTlvRecords } from '../../src/apdu/pkcs15/tlv-records.js';
import { DerError } from '../../src/shared/der/der-error.js';
import { encodeCdfRecord, encodePrkdfRecord, encodeTokenInfo, padRecords } from '../../src/testing/hicos/pkcs15-encoder.js';

const path = fromHex('3f00503008f2');

describe('PKCS#15 directory records', () => {
  it('round-trips a CDF entry (label, iD, CA flag, path, offset, length)', () => {
    const record = encodeCdfRecord({ label: 'cert2', id: fromHex('4b455958'), authority: false, path, offset: 0x0700, length: 0x0608 });
    expect(parseCertificateRecord(record)).toEqual({ label: 'cert2', id: fromHex('4b455958'), authority: false, path, offset: 0x700, length: 0x608 });
    const ca = encodeCdfRecord({ label: 'CACert', id: fromHex('01'), authority: true, path, offset: 0x0e00, length: 1500 });
    expect(parseCertificateRecord(ca).authority).toBe(true);
  });

  it('parses a hand-written DER CDF record', () => {
    // SEQ { SEQ { UTF8 "cert1" }, SEQ { OCTET "SIGN" }, [1] { SEQ { SEQ { OCTET path, INT 0, [0] 0608 } } } }
    const record = fromHex('3026' + '30070c056365727431' + '300604045349474e' + 'a1133011300f0406' + '3f00503008f2' + '020100' + '80020608');
    const entry = parseCertificateRecord(record);
    expect(entry.label).toBe('cert1');
    expect(entry.offset).toBe(0);
    expect(entry.length).toBe(0x608);
    expect(certificateUsage(entry)).toBe('SIGN');
  });

  it('round-trips a PrKDF entry', () => {
    const record = encodePrkdfRecord({ label: 'SIGN', id: fromHex('5349474e'), keyRef: 0x05, modulusBits: 2048, signing: true }, path);
    const entry = parsePrivateKeyRecord(record);
    expect([entry.label, toHex(entry.id), entry.keyRef, entry.modulusBits]).toEqual(['SIGN', '5349474e', 5, 2048]);
  });

  it('parses TokenInfo', () => {
    const info = parseTokenInfo(encodeTokenInfo(new TextEncoder().encode('TP03000012345678'), 'Chunghwa Telecom', 'HiCOS PKI Smart Card'));
    expect(Buffer.from(info.serialNumber).toString()).toBe('TP03000012345678');
    expect(info.manufacturerId).toBe('Chunghwa Telecom');
    expect(info.label).toBe('HiCOS PKI Smart Card');
  });

  it('rejects records of the wrong shape with DerError (DER_SHAPE or DER_FORMAT)', () => {
    expect(() => parseCertificateRecord(fromHex('3003020101'))).toThrow(DerError);
    expect(() => parsePrivateKeyRecord(fromHex('0401ff'))).toThrow(DerError);
    expect(() => parseCertificateRecord(fromHex('30'))).toThrow(DerError);
  });

  it('splits records until padding and says when more must be read', () => {
    const a = fromHex('3003020101');
    const b = fromHex('3081020a0b'); // long-form length
    const padded = padRecords([a, b], 32);
    expect(splitTlvRecords(padded)).toEqual({ records: [a, b], state: 'padding' });
    expect(splitTlvRecords(padded.subarray(0, 7)).state).toBe('incomplete');
    expect(splitTlvRecords(padRecords([a], 8, 0x00)).state).toBe('padding');
    expect(splitTlvRecords(a)).toEqual({ records: [a], state: 'end' });
    expect(() => splitTlvRecords(fromHex('3080'))).toThrow(RangeError);
  });
});

describe('PKCS#1 v1.5', () => {
  it('builds EMSA-PKCS1-v1_5 with the SHA-256 DigestInfo', () => {
    const d = digest('sha256', new TextEncoder().encode('abc'));
    const block = pkcs1SignatureBlock(digestInfo('sha256', d), 256);
    expect(block).toHaveLength(256);
    expect(toHex(block.subarray(0, 3))).toBe('0001ff');
    expect(toHex(block.subarray(256 - 52))).toBe('003031300d060960864801650304020105000420' + toHex(d));
  });
  it('checks hash names and the SHA-1 opt-in', () => {
    expect(checkSignatureHash('sha512', false)).toBe('sha512');
    expect(() => checkSignatureHash('sha1', false)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_HASH' }));
    expect(checkSignatureHash('sha1', true)).toBe('sha1');
    expect(() => digestInfo('sha256', new Uint8Array(20))).toThrow(expect.objectContaining({ code: 'INVALID_CARD_INPUT' }));
  });
  it('strips type-2 padding and refuses anything else', () => {
    const block = new Uint8Array(256).fill(0x5a);
    block[0] = 0;
    block[1] = 2;
    block[250] = 0;
    expect(toHex(removePkcs1Type2Padding(block))).toBe('5a'.repeat(5));
    block[1] = 1;
    expect(() => removePkcs1Type2Padding(block)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    block[1] = 2;
    block[5] = 0;
    expect(() => removePkcs1Type2Padding(block)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
  });
});
