import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../src/cert/profile/index.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/ca/${name}.pem`, import.meta.url), 'utf8');

describe('real GRCA-chained CA certificates', () => {
  it.each([
    ['moica-g1', 'G1', 'B620C8CFBE518AA454B978D304D10AB2CC7E2F46', 2048],
    ['moica-g2', 'G2', 'FA9B3467090A9822F762488B8226A645C5C322A4', 2048],
    ['moica-g3', 'G3', '4720A3B1264BCD6D48ACF2640886972C7454115F', 4096],
  ] as const)('%s: MOICA %s, told apart by key identifier', (file, generation, keyId, bits) => {
    const profile = parseCertificate(fixture(file));
    expect(profile.authority).toEqual({
      id: 'moica',
      displayName: '內政部憑證管理中心',
      generation,
      test: false,
      evidence: ['key-identifier', 'ca-name'],
    });
    expect(profile.subjectKeyId).toBe(keyId);
    expect(profile.subject.text).toBe('C=TW, O=行政院, OU=內政部憑證管理中心');
    expect(profile.subject.commonName).toBeUndefined();
    // The CA itself, by its OU (MOICA's own rule, for citizens, reads the CN and found none).
    expect(profile.identity.holderName).toBe('內政部憑證管理中心');
    expect(profile.purpose).toBe('ca');
    expect(profile.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(profile.policies).toEqual([{ oid: '2.16.886.101.0.3.3', assuranceLevel: 3 }]);
    expect(profile.publicKey).toMatchObject({ algorithm: 'RSA', bits });
  });

  it('reads MOICA G3 exactly as published', () => {
    const profile = parseCertificate(fixture('moica-g3'));
    expect(profile.serialNumber).toBe('5A202D14B39787D0886C37184AC9B76A');
    expect(profile.issuer.text).toBe('C=TW, O=行政院, CN=Government Root Certification Authority - G3');
    expect(profile.authorityKeyId).toBe('3A908EE741471973DC9CBDA37ED83D3E83091F03');
    expect(profile.validity.notBefore.toISOString()).toBe('2024-01-23T06:30:45.000Z');
    expect(profile.validity.notAfter.toISOString()).toBe('2044-01-23T15:59:59.000Z');
    expect(profile.keyUsage).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(profile.crlUrls).toEqual(['http://grca.nat.gov.tw/repository/CRL3/CA.crl']);
    expect(profile.ocspUrls).toEqual(['http://ocsp.grca.nat.gov.tw/OCSP']);
    expect(profile.caIssuersUrls).toEqual(['http://grca.nat.gov.tw/repository/Certs/GRCAG3.crt']);
    expect(profile.signatureAlgorithm.name).toBe('sha256WithRSAEncryption');
    const o = profile.subject.attributes.find((a) => a.shortName === 'O');
    expect(o).toMatchObject({ value: '行政院', stringType: 'UTF8String' });
    expect(profile.subject.attributes.find((a) => a.shortName === 'C')?.stringType).toBe('PrintableString');
  });

  it('signs G1 with SHA-1 and G2 with SHA-256', () => {
    expect(parseCertificate(fixture('moica-g1')).signatureAlgorithm.name).toBe('sha1WithRSAEncryption');
    expect(parseCertificate(fixture('moica-g2')).signatureAlgorithm.name).toBe('sha256WithRSAEncryption');
  });

  it('recognises MOEACA G2', () => {
    const profile = parseCertificate(fixture('moeaca-g2'));
    expect(profile.authority).toMatchObject({ id: 'moeaca', generation: 'G2', test: false });
    expect(profile.subject.organizationalUnits).toEqual(['工商憑證管理中心']);
    // Not 行政院, the O every GPKI CA shares (MOEACA's own rule, for companies, reads the last O).
    expect(profile.identity.holderName).toBe('工商憑證管理中心');
    expect(profile.authorityKeyId).toBe('D5671DE09C7A2C9CCBC598E71D07262A86EC74CD');
  });

  it.each([
    ['grca-g1', 'G1', true],
    ['grca-g2', 'G2', true],
    ['grca-g3', 'G3', true],
    ['cross-grca-g1-to-g2', 'G2', false],
  ] as const)('%s: GRCA %s root (self-issued: %s)', (file, generation, selfIssued) => {
    const profile = parseCertificate(fixture(file));
    expect(profile.authority).toMatchObject({ id: 'grca', generation, test: false });
    expect(profile.purpose).toBe('ca');
    expect(profile.publicKey.bits).toBe(4096);
    expect(profile.identity.holderName).toBe(file === 'grca-g3' ? 'Government Root Certification Authority - G3' : 'Government Root Certification Authority');
    // The cross certificate has the same DN on both sides but G1 signs the G2 key.
    expect(profile.selfIssued).toBe(true);
    expect(profile.authorityKeyId === undefined || profile.authorityKeyId === profile.subjectKeyId).toBe(selfIssued);
  });
});
