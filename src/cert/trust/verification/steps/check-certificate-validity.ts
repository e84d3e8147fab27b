import { CertificateExpiredError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/** Certificate validity: the signer certificate is within notBefore/notAfter at the verification time. */
export function checkCertificateValidity(ctx: SignerContext): void {
  const cert = need(ctx, 'certificate');
  if (ctx.at.getTime() < cert.notBefore.getTime()) {
    throw new CertificateExpiredError('CERT_NOT_YET_VALID', `the certificate is valid from ${cert.notBefore.toISOString()}`);
  }
  if (ctx.at.getTime() > cert.notAfter.getTime()) {
    throw new CertificateExpiredError('CERT_EXPIRED', `the certificate expired ${cert.notAfter.toISOString()}`);
  }
}
