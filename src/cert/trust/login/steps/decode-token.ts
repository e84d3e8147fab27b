import { TrustedCertificate } from '../../trusted-certificate.js';
import { parseCmsSignedData } from '../cms-signed-data.js';
import { TokenFormatError } from '../errors.js';
import { decodeLoginToken } from '../login-token.js';
import type { LoginContext } from './login-context.js';

/**
 * Step 1, token format: JSON shape, base64 fields, and the DER inside them
 * (certificate, CMS structure) all decode. Finds the signer certificate.
 */
export function decodeToken(ctx: LoginContext, input: unknown): void {
  const token = decodeLoginToken(input);
  ctx.token = token;
  let cert: TrustedCertificate | undefined;
  if (token.certificate !== undefined) {
    try {
      cert = TrustedCertificate.from(token.certificate);
    } catch (err) {
      throw new TokenFormatError(`"certb64" is not a certificate: ${(err as Error).message}`, { cause: err });
    }
  }
  if (token.token.signatureType === 'PKCS7') {
    let cms;
    try {
      cms = parseCmsSignedData(token.signature);
    } catch (err) {
      throw new TokenFormatError(`"signature" is not a CMS SignedData: ${(err as Error).message}`, { cause: err });
    }
    ctx.cms = cms;
    let carried: TrustedCertificate[];
    try {
      carried = cms.certificates.map((c) => TrustedCertificate.from(c));
    } catch (err) {
      throw new TokenFormatError(`the CMS carries an undecodable certificate`, { cause: err });
    }
    const signer = cms.signer;
    const named = carried.find((c) =>
      'subjectKeyId' in signer
        ? c.subjectKeyId === signer.subjectKeyId
        : c.serialHex === signer.serialHex && Buffer.from(c.issuerDer).equals(Buffer.from(signer.issuerDer)),
    );
    const signerCert = cert ?? named;
    if (signerCert === undefined) {
      throw new TokenFormatError('no signer certificate: neither "certb64" nor one in the CMS');
    }
    cert = signerCert;
    ctx.intermediates = carried.filter((c) => c.fingerprint !== signerCert.fingerprint).map((c) => c.der);
  }
  ctx.certificate = cert;
}
