/**
 * -128 and +128 are two serials. The trust layer spelt a serial as its content octets read unsigned, so -128
 * (`80`) and +128 (`00 80`) were one: a CRL entry for either revoked both, an OCSP request for -128 asked about
 * +128, and an OCSP answer (or a cached one) about one was taken for the other. RFC 5280 forbids negative serials,
 * but a certificate is what its CA signed; each test here failed before the spelling kept the sign.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, RevocationChecker, TrustedCertificate } from '../../../src/cert/index.js';
import { cmsCertificates } from '../../../src/cert/trust/verification/cms-signer.js';
import { parseCmsSignedData } from '../../../src/cert/trust/verification/cms-signed-data.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { explicit, generalizedTime, NULL, objectIdentifier, octetString, sequence, smallInteger, tlv } from '../../../src/testing/der/der-writer.js';
import { revocationFailure as failure, sha1CertId, startRevocationRig, withSerialContent } from './helpers/fixtures.js';
import { handAnsweringChecker, handCrl } from './helpers/revocation-hand-built.js';

const HOUR = 3_600_000;
let server: LocalRevocationServer;
let pki: TestPki;
let issuer: TrustedCertificate;
/** Serial +128 (`00 80`), issued by the MOICA test CA. */
let plus: TrustedCertificate;
/** Serial -128 (`80`): the same certificate with that serial, signed by the same CA. */
let minus: TrustedCertificate;

beforeAll(async () => {
  let holder;
  ({ server, pki, issuer, holder } = await startRevocationRig({ ocspResponder: true }));
  const ca = pki.issuer('moica');
  const issued = await pki.issueCertificate({ issuer: ca, subject: 'C=TW, CN=序號測試', keyPair: holder.sign, serialNumber: '80', keyUsage: ['digitalSignature'] });
  const negative = withSerialContent(issued.certificate, Uint8Array.of(0x80), ca.privateKey);
  expect(new X509Certificate(negative).verify(ca.publicKey)).toBe(true);
  plus = TrustedCertificate.from(issued.certificate);
  minus = TrustedCertificate.from(negative);
});

afterAll(async () => {
  await server.close();
});

describe('a serial and its negative are two certificates', () => {
  it('are spelt apart, and the profile spells each as the trust layer does', () => {
    expect([plus.serialHex, minus.serialHex]).toEqual(['80', '-80']);
    expect(parseCertificate(plus.der).serialNumber).toBe(plus.serialHex.toUpperCase());
    expect(parseCertificate(minus.der).serialNumber).toBe(minus.serialHex.toUpperCase());
  });

  it('a CRL listing -128 revokes -128, not +128', async () => {
    const url = server.publishCrl('minus-128.crl', handCrl({
      issuer,
      issuerKey: pki.issuer('moica').privateKey,
      thisUpdate: new Date(Date.now() - HOUR),
      nextUpdate: new Date(Date.now() + HOUR),
      serials: ['-80'],
      revokedAt: new Date(Date.now() - HOUR),
      entriesAfterExtensions: false,
    }));
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    expect((await checker.check(plus, issuer)).kind).toBe('good');
    expect((await checker.check(minus, issuer)).kind).toBe('revoked');
  });

  it('a CRL listing +128 revokes +128, not -128', async () => {
    const url = server.publishCrl('plus-128.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: '80', revokedAt: new Date(Date.now() - HOUR) }] }));
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    expect((await checker.check(minus, issuer)).kind).toBe('good');
    expect((await checker.check(plus, issuer)).kind).toBe('revoked');
  });

  it('OCSP asks about -128 as -128: +128 revoked at the responder leaves -128 good, also after an answer about +128 is cached', async () => {
    server.setStatus('80', { kind: 'revoked', revokedAt: new Date(Date.now() - HOUR) });
    try {
      expect((await new RevocationChecker({ mode: 'ocsp' }).check(minus, issuer)).kind).toBe('good');
      const checker = new RevocationChecker({ mode: 'ocsp' });
      expect((await checker.check(plus, issuer)).kind).toBe('revoked');
      expect((await checker.check(minus, issuer)).kind).toBe('good');
    } finally {
      server.setStatus('80', { kind: 'good' });
    }
  });

  it('an OCSP answer about -128 is not taken for +128', async () => {
    // An answer that `cert` was revoked an hour ago.
    const about = (cert: TrustedCertificate): RevocationChecker =>
      handAnsweringChecker(
        { signer: issuer, signerKey: pki.issuer('moica').privateKey, certId: sha1CertId(cert, issuer) },
        { certStatus: tlv(0xa1, generalizedTime(new Date(Math.floor(Date.now() / 1000) * 1000 - HOUR))) },
      );
    expect((await failure(about(minus).check(plus, issuer))).code).toBe('OCSP_WRONG_CERTIFICATE');
    expect((await failure(about(plus).check(minus, issuer))).code).toBe('OCSP_WRONG_CERTIFICATE');
    // The same answer about the certificate asked about is taken.
    expect((await about(plus).check(plus, issuer)).kind).toBe('revoked');
  });

  it('a SignerInfo naming -128 finds the -128 certificate, not +128 carried first', () => {
    const digest = sequence(objectIdentifier('2.16.840.1.101.3.4.2.1'), NULL);
    const signerInfo = sequence(smallInteger(1), sequence(minus.issuerDer, tlv(0x02, Uint8Array.of(0x80))), digest, sequence(objectIdentifier('1.2.840.113549.1.1.1'), NULL), octetString(new Uint8Array(256)));
    const signedData = sequence(
      smallInteger(1),
      tlv(0x31, digest),
      sequence(objectIdentifier('1.2.840.113549.1.7.1'), explicit(0, octetString(Uint8Array.of(0x78)))),
      tlv(0xa0, new Uint8Array(Buffer.concat([plus.der, minus.der]))),
      tlv(0x31, signerInfo),
    );
    const cms = parseCmsSignedData(sequence(objectIdentifier('1.2.840.113549.1.7.2'), explicit(0, signedData)));
    expect(cmsCertificates(cms).signer?.fingerprint).toBe(minus.fingerprint);
  });
});
