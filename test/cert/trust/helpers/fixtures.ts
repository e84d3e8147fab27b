import { createHash, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RevocationError, TrustedCertificate } from '../../../../src/cert/index.js';
import { createTestPki, type CardHolderCredentials, type IssuedCertificate, type TestAuthority, type TestPki } from '../../../../src/testing/pki/index.js';
import { LocalRevocationServer } from '../../../../src/testing/revocation/index.js';
import { integerFromHex, objectIdentifier, octetString, sequence, tlv } from '../../../../src/testing/der/der-writer.js';
import { encodeTlv, tlvs, type Tlv } from './tlv-tree.js';

/** Reads a real CA certificate from the repository's fixtures (PEM text). */
export function realCa(name: string): string {
  return readFileSync(new URL(`../../../../fixtures/ca/${name}.pem`, import.meta.url), 'utf8');
}

/** A local OCSP/CRL server, a test PKI pointing at it, and one MOICA card holder. */
export interface RevocationRig {
  server: LocalRevocationServer;
  pki: TestPki;
  holder: CardHolderCredentials;
  /** The holder's SIGN certificate. */
  cert: TrustedCertificate;
  /** The MOICA test issuing CA. */
  issuer: TrustedCertificate;
}

/**
 * Starts the rig. `ocspResponder: false` leaves the MOICA CA unknown to the
 * OCSP responder, so checks must fall back to CRLs. The PKI has the MOICA CA
 * and the `otherAuthorities` asked for (each costs a key pair).
 */
export async function startRevocationRig(options: {
  ocspResponder: boolean;
  commonName?: string;
  otherAuthorities?: readonly TestAuthority[];
}): Promise<RevocationRig> {
  const server = await LocalRevocationServer.start();
  const authorities: TestAuthority[] = ['moica', ...(options.otherAuthorities ?? [])];
  const pki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl, authorities });
  if (options.ocspResponder) server.addAuthority(pki.issuer('moica'));
  const holder = await pki.issueCardHolder({ authority: 'moica', ...(options.commonName === undefined ? {} : { commonName: options.commonName }) });
  return {
    server,
    pki,
    holder,
    cert: TrustedCertificate.from(holder.sign.certificate),
    issuer: TrustedCertificate.from(pki.issuer('moica').certificate),
  };
}

/** Certificates under the MOICA test CA that chain but may not sign for a card holder. */
export interface UnfitSigners {
  /** A sub-CA certificate (cA=TRUE) with digitalSignature. */
  subCa: IssuedCertificate;
  /** An OCSP responder certificate (id-kp-OCSPSigning, digitalSignature). */
  responder: IssuedCertificate;
  /** A signing certificate that expired a second ago. */
  expired: IssuedCertificate;
}

/** Issues the {@link UnfitSigners} under `pki`'s MOICA CA. */
export async function unfitSigners(pki: TestPki): Promise<UnfitSigners> {
  const issuer = pki.issuer('moica');
  return {
    subCa: await pki.issueCertificate({ issuer, subject: 'C=TW, O=行政院, OU=子CA', isCa: true, keyUsage: ['digitalSignature'] }),
    responder: await pki.issueCertificate({
      issuer,
      subject: 'C=TW, O=行政院, CN=OCSP',
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      ocspNoCheck: true,
    }),
    expired: await pki.issueCertificate({
      issuer,
      subject: 'C=TW, CN=過期',
      keyUsage: ['digitalSignature'],
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() - 1000),
    }),
  };
}

/** The RevocationError `p` rejects with; any other outcome fails the test. */
export async function revocationFailure(p: Promise<unknown>): Promise<RevocationError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RevocationError) return err;
    throw err;
  }
  throw new Error('expected a RevocationError');
}

/** The DER of the SHA-1 CertID twpki asks an OCSP responder about `cert` with (for building answers by hand). */
export function sha1CertId(cert: TrustedCertificate, issuer: TrustedCertificate): Uint8Array {
  const sha1 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(data).digest());
  return sequence(
    sequence(objectIdentifier('1.3.14.3.2.26'), tlv(0x05, new Uint8Array(0))),
    octetString(sha1(issuer.subjectDer)),
    octetString(sha1(issuer.publicKeyBits)),
    integerFromHex(cert.serialHex),
  );
}

/**
 * `der` (a certificate signed with SHA-256 and RSA, as the test PKI signs) with its serial INTEGER's content replaced
 * by `content` and signed again by `issuerKey`: a certificate the test PKI will not issue, such as one with a
 * negative serial (RFC 5280 forbids it; a CA may still have written one).
 */
export function withSerialContent(der: Uint8Array, content: Uint8Array, issuerKey: KeyObject): Uint8Array {
  const [certificate] = tlvs(der);
  const [tbs, algorithm] = certificate?.content as Tlv[];
  const fields = (tbs as Tlv).content as Tlv[];
  // Field 0 is the [0] version; the serial follows it.
  if (fields[0]?.tag !== 0xa0 || fields[1]?.tag !== 0x02) throw new Error('withSerialContent: not a v3 certificate');
  fields[1] = { tag: 0x02, content };
  const tbsDer = encodeTlv(tbs as Tlv);
  const signature = sign('sha256', tbsDer, issuerKey);
  return new Uint8Array(encodeTlv({ tag: 0x30, content: [tbs as Tlv, algorithm as Tlv, { tag: 0x03, content: Uint8Array.of(0, ...signature) }] }));
}
