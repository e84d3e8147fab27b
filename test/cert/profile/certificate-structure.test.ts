import { describe, expect, it } from 'vitest';
import { readCertificateStructure } from '../../../src/cert/profile/certificate-structure.js';
import { DerError } from '../../../src/shared/der/der-error.js';
import { readRoot } from '../../../src/shared/der/der-reader.js';
import { bitString, explicit, integerFromHex, NULL, objectIdentifier, octetString, sequence, smallInteger, tlv, x509Time } from '../../../src/testing/der/der-writer.js';

// Only the outer shape is read here (no signature check), so a certificate is written field by field.
const algorithm = sequence(objectIdentifier('1.2.840.113549.1.1.11'), NULL);
const name = sequence();
const basicConstraints = sequence(objectIdentifier('2.5.29.19'), octetString(sequence()));

function certificate(extensionsContent: Uint8Array): Uint8Array {
  return certificateEndingWith(explicit(3, extensionsContent));
}

/** A certificate whose tbsCertificate ends with these fields after subjectPublicKeyInfo. */
function certificateEndingWith(...trailing: Uint8Array[]): Uint8Array {
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    integerFromHex('01'),
    algorithm,
    name,
    sequence(x509Time(new Date('2026-01-01T00:00:00Z')), x509Time(new Date('2027-01-01T00:00:00Z'))),
    name,
    sequence(algorithm, bitString(Uint8Array.of(0))),
    ...trailing,
  );
  return sequence(tbs, algorithm, bitString(Uint8Array.of(0)));
}

describe('certificate extensions [3]', () => {
  it('reads the one list it holds', () => {
    expect(readCertificateStructure(readRoot(certificate(sequence(basicConstraints)))).extensions.map((e) => e.oid)).toEqual(['2.5.29.19']);
  });

  // Read as its first child, a second list in [3] (an unknown critical extension, say) was signed and never seen.
  it('refuses [3] holding a second element after the list (DerError naming [3])', () => {
    const critical = sequence(sequence(objectIdentifier('1.3.6.1.4.1.99999.1'), Uint8Array.of(0x01, 0x01, 0xff), octetString(NULL)));
    const read = (): unknown => readCertificateStructure(readRoot(certificate(Uint8Array.of(...sequence(basicConstraints), ...critical))));
    expect(read).toThrow(DerError);
    expect(read).toThrow(/^extensions \[3\] holds 2 elements, not one SEQUENCE OF Extension$/);
  });
});

describe('issuerUniqueID [1], subjectUniqueID [2], extensions [3]', () => {
  const issuerUid = tlv(0x81, Uint8Array.of(0, 0x01));
  const subjectUid = tlv(0x82, Uint8Array.of(0, 0x02));
  const keyUsage = sequence(objectIdentifier('2.5.29.15'), Uint8Array.of(0x01, 0x01, 0xff), octetString(Uint8Array.of(0x03, 0x02, 0x07, 0x80)));
  const read = (...trailing: Uint8Array[]) => (): unknown => readCertificateStructure(readRoot(certificateEndingWith(...trailing)));

  it('reads all three, in order', () => {
    const structure = readCertificateStructure(readRoot(certificateEndingWith(issuerUid, subjectUid, explicit(3, sequence(basicConstraints)))));
    expect(structure.extensions.map((e) => e.oid)).toEqual(['2.5.29.19']);
  });

  // The second list replaced the first: its critical keyUsage was signed and never read, by the profile or the chain rules.
  it('refuses a second extensions [3] (DerError naming it)', () => {
    const twice = read(explicit(3, sequence(keyUsage)), explicit(3, sequence(basicConstraints)));
    expect(twice).toThrow(DerError);
    expect(twice).toThrow(/^tbsCertificate has extensions \[3\] twice$/);
  });

  it('refuses the fields out of order or repeated', () => {
    expect(read(explicit(3, sequence(basicConstraints)), issuerUid)).toThrow(/^tbsCertificate has issuerUniqueID \[1\] after extensions \[3\]$/);
    expect(read(subjectUid, issuerUid)).toThrow(/^tbsCertificate has issuerUniqueID \[1\] after subjectUniqueID \[2\]$/);
    expect(read(issuerUid, issuerUid)).toThrow(/^tbsCertificate has issuerUniqueID \[1\] twice$/);
  });
});
