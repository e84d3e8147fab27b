import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateParseError, parseCertificate } from '../../../src/cert/profile/index.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki({ now: new Date('2026-03-01T00:00:00Z') });
});
// issueCertificate calls below certify the root's key again: these tests read
// profiles, not signatures, and skipping key generation keeps the suite fast.

/** DER of an authorityKeyIdentifier with just a keyIdentifier. */
function akiExtension(hex: string): { oid: string; critical: boolean; value: Uint8Array } {
  const keyId = Buffer.from(hex, 'hex');
  return { oid: '2.5.29.35', critical: false, value: Uint8Array.from([0x30, keyId.length + 2, 0x80, keyId.length, ...keyId]) };
}

function parseError(der: Uint8Array): CertificateParseError {
  try {
    parseCertificate(der);
  } catch (e) {
    if (e instanceof CertificateParseError) return e;
    throw e;
  }
  throw new Error('expected a CertificateParseError');
}

describe('profiles of generated card-holder certificates', () => {
  it('MOICA: citizen, 4-digit hint, subject serialNumber, test CA', async () => {
    const creds = await pki.issueCardHolder({ authority: 'moica', idHint: '0427', subjectSerialNumber: '0000000012345678' });
    const sign = parseCertificate(creds.sign.certificate);
    expect(sign.authority).toEqual({
      id: 'moica',
      displayName: '內政部憑證管理中心',
      generation: undefined,
      test: true,
      evidence: ['ca-name', 'subject-type'],
    });
    expect(sign.identity).toEqual({
      holderName: '王小明',
      subjectType: { oid: '2.16.886.1.100.3.1.1', kind: 'citizen' },
      cardType: 'primary',
      idHint: '0427',
      businessId: undefined,
      organizationOid: undefined,
      subjectSerialNumber: '0000000012345678',
    });
    expect(sign.purpose).toBe('signing');
    expect(parseCertificate(creds.keyx.certificate).purpose).toBe('encryption');
    expect(sign.issuer.text).toBe('C=TW, O=行政院, OU=(測試用) 內政部憑證管理中心');
    expect(sign.assuranceLevel).toBe(3);
    expect(sign.serialNumber).toBe(new X509Certificate(creds.sign.certificate).serialNumber.toUpperCase().replace(/^00/, ''));
    expect(sign.serialNumber).toMatch(/^[0-9A-F]+$/);
  });

  it('MOEACA: company, 統一編號 from the attribute', async () => {
    const creds = await pki.issueCardHolder({ authority: 'moeaca', commonName: '臺灣範例股份有限公司', businessId: '22099131' });
    const profile = parseCertificate(creds.sign.certificate);
    expect(profile.authority).toMatchObject({ id: 'moeaca', test: true });
    expect(profile.subject.text).toBe('C=TW, O=臺灣範例股份有限公司');
    expect(profile.identity).toMatchObject({
      holderName: '臺灣範例股份有限公司',
      businessId: '22099131',
      subjectType: { kind: 'company' },
      idHint: undefined,
    });
  });

  it('MOEACA: 統一編號 falls back to an 8-digit subject serialNumber', async () => {
    const issued = await pki.issueCertificate({
      keyPair: pki.root,
      issuer: pki.issuer('moeaca'),
      subject: 'C=TW, O=舊式公司, serialNumber=12345606',
      keyUsage: ['digitalSignature'],
    });
    expect(parseCertificate(issued.certificate).identity.businessId).toBe('12345606');
  });

  it('GCA: agency OID and agency name from OU', async () => {
    const creds = await pki.issueCardHolder({ authority: 'gca', commonName: '內政部消防署', organizationOid: '2.16.886.101.20003.20001.20003' });
    const profile = parseCertificate(creds.keyx.certificate);
    expect(profile.authority).toMatchObject({ id: 'gca', test: true });
    expect(profile.identity).toMatchObject({
      holderName: '內政部消防署',
      organizationOid: '2.16.886.101.20003.20001.20003',
      subjectType: { oid: '2.16.886.1.100.3.3.1', kind: 'agency' },
    });
    expect(profile.subject.organizations).toEqual(['行政院']);
    expect(profile.subject.serialNumber).toMatch(/^\d{16}$/);
  });

  it('XCA: organisation OID, two localities', async () => {
    const creds = await pki.issueCardHolder({ authority: 'xca', organizationOid: '2.16.886.111.90005.90003.100004', email: 'a@b.org.tw' });
    const profile = parseCertificate(creds.sign.certificate);
    expect(profile.authority).toMatchObject({ id: 'xca', test: true });
    expect(profile.subject.localities).toEqual(['臺北市', '中正區']);
    expect(profile.identity).toMatchObject({ organizationOid: '2.16.886.111.90005.90003.100004', subjectType: { kind: 'group' } });
    expect(profile.emails).toEqual(['a@b.org.tw']);
  });

  it('HCA: recognised by CA name alone', async () => {
    const creds = await pki.issueCardHolder({ authority: 'hca', commonName: '林醫師' });
    const profile = parseCertificate(creds.sign.certificate);
    expect(profile.authority).toMatchObject({ id: 'hca', test: true, evidence: ['ca-name'] });
    expect(profile.identity.holderName).toBe('林醫師');
    expect(profile.identity.subjectType).toBeUndefined();
  });

  it('tells the MOICA generation from the key identifier, never the DN', async () => {
    const withKey = async (keyId: string | undefined): Promise<ReturnType<typeof parseCertificate>> => {
      const issued = await pki.issueCertificate({
        keyPair: pki.root,
        issuer: pki.issuer('moica'),
        subject: 'C=TW, CN=王小明',
        omitKeyIdentifiers: true,
        ...(keyId !== undefined && { extraExtensions: [akiExtension(keyId)] }),
      });
      return parseCertificate(issued.certificate);
    };
    expect((await withKey('FA9B3467090A9822F762488B8226A645C5C322A4')).authority).toMatchObject({
      id: 'moica',
      generation: 'G2',
      evidence: ['key-identifier', 'ca-name'],
    });
    expect((await withKey('4720A3B1264BCD6D48ACF2640886972C7454115F')).authority.generation).toBe('G3');
    const unknownKey = await withKey('0102030405060708090A0B0C0D0E0F1011121314');
    expect(unknownKey.authority).toMatchObject({ id: 'moica', generation: undefined, evidence: ['ca-name'] });
    expect(unknownKey.authorityKeyId).toBe('0102030405060708090A0B0C0D0E0F1011121314');
  });

  it('still parses a certificate from an unknown CA, generically', async () => {
    const ca = await pki.issueCertificate({ keyPair: pki.root, issuer: 'root', subject: 'C=TW, O=Example Trust Services', isCa: true, keyUsage: ['keyCertSign'] });
    const leaf = await pki.issueCertificate({ keyPair: pki.root, issuer: ca, subject: 'C=TW, CN=someone', keyUsage: ['digitalSignature', 'keyEncipherment'], email: 'x@y.z' });
    const profile = parseCertificate(leaf.certificate);
    expect(profile.authority).toEqual({ id: 'unknown', displayName: undefined, generation: undefined, test: false, evidence: [] });
    expect(profile.purpose).toBe('other');
    expect(profile.identity.holderName).toBe('someone');
    expect(profile.emails).toEqual(['x@y.z']);
  });

  it('falls back to the GPKI subject type when the CA name is unknown', async () => {
    const ca = await pki.issueCertificate({ keyPair: pki.root, issuer: 'root', subject: 'C=TW, O=Other CA', isCa: true, keyUsage: ['keyCertSign'] });
    const leaf = await pki.issueCertificate({
      keyPair: pki.root,
      issuer: ca,
      subject: 'C=TW, O=某公司',
      gpkiAttributes: { subjectType: '2.16.886.1.100.3.2.2.1.1', businessId: '12345606' },
    });
    expect(parseCertificate(leaf.certificate).authority).toMatchObject({ id: 'moeaca', evidence: ['subject-type'], test: false });
  });

  it('reports an OCSP signer, a certificate without key usage, and unknown extensions', async () => {
    const issued = await pki.issueCertificate({
      keyPair: pki.root,
      issuer: pki.issuer('gca'),
      subject: 'C=TW, CN=ocsp',
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      policies: [],
      extraExtensions: [{ oid: '1.2.3.4.5', critical: true, value: Uint8Array.of(0x05, 0x00) }],
    });
    const profile = parseCertificate(issued.certificate);
    expect(profile.keyUsage).toBeUndefined();
    expect(profile.purpose).toBe('other');
    expect(profile.policies).toEqual([]);
    expect(profile.assuranceLevel).toBeUndefined();
    expect(profile.extensions).toContainEqual({ oid: '1.2.3.4.5', critical: true, known: false });
  });
});

