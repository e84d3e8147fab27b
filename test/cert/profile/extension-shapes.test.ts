import { describe, expect, it } from 'vitest';
import { CertificateParseError, parseCertificate } from '../../../src/cert/profile/index.js';
import { decodeBasicConstraints } from '../../../src/cert/profile/extensions/basic-constraints.js';
import { bitString, explicit, integerFromHex, NULL, objectIdentifier, octetString, sequence, smallInteger, tlv, x509Time } from '../../../src/testing/der/der-writer.js';

// The profile reads no signature, so certificates are written field by field with exactly the extension under test.
const algorithm = sequence(objectIdentifier('1.2.840.113549.1.1.11'), NULL);
const rsaKey = sequence(sequence(objectIdentifier('1.2.840.113549.1.1.1'), NULL), bitString(sequence(integerFromHex('c5'), smallInteger(3))));

function certificateWith(oid: string, value: Uint8Array): Uint8Array {
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    integerFromHex('01'),
    algorithm,
    sequence(),
    sequence(x509Time(new Date('2026-01-01T00:00:00Z')), x509Time(new Date('2027-01-01T00:00:00Z'))),
    sequence(),
    rsaKey,
    explicit(3, sequence(sequence(objectIdentifier(oid), octetString(value)))),
  );
  return sequence(tbs, algorithm, bitString(Uint8Array.of(0)));
}

function parseFailure(der: Uint8Array): CertificateParseError {
  try {
    parseCertificate(der);
  } catch (error) {
    if (error instanceof CertificateParseError) return error;
    throw error;
  }
  throw new Error('the certificate parsed');
}

const TRUE = Uint8Array.of(0x01, 0x01, 0xff);
const FALSE = Uint8Array.of(0x01, 0x01, 0x00);

describe('basicConstraints', () => {
  it.each([
    ['{}', [], { ca: false, pathLength: undefined }],
    ['{TRUE}', [TRUE], { ca: true, pathLength: undefined }],
    ['{TRUE, 0}', [TRUE, smallInteger(0)], { ca: true, pathLength: 0 }],
    ['{3} (cA left at its DEFAULT)', [smallInteger(3)], { ca: false, pathLength: 3 }],
  ] as const)('reads %s', (_label, fields, expected) => {
    expect(decodeBasicConstraints(sequence(...fields))).toEqual(expected);
  });

  // Read field by field, the last BOOLEAN and the last INTEGER won: {TRUE, FALSE} was no CA, {TRUE, 0, 5} a path length of 5.
  it.each([
    ['{TRUE, FALSE}', [TRUE, FALSE]],
    ['{TRUE, TRUE}', [TRUE, TRUE]],
    ['{0, TRUE}', [smallInteger(0), TRUE]],
    ['{TRUE, 0, 5}', [TRUE, smallInteger(0), smallInteger(5)]],
  ] as const)('refuses %s with BAD_EXTENSION naming basicConstraints', (_label, fields) => {
    const error = parseFailure(certificateWith('2.5.29.19', sequence(...fields)));
    expect(error.code).toBe('BAD_EXTENSION');
    expect(error.message).toBe(
      'malformed basicConstraints extension (2.5.29.19): basicConstraints is not (cA BOOLEAN, pathLenConstraint INTEGER), each optional and in that order',
    );
  });
});

describe('authorityKeyIdentifier', () => {
  const moicaG3 = Buffer.from('4720A3B1264BCD6D48ACF2640886972C7454115F', 'hex');
  const keyIdentifier = tlv(0x80, moicaG3);
  const issuer = tlv(0xa1, tlv(0xa4, sequence()));
  const serial = tlv(0x82, Uint8Array.of(0x01));

  it('reads the keyIdentifier beside the issuer and serial, and tells the MOICA generation by it', () => {
    const profile = parseCertificate(certificateWith('2.5.29.35', sequence(keyIdentifier, issuer, serial)));
    expect(profile.authorityKeyId).toBe('4720A3B1264BCD6D48ACF2640886972C7454115F');
    expect(profile.authority).toMatchObject({ id: 'moica', generation: 'G3' });
    expect(parseCertificate(certificateWith('2.5.29.35', sequence(issuer, serial))).authorityKeyId).toBeUndefined();
  });

  // Skipped before: a universal OCTET STRING read as no key identifier, and of two [0] the first one counted.
  it.each([
    ['a universal OCTET STRING', [octetString(moicaG3)]],
    ['[0] twice', [tlv(0x80, Uint8Array.of(0x01)), keyIdentifier]],
    ['[2] before [0]', [serial, keyIdentifier]],
    ['[3]', [keyIdentifier, tlv(0x83, Uint8Array.of(0x01))]],
  ] as const)('refuses %s with BAD_EXTENSION naming authorityKeyIdentifier', (_label, fields) => {
    const error = parseFailure(certificateWith('2.5.29.35', sequence(...fields)));
    expect(error.code).toBe('BAD_EXTENSION');
    expect(error.message).toBe(
      'malformed authorityKeyIdentifier extension (2.5.29.35): authorityKeyIdentifier is not ([0] keyIdentifier, [1] authorityCertIssuer, [2] authorityCertSerialNumber), each optional and in that order',
    );
  });

  it('refuses a constructed keyIdentifier and a primitive authorityCertIssuer', () => {
    expect(parseFailure(certificateWith('2.5.29.35', sequence(tlv(0xa0, octetString(moicaG3))))).message).toMatch(/keyIdentifier \[0\] is constructed$/);
    expect(parseFailure(certificateWith('2.5.29.35', sequence(tlv(0x81, Uint8Array.of(0x01))))).message).toMatch(/authorityCertIssuer \[1\] is not constructed$/);
  });
});
