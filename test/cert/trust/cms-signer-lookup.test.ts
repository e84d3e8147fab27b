/**
 * How a CMS's SignerInfo finds its certificate among those the CMS carries (its issuer and serial are not
 * signed): byte-identical issuers first, names equal by meaning only when none is, at a cost bounded by the
 * CMS's size; and an undecodable extra certificate ignored when the signer's is known, for documents and logins
 * alike. Found by the session's second review.
 */
import { describe, expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder, SignedDocumentVerifierBuilder, TrustedCertificate, buildLoginMessage } from '../../../src/cert/index.js';
import { cmsCertificates } from '../../../src/cert/trust/verification/cms-signer.js';
import type { CmsSignedData } from '../../../src/cert/trust/verification/cms-signed-data.js';
import { bytesEqual } from '../../../src/shared/bytes.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import { NULL, explicit, integerFromHex, objectIdentifier, octetString, sequence, tlv } from '../../../src/testing/der/der-writer.js';
import { signLogin } from './helpers/login-signer.js';

const ORIGIN = 'https://login.example.gov.tw';

describe('which carried certificate a SignerInfo names', () => {
  it('the byte-identical issuer wins over a look-alike carried first; the look-alike is found when alone', async () => {
    const pki = await createTestPki();
    const ca = (encoding: 'printable' | 'utf8') =>
      pki.issueCertificate({ issuer: 'root', subject: [{ type: 'CN', value: 'Same CA', encoding }], isCa: true, keyUsage: ['keyCertSign', 'cRLSign'] });
    const [caA, caB] = await Promise.all([ca('printable'), ca('utf8')]);
    const leafA = await pki.issueCertificate({ issuer: caA, subject: 'CN=signer A', serialNumber: '1234' });
    const leafB = await pki.issueCertificate({ issuer: caB, subject: 'CN=signer B', serialNumber: '1234' });
    const a = TrustedCertificate.from(leafA.certificate);
    const b = TrustedCertificate.from(leafB.certificate);
    expect(bytesEqual(a.issuerDer, b.issuerDer)).toBe(false);
    const names = (certificates: Uint8Array[]) =>
      cmsCertificates({ certificates, signer: { issuerDer: a.issuerDer, serialHex: a.serialHex } } as unknown as CmsSignedData).signer?.fingerprint;
    expect(names([leafB.certificate, leafA.certificate])).toBe(a.fingerprint);
    expect(names([leafB.certificate])).toBe(b.fingerprint);
  }, 60_000);

  it('a forged SignerInfo issuer of hundreds of kilobytes beside hundreds of copies of one certificate is not prepared per copy', async () => {
    const pki = await createTestPki({ authorities: ['moica'] });
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    const cert = TrustedCertificate.from(holder.sign.certificate);
    const rdn = tlv(0x31, sequence(objectIdentifier('2.5.4.3'), tlv(0x0c, Uint8Array.of(0x61))));
    const issuer = tlv(0x30, new Uint8Array(Buffer.concat(Array.from({ length: 30_000 }, () => rdn))));
    const copies = Array.from({ length: 400 }, () => holder.sign.certificate);
    // A guard, not a performance claim: preparing the issuer once per copy took about 25 s here; once, milliseconds.
    const started = performance.now();
    const found = cmsCertificates({ certificates: copies, signer: { issuerDer: issuer, serialHex: cert.serialHex } } as unknown as CmsSignedData);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(found.signer).toBeUndefined();
    expect(found.all).toHaveLength(400);

    // Through the document verifier: refused as naming no carried certificate (before, 33 s of blocked event loop).
    const digest = sequence(objectIdentifier('2.16.840.1.101.3.4.2.1'), NULL);
    const signerInfo = sequence(integerFromHex('01'), sequence(issuer, integerFromHex(cert.serialHex)), digest, sequence(objectIdentifier('1.2.840.113549.1.1.1'), NULL), octetString(new Uint8Array(256)));
    const signedData = sequence(
      integerFromHex('01'),
      tlv(0x31, digest),
      sequence(objectIdentifier('1.2.840.113549.1.7.1'), explicit(0, octetString(Uint8Array.of(0x78)))),
      tlv(0xa0, new Uint8Array(Buffer.concat(copies))),
      tlv(0x31, signerInfo),
    );
    const cms = sequence(objectIdentifier('1.2.840.113549.1.7.2'), explicit(0, signedData));
    const verifier = new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withoutRevocationCheck().build();
    await expect(verifier.verify({ format: 'cms', signature: cms })).rejects.toMatchObject({ code: 'DOCUMENT_MALFORMED', message: expect.stringMatching(/no signer certificate/) });
  }, 60_000);
});

describe('an undecodable certificate carried beside the signer certificate given separately', () => {
  it('is ignored by the login verifier as by the document verifier', async () => {
    const pki = await createTestPki({ authorities: ['moica'] });
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    const challenges = new ChallengeIssuer();
    const tbs = buildLoginMessage({ origin: ORIGIN, challenge: (await challenges.issue('s')).value });
    const token = signLogin({ tbs, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, attached: true });
    // The CMS's copy of the signer certificate made undecodable (notBefore's UTCTime tag turned into OCTET STRING);
    // certb64 keeps the good one. The CMS signature does not cover its certificates.
    const signature = Buffer.from(token['signature'] as string, 'base64');
    const at = signature.indexOf(Buffer.from(holder.sign.certificate));
    signature[signature.indexOf(Buffer.from('170d', 'hex'), at)] = 0x04;
    token['signature'] = signature.toString('base64');

    const documents = new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withIntermediates(pki.issuer('moica').certificate).withoutRevocationCheck().build();
    await expect(documents.verify({ format: 'cms', signature: new Uint8Array(signature), certificate: holder.sign.certificate })).resolves.toBeDefined();
    const logins = new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withAllowedOrigins(ORIGIN)
      .withChallenges(challenges)
      .withoutRevocationCheck()
      .build();
    await expect(logins.verify(token, { sessionId: 's' })).resolves.toBeDefined();
  }, 60_000);
});
