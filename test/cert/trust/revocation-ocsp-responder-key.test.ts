/**
 * A delegated OCSP responder whose certificate the CA signed but whose key
 * Node cannot load (a CA mistake): the answer is refused with a typed
 * `OCSP_BAD_SIGNATURE`, as for a signature that does not verify, never with
 * the crypto library's own error.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, RevocationChecker, TrustedCertificate } from '../../../src/cert/index.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import type { KeyedCertificate, LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { revocationFailure, startRevocationRig } from './helpers/fixtures.js';

let server: LocalRevocationServer;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki, cert, issuer } = await startRevocationRig({ ocspResponder: true }));
});

afterAll(async () => {
  await server.close();
});

/**
 * `good`, a responder certificate issued for OCSP signing by the MOICA test CA, and the same certificate with its
 * RSAPublicKey's SEQUENCE tag broken and the CA's signature made again over that: same length, so only bytes change.
 */
async function responders(): Promise<{ good: KeyedCertificate; broken: KeyedCertificate }> {
  const ca = pki.issuer('moica');
  const good = await pki.issueCertificate({
    issuer: ca,
    subject: 'C=TW, O=行政院, CN=MOICA OCSP',
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
    ocspNoCheck: true,
  });
  const parsed = TrustedCertificate.from(good.certificate);
  const der = Buffer.from(good.certificate);
  const tbsAt = der.indexOf(Buffer.from(parsed.tbs));
  const keyAt = der.indexOf(Buffer.from(parsed.publicKeyBits), tbsAt);
  expect(der[keyAt]).toBe(0x30); // RSAPublicKey ::= SEQUENCE
  der[keyAt] = 0x04;
  const tbs = der.subarray(tbsAt, tbsAt + parsed.tbs.length);
  const signature = sign('sha256', tbs, ca.privateKey);
  expect(signature.length).toBe(parsed.signature.length);
  signature.copy(der, der.length - signature.length);
  return { good, broken: { certificate: new Uint8Array(der), privateKey: good.privateKey } };
}

describe('a delegated OCSP responder whose key does not load', () => {
  it('is refused with OCSP_BAD_SIGNATURE (the same responder with its real key answers good)', async () => {
    const { good, broken } = await responders();
    const brokenCert = TrustedCertificate.from(broken.certificate);
    expect(verify('sha256', brokenCert.tbs, issuer.publicKey(), brokenCert.signature)).toBe(true);
    expect(() => brokenCert.publicKey()).toThrow();
    server.ocsp.responderId = 'name';
    server.ocsp.signWith = good;
    expect((await new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer)).kind).toBe('good');
    server.ocsp.signWith = broken;
    const failure = await revocationFailure(new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer));
    expect(failure.code).toBe('OCSP_BAD_SIGNATURE');
    expect(failure.message).toContain('MOICA OCSP');
  });
});

describe('a delegated OCSP responder held to what the answer itself is held to', () => {
  const delegate = (subject: string, extra: { signatureHash?: 'SHA-1'; keyPair?: ReturnType<typeof generateKeyPairSync> } = {}) =>
    pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject,
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      ocspNoCheck: true,
      ...extra,
    });

  it('a delegate the CA signed with SHA-1 is refused under a policy without SHA-1, as a SHA-1 answer is', async () => {
    server.ocsp.signWith = await delegate('C=TW, O=行政院, CN=MOICA OCSP SHA1', { signatureHash: 'SHA-1' });
    try {
      const failure = await revocationFailure(new RevocationChecker({ mode: 'ocsp', algorithms: AlgorithmPolicy.modern() }).check(cert, issuer));
      expect(failure.code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
      expect(failure.message).toMatch(/SHA-1.*algorithm policy/);
      // Where SHA-1 is allowed, the same delegate answers.
      expect((await new RevocationChecker({ mode: 'ocsp', algorithms: AlgorithmPolicy.withSha1() }).check(cert, issuer)).kind).toBe('good');
    } finally {
      server.ocsp.signWith = undefined;
    }
  });

  it('a delegate with an RSA key under 2048 bits is refused (the floor a card key is held to); 2048 answers', async () => {
    try {
      server.ocsp.signWith = await delegate('C=TW, O=行政院, CN=MOICA OCSP 1024', { keyPair: generateKeyPairSync('rsa', { modulusLength: 1024 }) });
      const failure = await revocationFailure(new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer));
      expect(failure.code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
      expect(failure.message).toContain('1024 bits');
      server.ocsp.signWith = await delegate('C=TW, O=行政院, CN=MOICA OCSP 2048', { keyPair: generateKeyPairSync('rsa', { modulusLength: 2048 }) });
      expect((await new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer)).kind).toBe('good');
    } finally {
      server.ocsp.signWith = undefined;
    }
  });
});
