import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../src/cert/profile/index.js';
import { decodeBasicConstraints } from '../../../src/cert/profile/extensions/basic-constraints.js';
import { explicit, objectIdentifier, octetString, sequence, smallInteger, tlv } from '../../../src/testing/der/der-writer.js';
import { certificateWith, parseFailure } from './helpers/written-certificate.js';

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

// A SEQUENCE read by destructuring its first elements skipped the rest: what followed was signed and never read.
describe('authorityInfoAccess, certificatePolicies and subjectDirectoryAttributes hold no element they do not read', () => {
  const ocsp = objectIdentifier('1.3.6.1.5.5.7.48.1');
  const uri = (text: string): Uint8Array => tlv(0x86, new Uint8Array(Buffer.from(text, 'latin1')));
  const level3 = objectIdentifier('2.16.886.101.0.3.3');
  const cps = sequence(sequence(objectIdentifier('1.3.6.1.5.5.7.2.1'), tlv(0x16, new Uint8Array(Buffer.from('http://moica.nat.gov.tw/cps')))));
  const idHint = objectIdentifier('2.16.886.1.100.2.51');
  const digits = tlv(0x0c, new Uint8Array(Buffer.from('0427')));

  it('reads the shapes real certificates have', () => {
    expect(parseCertificate(certificateWith('1.3.6.1.5.5.7.1.1', sequence(sequence(ocsp, uri('http://ocsp-moica.moi.gov.tw/OCSP'))))).ocspUrls).toEqual([
      'http://ocsp-moica.moi.gov.tw/OCSP',
    ]);
    expect(parseCertificate(certificateWith('2.5.29.32', sequence(sequence(level3, cps), sequence(objectIdentifier('2.16.886.101.0.3.2'))))).policies).toEqual([
      { oid: '2.16.886.101.0.3.3', assuranceLevel: 3 },
      { oid: '2.16.886.101.0.3.2', assuranceLevel: 2 },
    ]);
    expect(parseCertificate(certificateWith('2.5.29.9', sequence(sequence(idHint, tlv(0x31, digits))))).identity.idHint).toBe('0427');
  });

  it.each([
    [
      'an AccessDescription with a second location',
      certificateWith('1.3.6.1.5.5.7.1.1', sequence(sequence(ocsp, uri('http://ocsp.example'), uri('http://other.example')))),
      'malformed authorityInfoAccess extension (1.3.6.1.5.5.7.1.1): authorityInfoAccess AccessDescription is not (accessMethod, accessLocation): it has 3 elements',
    ],
    [
      'a PolicyInformation with a third element',
      certificateWith('2.5.29.32', sequence(sequence(level3, cps, cps))),
      'malformed certificatePolicies extension (2.5.29.32): certificatePolicies PolicyInformation is not (policyIdentifier, policyQualifiers SEQUENCE OPTIONAL)',
    ],
    [
      'a PolicyInformation whose qualifiers are not a SEQUENCE',
      certificateWith('2.5.29.32', sequence(sequence(level3, objectIdentifier('2.16.886.101.0.3.4')))),
      'malformed certificatePolicies extension (2.5.29.32): certificatePolicies PolicyInformation is not (policyIdentifier, policyQualifiers SEQUENCE OPTIONAL)',
    ],
    [
      'a directory Attribute with an element after its values',
      certificateWith('2.5.29.9', sequence(sequence(idHint, tlv(0x31, digits), digits))),
      'malformed subjectDirectoryAttributes extension (2.5.29.9): subjectDirectoryAttributes Attribute is not (type, values): it has 3 elements',
    ],
  ] as const)('refuses %s with BAD_EXTENSION naming it', (_label, der, message) => {
    const error = parseFailure(der);
    expect(error.code).toBe('BAD_EXTENSION');
    expect(error.message).toBe(message);
  });
});

describe('GPKI attributes in subjectDirectoryAttributes', () => {
  const utf8 = (text: string): Uint8Array => tlv(0x0c, new Uint8Array(Buffer.from(text, 'utf8')));
  const attribute = (oid: string, ...values: Uint8Array[]): Uint8Array => sequence(objectIdentifier(oid), tlv(0x31, Buffer.concat(values)));
  const idHint = '2.16.886.1.100.2.51';
  const subjectType = '2.16.886.1.100.2.1';
  const withAttributes = (...attributes: Uint8Array[]): Uint8Array => certificateWith('2.5.29.9', sequence(...attributes));

  it('reads each once, with its one value', () => {
    const profile = parseCertificate(withAttributes(attribute(subjectType, objectIdentifier('2.16.886.1.100.3.1.1')), attribute(idHint, utf8('0427'))));
    expect(profile.identity).toMatchObject({ idHint: '0427', subjectType: { kind: 'citizen' } });
  });

  // Before, of two values the first was reported and of two attributes the last, the other dropped without a word.
  it.each([
    ['an ID hint with two values', [attribute(idHint, utf8('0427'), utf8('9999'))], 'GPKI ID hint attribute has 2 values, not one'],
    ['the ID hint twice', [attribute(idHint, utf8('0427')), attribute(idHint, utf8('9999'))], 'GPKI ID hint attribute appears twice'],
    [
      'the subject type twice',
      [attribute(subjectType, objectIdentifier('2.16.886.1.100.3.1.1')), attribute(subjectType, objectIdentifier('2.16.886.1.100.3.3.1'))],
      'GPKI subject type attribute appears twice',
    ],
    // An empty hint agreed with every national ID under the enrolment flows' lastFour rule (endsWith('')).
    ['an empty ID hint', [attribute(idHint, utf8(''))], 'GPKI ID hint is empty'],
    ['an empty 統一編號', [attribute('2.16.886.1.100.2.101', utf8(''))], 'GPKI business ID is empty'],
  ] as const)('refuses %s with BAD_EXTENSION naming the attribute', (_label, attributes, message) => {
    const error = parseFailure(withAttributes(...attributes));
    expect(error.code).toBe('BAD_EXTENSION');
    expect(error.message).toBe(message);
  });

  it('keeps attributes it does not decode, even repeated', () => {
    const cardNumber = attribute('2.16.886.1.100.2.204', utf8('TP03000012345678'));
    expect(parseCertificate(withAttributes(cardNumber, cardNumber, attribute(idHint, utf8('0427')))).identity.idHint).toBe('0427');
  });
});