describe('Chinese names in every string type', () => {
  it.each([
    ['utf8', 'UTF8String'],
    ['bmp', 'BMPString'],
    ['printable', 'PrintableString'],
    ['teletex', 'TeletexString'],
  ] as const)('decodes a CN encoded as %s', async (encoding, stringType) => {
    const issued = await pki.issueCertificate({
      keyPair: pki.root,
      issuer: pki.issuer('moica'),
      subject: [
        { type: 'C', value: 'TW' },
        { type: 'O', value: '行政院', encoding },
        { type: 'CN', value: '歐陽娜娜', encoding },
      ],
    });
    const { subject } = parseCertificate(issued.certificate);
    expect(subject.commonName).toBe('歐陽娜娜');
    expect(subject.organizations).toEqual(['行政院']);
    expect(subject.attributes.find((a) => a.shortName === 'CN')?.stringType).toBe(stringType);
    expect(subject.text).toBe('C=TW, O=行政院, CN=歐陽娜娜');
  });

  it('escapes DN special characters in the text form', async () => {
    const issued = await pki.issueCertificate({ keyPair: pki.root, issuer: 'root', subject: [{ type: 'CN', value: '甲,乙+丙' }, { type: 'OU', value: ' x' }] });
    expect(parseCertificate(issued.certificate).subject.text).toBe('CN=甲\\,乙\\+丙, OU=\\ x');
  });
});

