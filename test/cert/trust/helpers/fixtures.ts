import { readFileSync } from 'node:fs';
import { TrustedCertificate } from '../../../../src/cert/index.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../../../src/testing/pki/index.js';
import { LocalRevocationServer } from '../../../../src/testing/revocation/index.js';

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
 * OCSP responder, so checks must fall back to CRLs.
 */
export async function startRevocationRig(options: { ocspResponder: boolean; commonName?: string }): Promise<RevocationRig> {
  const server = await LocalRevocationServer.start();
  const pki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl });
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
