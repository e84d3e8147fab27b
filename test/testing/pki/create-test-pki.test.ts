import { X509Certificate } from 'node:crypto';
import { isBan } from 'taiwan-id-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../src/cert/profile/index.js';
import {
  createTestPki,
  DEFAULT_TEST_BUSINESS_ID,
  TEST_AUTHORITIES,
  TestPkiError,
  type TestPki,
} from '../../../src/testing/pki/index.js';

const now = new Date('2026-06-01T00:00:00Z');
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki({
    now,
    crlBaseUrl: 'http://127.0.0.1:9999/crl/',
    ocspUrl: 'http://127.0.0.1:9999/ocsp',
    caIssuersBaseUrl: 'http://127.0.0.1:9999/certs',
  });
});

const x509 = (der: Uint8Array): X509Certificate => new X509Certificate(der);

describe('createTestPki: root and issuing CAs', () => {
  it('makes a self-signed RSA root marked as a test CA', () => {
    const root = x509(pki.root.certificate);
    expect(root.ca).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.subject).toContain('(測試用)');
    expect(pki.root.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(parseCertificate(pki.root.certificate).authority).toMatchObject({ id: 'grca', test: true, evidence: ['ca-name'] });
  });

  it.each(TEST_AUTHORITIES)('issues the %s CA from the root, with the real DN shape plus a test marker', (authority) => {
    const ca = pki.issuer(authority);
    const cert = x509(ca.certificate);
    expect(cert.verify(pki.root.publicKey)).toBe(true);
    expect(cert.checkIssued(x509(pki.root.certificate))).toBe(true);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe(`C=TW\nO=行政院\nOU=${ca.name}`);
    expect(ca.name.startsWith('(測試用) ')).toBe(true);
    const profile = parseCertificate(ca.certificate);
    expect(profile.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(profile.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    expect(profile.policies.map((p) => p.oid)).toEqual(['2.16.886.101.0.3.3']);
    expect(profile.crlUrls).toEqual(['http://127.0.0.1:9999/crl/root.crl']);
    expect(profile.authorityKeyId).toBe(parseCertificate(pki.root.certificate).subjectKeyId);
  });

  it('refuses an unknown authority with a typed error', () => {
    expect(() => pki.issuer('abc' as never)).toThrow(TestPkiError);
    try {
      pki.issuer('abc' as never);
    } catch (e) {
      expect((e as TestPkiError).code).toBe('UNKNOWN_AUTHORITY');
    }
  });
});

describe('issueCardHolder', () => {
  it.each(TEST_AUTHORITIES)('%s: SIGN and KEYX chain to the issuing CA and the root', async (authority) => {
    const creds = await pki.issueCardHolder({ authority });
    const ca = pki.issuer(authority);
    expect(creds.chain).toEqual([ca.certificate, pki.root.certificate]);
    for (const issued of [creds.sign, creds.keyx]) {
      const cert = x509(issued.certificate);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.verify(pki.root.publicKey)).toBe(false);
      expect(cert.checkPrivateKey(issued.privateKey)).toBe(true);
      expect(cert.publicKey.equals(issued.publicKey)).toBe(true);
    }
    const sign = parseCertificate(creds.sign.certificate);
    const keyx = parseCertificate(creds.keyx.certificate);
    expect(sign.keyUsage).toEqual(['digitalSignature']);
    expect(sign.keyUsageCritical).toBe(true);
    expect(keyx.keyUsage).toEqual(['keyEncipherment', 'dataEncipherment']);
    expect(sign.authorityKeyId).toBe(parseCertificate(ca.certificate).subjectKeyId);
    expect(sign.crlUrls).toEqual([`http://127.0.0.1:9999/crl/${authority}.crl`]);
    expect(sign.ocspUrls).toEqual(['http://127.0.0.1:9999/ocsp']);
    expect(sign.caIssuersUrls).toEqual([`http://127.0.0.1:9999/certs/${authority}.cer`]);
    expect(sign.policies.map((p) => p.oid)).toEqual(['2.16.886.101.0.3.3']);
    expect(creds.sign.publicKey.equals(creds.keyx.publicKey)).toBe(false);
  });

  it('ends five years later at 15:59:59Z by default, starting from the PKI clock', async () => {
    const creds = await pki.issueCardHolder({ authority: 'moica' });
    const { validity } = parseCertificate(creds.sign.certificate);
    expect(validity.notBefore.toISOString()).toBe('2026-05-31T23:00:00.000Z');
    expect(validity.notAfter.toISOString()).toBe('2031-05-31T15:59:59.000Z');
  });

  it('uses the given subject details, hints and validity', async () => {
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2021-01-01T00:00:00Z');
    const creds = await pki.issueCardHolder({
      authority: 'moica',
      commonName: '陳美麗',
      idHint: '9876',
      subjectSerialNumber: 'ABCDEF0123456789',
      email: 'mei@example.tw',
      notBefore,
      notAfter,
      cardType: 'mobile',
    });
    const profile = parseCertificate(creds.sign.certificate);
    expect(profile.subject.text).toBe('C=TW, CN=陳美麗, serialNumber=ABCDEF0123456789');
    expect(profile.identity.idHint).toBe('9876');
    expect(profile.identity.cardType).toBe('mobile');
    expect(profile.emails).toEqual(['mei@example.tw']);
    expect(profile.validity).toEqual({ notBefore, notAfter });
  });

  it('defaults to a checksum-valid 統一編號 for MOEACA', () => {
    expect(isBan(DEFAULT_TEST_BUSINESS_ID)).toBe(true);
  });
});

describe('issueCertificate (edge cases)', () => {
  it('issues an expired certificate when asked', async () => {
    const issued = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      keyPair: pki.issuer('xca'), // any key: this test is about validity
      subject: 'C=TW, CN=過期者',
      keyUsage: ['digitalSignature'],
      notBefore: new Date('2010-01-01T00:00:00Z'),
      notAfter: new Date('2015-01-01T00:00:00Z'),
    });
    const cert = x509(issued.certificate);
    expect(new Date(cert.validTo).getTime()).toBeLessThan(now.getTime());
    expect(cert.verify(pki.issuer('moica').publicKey)).toBe(true);
  });

  it('issues an OCSP responder certificate (id-kp-OCSPSigning, ocsp-nocheck)', async () => {
    const responder = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, O=行政院, OU=(測試用) 內政部憑證管理中心, CN=OCSP Responder',
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      ocspNoCheck: true,
      ocspUrl: null,
    });
    const profile = parseCertificate(responder.certificate);
    expect(profile.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.9']);
    expect(profile.extensions.map((e) => e.oid)).toContain('1.3.6.1.5.5.7.48.1.5');
    expect(profile.ocspUrls).toEqual([]);
  });

  it('issues a sub-CA that can itself issue', async () => {
    const sub = await pki.issueCertificate({
      issuer: 'root',
      subject: 'C=TW, O=行政院, OU=(測試用) 子憑證管理中心',
      isCa: true,
      pathLength: 0,
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const leaf = await pki.issueCertificate({ issuer: sub, subject: 'C=TW, CN=葉子', keyUsage: ['digitalSignature'] });
    expect(x509(leaf.certificate).verify(sub.publicKey)).toBe(true);
    expect(x509(leaf.certificate).checkIssued(x509(sub.certificate))).toBe(true);
    expect(parseCertificate(leaf.certificate).crlUrls).toEqual([]);
    expect(parseCertificate(sub.certificate).crlUrls).toEqual(['http://127.0.0.1:9999/crl/root.crl']);
  });

  it('re-certifies a given key pair and honours serial and hash', async () => {
    const first = pki.issuer('hca');
    const again = await pki.issueCertificate({
      issuer: pki.issuer('gca'),
      subject: 'C=TW, CN=a',
      keyPair: first,
      serialNumber: '0a1b2c',
      signatureHash: 'SHA-1',
    });
    expect(x509(again.certificate).publicKey.equals(first.publicKey)).toBe(true);
    const profile = parseCertificate(again.certificate);
    expect(profile.serialNumber).toBe('0A1B2C');
    expect(profile.signatureAlgorithm.name).toBe('sha1WithRSAEncryption');
    expect(x509(again.certificate).verify(pki.issuer('gca').publicKey)).toBe(true);
  });

  it('encodes names with the requested string types', async () => {
    const issued = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      keyPair: pki.issuer('xca'),
      subject: [
        { type: 'C', value: 'TW' },
        { type: 'CN', value: '張三', encoding: 'bmp' },
        { type: 'OU', value: '李四', encoding: 'printable' },
      ],
    });
    const { subject } = parseCertificate(issued.certificate);
    expect(subject.attributes.map((a) => [a.shortName, a.value, a.stringType])).toEqual([
      ['C', 'TW', 'PrintableString'],
      ['CN', '張三', 'BMPString'],
      ['OU', '李四', 'PrintableString'],
    ]);
  });

  it('rejects inverted validity and unparsable subjects with typed errors', async () => {
    await expect(
      pki.issueCertificate({ issuer: 'root', subject: 'C=TW', notBefore: now, notAfter: new Date(0) }),
    ).rejects.toMatchObject({ code: 'BAD_OPTIONS' });
    await expect(pki.issueCertificate({ issuer: 'root', subject: 'nonsense' })).rejects.toMatchObject({ code: 'BAD_SUBJECT_NAME' });
    await expect(pki.issueCertificate({ issuer: 'root', subject: 'XX=1' })).rejects.toMatchObject({ code: 'BAD_SUBJECT_NAME' });
  });

  it('gives every PKI its own keys', async () => {
    const other = await createTestPki({ now });
    const creds = await other.issueCardHolder({ authority: 'moica' });
    expect(x509(creds.sign.certificate).verify(pki.issuer('moica').publicKey)).toBe(false);
    expect(x509(other.root.certificate).publicKey.equals(pki.root.publicKey)).toBe(false);
  });
});

