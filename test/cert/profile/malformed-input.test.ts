import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CertificateParseError, parseCertificate, type CertificateParseErrorCode } from '../../../src/cert/profile/index.js';

const pem = readFileSync(new URL('../../../fixtures/ca/moica-g3.pem', import.meta.url), 'utf8');
const der = new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));

function codeOf(input: Uint8Array | string): CertificateParseErrorCode | 'parsed' {
  try {
    parseCertificate(input);
    return 'parsed';
  } catch (e) {
    if (e instanceof CertificateParseError) return e.code;
    throw e;
  }
}

describe('input forms', () => {
  it('accepts DER, PEM text, PEM bytes and bare base64 alike', () => {
    const expected = parseCertificate(der).serialNumber;
    expect(parseCertificate(pem).serialNumber).toBe(expected);
    expect(parseCertificate(new TextEncoder().encode(pem)).serialNumber).toBe(expected);
    expect(parseCertificate(Buffer.from(der).toString('base64')).serialNumber).toBe(expected);
    expect(parseCertificate(`Bag Attributes\n  friendlyName: x\n${pem}`).serialNumber).toBe(expected);
  });

  it('takes the CERTIFICATE block from a PEM bundle with a key first', () => {
    const bundle = `-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${pem}`;
    expect(parseCertificate(bundle).serialNumber).toBe('5A202D14B39787D0886C37184AC9B76A');
  });

  it.each([
    ['empty string', '', 'EMPTY_INPUT'],
    ['empty bytes', new Uint8Array(0), 'EMPTY_INPUT'],
    ['whitespace', '  \n', 'EMPTY_INPUT'],
    ['PEM without a certificate', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', 'BAD_PEM'],
    ['unterminated PEM', '-----BEGIN CERTIFICATE-----\nMIIB\n', 'BAD_PEM'],
    ['PEM with bad base64', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n', 'BAD_PEM'],
    ['prose', 'this is not a certificate', 'BAD_BASE64'],
    ['a lone SEQUENCE', Uint8Array.of(0x30, 0x00), 'NOT_A_CERTIFICATE'],
    ['a truncated certificate', der.subarray(0, 200), 'NOT_A_CERTIFICATE'],
    ['trailing bytes', Uint8Array.from([...der, 0x00]), 'NOT_A_CERTIFICATE'],
    ['base64 of garbage', 'AAECAwQF', 'NOT_A_CERTIFICATE'],
  ] as const)('%s → %s', (_label, input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it('accepts PEM bytes with a UTF-8 BOM and Chinese comments before the block', () => {
    const bytes = new TextEncoder().encode(`\uFEFF# 內政部憑證管理中心 G3\n${pem}`);
    expect(parseCertificate(bytes).serialNumber).toBe('5A202D14B39787D0886C37184AC9B76A');
  });

  it('refuses oversized input before scanning it', () => {
    expect(codeOf('A'.repeat(2 << 20))).toBe('TOO_LARGE');
    expect(codeOf(new Uint8Array(2 << 20))).toBe('TOO_LARGE');
  });

  it('rejects non-byte, non-string input with a typed error', () => {
    expect(codeOf(42 as unknown as string)).toBe('NOT_A_CERTIFICATE');
  });

  it('says which part is wrong', () => {
    // Replace the subject's UTF8String with invalid UTF-8 (0xFF) of the same length.
    const broken = Uint8Array.from(der);
    const utf8Name = Buffer.from('內政部憑證管理中心');
    const at = Buffer.from(broken).indexOf(utf8Name, Buffer.from(broken).lastIndexOf(Buffer.from('行政院')));
    broken.fill(0xff, at, at + utf8Name.length);
    expect(() => parseCertificate(broken)).toThrow(/subject OU: UTF8String is not valid UTF-8/);
    expect(codeOf(broken)).toBe('BAD_NAME');
  });
});

describe('fuzzed DER', () => {
  it('random bytes never throw anything but CertificateParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (bytes) => {
        expect(codeOf(bytes)).not.toBe('parsed');
      }),
      { numRuns: 400 },
    );
  });

  it('random SEQUENCE-looking bytes never throw anything but CertificateParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), (body) => {
        const input = Uint8Array.from([0x30, 0x82, body.length >> 8, body.length & 0xff, ...body]);
        expect(codeOf(input)).not.toBe('parsed');
      }),
      { numRuns: 400 },
    );
  });

  it('mutations of a real certificate parse or fail with CertificateParseError only', () => {
    const mutation = fc.array(fc.tuple(fc.nat({ max: der.length - 1 }), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(mutation, fc.nat({ max: der.length }), (edits, cut) => {
        const bytes = Uint8Array.from(der);
        for (const [index, value] of edits) bytes[index] = value;
        codeOf(bytes);
        codeOf(bytes.subarray(0, cut));
      }),
      { numRuns: 600 },
    );
  });

  it('random text never throws anything but CertificateParseError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        codeOf(text);
        codeOf(`-----BEGIN CERTIFICATE-----\n${text}\n-----END CERTIFICATE-----`);
      }),
      { numRuns: 300 },
    );
  });
});
