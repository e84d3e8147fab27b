import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrustedCertificate } from '../../../src/cert/index.js';
import { CertificateRevocationList } from '../../../src/cert/advanced.js';
import { integerHex } from '../../../src/shared/der/der-values.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl } from '../../../src/testing/revocation/index.js';
import { sequence, tlv, x509Time } from '../../../src/testing/der/der-writer.js';
import { handCrl } from './helpers/revocation-hand-built.js';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});

describe('CRL serial index', () => {
  // The test kit writes a serial's hex digits as a positive INTEGER, so each is indexed under the spelling of that value.
  const positive = (digits: Uint8Array): string => integerHex(Uint8Array.of(0, ...digits));

  it('indexes every serial under the canonical hex of integerHex (leading zero octets, high bit, zero)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 30, selector: positive }), (serials) => {
        const crl = CertificateRevocationList.parse(
          buildCrl({
            issuer: pki.issuer('moica'),
            entries: serials.map((b) => ({ serialHex: Buffer.from(b).toString('hex'), revokedAt: new Date('2026-01-01T00:00:00Z') })),
          }),
        );
        expect(crl.size).toBe(serials.length);
        for (const b of serials) {
          const canonical = positive(b);
          expect(crl.lookup(canonical)?.serialHex).toBe(canonical);
        }
        expect(crl.lookup('f00d'.repeat(12))).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });

  // Entries as a CA may have written them: padded, negative. Before, -128 (`80`) and +128 (`00 80`) were one entry.
  it('indexes INTEGERs of different values apart, each under its integerHex, negative ones too', () => {
    const issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
    const revokedAt = new Date('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 30, selector: (b) => integerHex(b) }),
        (serials) => {
          const crl = CertificateRevocationList.parse(
            handCrl({
              issuer,
              issuerKey: pki.issuer('moica').privateKey,
              thisUpdate: revokedAt,
              nextUpdate: new Date('2026-02-01T00:00:00Z'),
              serials: [],
              rawEntries: serials.map((b) => sequence(tlv(0x02, b), x509Time(revokedAt))),
              revokedAt,
              entriesAfterExtensions: false,
            }),
          );
          expect(crl.size).toBe(serials.length);
          for (const b of serials) expect(crl.lookup(integerHex(b))?.serialHex).toBe(integerHex(b));
        },
      ),
      { numRuns: 40, examples: [[[Uint8Array.of(0x80), Uint8Array.of(0x00, 0x80)]], [[Uint8Array.of(0xff), Uint8Array.of(0x00, 0xff)]]] },
    );
  });
});