describe('rfc822Name, dNSName and URI', () => {
  const latin1 = (tag: number, text: string): Uint8Array => tlv(tag, new Uint8Array(Buffer.from(text, 'latin1')));
  const utf8 = (tag: number, text: string): Uint8Array => tlv(tag, new Uint8Array(Buffer.from(text, 'utf8')));
  const distributionPoint = (uri: Uint8Array): Uint8Array => sequence(sequence(explicit(0, tlv(0xa0, uri))));

  it('reads ASCII names', () => {
    const profile = parseCertificate(certificateWith('2.5.29.17', sequence(latin1(0x81, 'it@moica.nat.gov.tw'), latin1(0x82, 'moica.nat.gov.tw'))));
    expect(profile.emails).toEqual(['it@moica.nat.gov.tw']);
    expect(profile.dnsNames).toEqual(['moica.nat.gov.tw']);
    expect(parseCertificate(certificateWith('2.5.29.31', distributionPoint(latin1(0x86, 'http://ocsp-moica.moi.gov.tw/crl/MOICA-10-1.crl')))).crlUrls).toEqual([
      'http://ocsp-moica.moi.gov.tw/crl/MOICA-10-1.crl',
    ]);
  });

  // Read as Latin-1 before: 王@… was reported as ç\x8E\x8B@…, and a CRL URL with CR LF went to the fetch as it was.
  it.each([
    ['a UTF-8 e-mail', certificateWith('2.5.29.17', sequence(utf8(0x81, '王@example.tw'))), 'subjectAltName rfc822Name is not an IA5String (byte 0xe7 at 0)'],
    ['a dNSName with a newline', certificateWith('2.5.29.17', sequence(latin1(0x82, 'a.tw\nb.tw'))), 'subjectAltName dNSName holds a control character (byte 0x0a at 4)'],
    [
      'a CRL URL with CR LF',
      certificateWith('2.5.29.31', distributionPoint(latin1(0x86, 'http://x.tw/\r\na.crl'))),
      'cRLDistributionPoints URI holds a control character (byte 0x0d at 12)',
    ],
    [
      'an OCSP URL with a byte past 0x7F',
      certificateWith('1.3.6.1.5.5.7.1.1', sequence(sequence(objectIdentifier('1.3.6.1.5.5.7.48.1'), latin1(0x86, 'http://ocsp.tw/\xe9')))),
      'authorityInfoAccess accessLocation URI is not an IA5String (byte 0xe9 at 15)',
    ],
  ] as const)('refuses %s with BAD_EXTENSION naming the name', (_label, der, message) => {
    const error = parseFailure(der);
    expect(error.code).toBe('BAD_EXTENSION');
    expect(error.message).toMatch(new RegExp(`: ${message.replace(/[()]/g, '\\$&')}$`));
  });
});

describe('GPKI assurance levels', () => {
  const policies = (...oids: string[]): Uint8Array => certificateWith('2.5.29.32', sequence(...oids.map((oid) => sequence(objectIdentifier(oid)))));

  // The facts: the GRCA cross-certificate lists 2.16.886.101.0.3.0 to .4, real certificates carry .3. Any one- or
  // two-digit last arc was a level before, so a certificate asserting .10 read as level 10, above every real one.
  it('reads levels 0 to 4 only; another arc under the GPKI policy prefix is a policy without a level', () => {
    for (const level of [0, 1, 2, 3, 4]) expect(parseCertificate(policies(`2.16.886.101.0.3.${level}`)).assuranceLevel).toBe(level);
    for (const oid of ['2.16.886.101.0.3.5', '2.16.886.101.0.3.9', '2.16.886.101.0.3.10', '2.16.886.101.0.3.99', '2.16.886.101.0.3.3.1', '2.16.886.101.0.30']) {
      const profile = parseCertificate(policies(oid, '2.16.886.101.0.3.3'));
      expect(profile.policies[0], oid).toEqual({ oid, assuranceLevel: undefined });
      expect(profile.assuranceLevel, oid).toBe(3);
    }
  });
});
