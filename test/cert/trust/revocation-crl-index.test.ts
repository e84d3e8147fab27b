import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateRevocationList } from '../../../src/cert/advanced.js';
import { integerHex } from '../../../src/shared/der/der-values.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl } from '../../../src/testing/revocation/index.js';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});

describe('CRL serial index', () => {
  it('indexes every serial under the canonical hex of integerHex (leading zero octets, high bit, zero)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 30, selector: (b) => integerHex(b) }), (serials) => {
        const crl = CertificateRevocationList.parse(
          buildCrl({
            issuer: pki.issuer('moica'),
            entries: serials.map((b) => ({ serialHex: Buffer.from(b).toString('hex'), revokedAt: new Date('2026-01-01T00:00:00Z') })),
          }),
        );
        expect(crl.size).toBe(serials.length);
        for (const b of serials) {
          const canonical = integerHex(b);
          expect(crl.lookup(canonical)?.serialHex).toBe(canonical);
        }
        expect(crl.lookup('f00d'.repeat(12))).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });
});
