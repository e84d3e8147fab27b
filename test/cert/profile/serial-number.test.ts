import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../src/cert/profile/index.js';
import { TrustedCertificate } from '../../../src/cert/trust/trusted-certificate.js';
import { tlv } from '../../../src/testing/der/der-writer.js';
import { writtenCertificate } from './helpers/written-certificate.js';

const withSerial = (...content: number[]): Uint8Array => writtenCertificate({ serial: tlv(0x02, Uint8Array.from(content)) });

describe('serialNumber', () => {
  it.each([
    ['MOICA G3 CA', [0x5a, 0x20, 0x2d, 0x14, 0xb3, 0x97, 0x87, 0xd0, 0x88, 0x6c, 0x37, 0x18, 0x4a, 0xc9, 0xb7, 0x6a], '5A202D14B39787D0886C37184AC9B76A'],
    ['a sign byte before a high bit', [0x00, 0x80], '80'],
    ['a one-octet serial', [0x7f], '7F'],
    ['zero', [0x00], '00'],
    // RFC 5280 forbids both, but they are certificates: unsigned hex made -128 and +128 one serial.
    ['a negative serial (-128)', [0x80], '-80'],
    ['a negative serial (-1)', [0xff], '-01'],
    ['a negative serial (-129)', [0xff, 0x7f], '-81'],
  ] as const)('%s reads as OpenSSL prints it', (_label, content, expected) => {
    const der = withSerial(...content);
    expect(parseCertificate(der).serialNumber).toBe(expected);
    if (expected !== '00') expect(new X509Certificate(der).serialNumber).toBe(expected);
  });

  // A padded INTEGER is no DER, but the reader reads it (a signature covers the bytes as sent): one value, one spelling.
  it('drops every leading zero octet of a padded serial, as the trust layer does', () => {
    expect(parseCertificate(withSerial(0x00, 0x00, 0x01)).serialNumber).toBe('01');
  });

  // Operators compare what the profile shows with what revocation matched: one spelling, in two cases.
  it("is the trust layer's serialHex in upper case, whatever the INTEGER (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (content) => {
        const der = withSerial(...content);
        expect(parseCertificate(der).serialNumber).toBe(TrustedCertificate.from(der).serialHex.toUpperCase());
      }),
      { numRuns: 300, examples: [[Uint8Array.of(0x80)], [Uint8Array.of(0xff, 0x7f)]] },
    );
  });
});