describe('createTestPki: only the issuing CAs asked for', () => {
  it('makes the named CAs under a root of their own, and says which it has', async () => {
    const small = await createTestPki({ now, authorities: ['gca', 'moica', 'gca'] });
    // TEST_AUTHORITIES order, each once.
    expect(small.authorities).toEqual(['moica', 'gca']);
    expect(pki.authorities).toEqual(TEST_AUTHORITIES);
    for (const authority of small.authorities) {
      expect(x509(small.issuer(authority).certificate).verify(small.root.publicKey)).toBe(true);
    }
    const holder = await small.issueCardHolder({ authority: 'gca' });
    expect(x509(holder.sign.certificate).verify(small.issuer('gca').publicKey)).toBe(true);
    expect(parseCertificate(holder.sign.certificate).authority).toMatchObject({ id: 'gca', test: true });
  });

  it('refuses an authority it was not made with, naming the option', async () => {
    const small = await createTestPki({ now, authorities: ['moica'] });
    const err = (() => {
      try {
        small.issuer('hca');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TestPkiError);
    expect(err).toMatchObject({ code: 'UNKNOWN_AUTHORITY', message: expect.stringContaining('"authorities"') });
    await expect(small.issueCardHolder({ authority: 'xca' })).rejects.toMatchObject({ code: 'UNKNOWN_AUTHORITY' });
  });

  it('with no authorities is a root alone, which can still issue', async () => {
    const rootOnly = await createTestPki({ now, authorities: [] });
    expect(rootOnly.authorities).toEqual([]);
    const sub = await rootOnly.issueCertificate({
      issuer: 'root',
      subject: [{ type: 'CN', value: 'sub' }],
      isCa: true,
      keyUsage: ['keyCertSign'],
    });
    expect(x509(sub.certificate).verify(rootOnly.root.publicKey)).toBe(true);
  });

  it('refuses names that are not test authorities, and a value that is not a list', async () => {
    await expect(createTestPki({ authorities: ['grca' as never] })).rejects.toMatchObject({
      code: 'BAD_OPTIONS',
      message: expect.stringContaining('"authorities"'),
    });
    await expect(createTestPki({ authorities: 'moica' as never })).rejects.toMatchObject({ code: 'BAD_OPTIONS' });
  });
});
