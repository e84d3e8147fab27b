import { TrustedCertificate } from '../../trusted-certificate.js';
import { parseCmsSignedData } from '../../verification/cms-signed-data.js';
import { cmsCertificates, otherCertificates } from '../../verification/cms-signer.js';
import { TokenFormatError } from '../errors.js';
import { decodeLoginToken } from '../login-token.js';
import type { LoginContext } from './login-context.js';

/**
 * Step 1, token format: JSON shape, base64 fields, and the DER inside them
 * (certificate, CMS structure) all decode. Finds the signer certificate and
 * reads its profile once (the result carries it).
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
    try {
      ctx.cms = parseCmsSignedData(token.signature);
    } catch (err) {
      throw new TokenFormatError(`"signature" is not a CMS SignedData: ${(err as Error).message}`, { cause: err });
    }
    let carried;
    try {
      carried = cmsCertificates(ctx.cms);
    } catch (err) {
      throw new TokenFormatError(`the CMS carries an undecodable certificate`, { cause: err });
    }
    const signerCert = cert ?? carried.signer;
    if (signerCert === undefined) {
      throw new TokenFormatError('no signer certificate: neither "certb64" nor one in the CMS');
    }
    cert = signerCert;
    ctx.intermediates = otherCertificates(carried.all, signerCert);
  }
  if (cert === undefined) throw new TokenFormatError('no signer certificate');
  try {
    ctx.profile = cert.profile();
  } catch (err) {
    throw new TokenFormatError(`the certificate profile could not be read: ${(err as Error).message}`, { cause: err });
  }
  ctx.certificate = cert;
}