describe('malformed extensions', () => {
  it('names a malformed keyUsage', async () => {
    const issued = await pki.issueCertificate({
      keyPair: pki.root,
      issuer: 'root',
      subject: 'C=TW, CN=x',
      extraExtensions: [{ oid: '2.5.29.15', critical: true, value: Uint8Array.of(0x04, 0x01, 0x00) }],
    });
    const error = parseError(issued.certificate);
    expect(error.code).toBe('BAD_EXTENSION');
    expect(error.message).toContain('keyUsage');
  });

  it('names a GPKI attribute of the wrong type', async () => {
    // subject type as UTF8String "x" instead of an OID
    const value = Uint8Array.from([0x30, 0x10, 0x30, 0x0e, 0x06, 0x07, 0x60, 0x86, 0x76, 0x01, 0x64, 0x02, 0x01, 0x31, 0x03, 0x0c, 0x01, 0x78]);
    const issued = await pki.issueCertificate({ keyPair: pki.root, issuer: 'root', subject: 'C=TW, CN=x', extraExtensions: [{ oid: '2.5.29.9', critical: false, value }] });
    const error = parseError(issued.certificate);
    expect(error.code).toBe('BAD_EXTENSION');
    expect(error.message).toContain('GPKI subject type');
  });

  it('names a truncated authorityInfoAccess', async () => {
    const issued = await pki.issueCertificate({
      keyPair: pki.root,
      issuer: 'root',
      subject: 'C=TW, CN=x',
      ocspUrl: null,
      caIssuersUrl: null,
      extraExtensions: [{ oid: '1.3.6.1.5.5.7.1.1', critical: false, value: Uint8Array.of(0x30, 0x05, 0x30, 0x03) }],
    });
    expect(parseError(issued.certificate)).toMatchObject({ code: 'BAD_EXTENSION', message: expect.stringContaining('authorityInfoAccess') });
  });
});

describe('fuzzed GPKI certificates', () => {
  it('mutations of a card-holder certificate (GPKI attributes, SAN, AIA) fail only with CertificateParseError', async () => {
    const creds = await pki.issueCardHolder({ authority: 'moeaca', email: 'corp@example.tw' });
    const der = creds.sign.certificate;
    const extensionsStart = Buffer.from(der).indexOf(Buffer.from([0xa3])); // aim some edits at the extensions
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: Math.max(0, extensionsStart), max: der.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bytes = Uint8Array.from(der);
          for (const [index, value] of edits) bytes[index] = value;
          try {
            parseCertificate(bytes);
            outcomes.add('parsed');
          } catch (e) {
            if (!(e instanceof CertificateParseError)) throw e;
            outcomes.add(e.code);
          }
        },
      ),
      { numRuns: 800 },
    );
    // The mutations reach the extension decoders, not just the outer structure.
    expect(outcomes.has('BAD_EXTENSION')).toBe(true);
  });
});
