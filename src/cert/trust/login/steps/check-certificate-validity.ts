import { CertificateExpiredError } from '../errors.js';
import { need, type LoginContext } from './login-context.js';

/** Step 6, certificate validity: the user certificate is within notBefore/notAfter now. */
export function checkCertificateValidity(ctx: LoginContext): void {
  const cert = need(ctx, 'certificate');
  if (ctx.at.getTime() < cert.notBefore.getTime()) {
    throw new CertificateExpiredError('CERT_NOT_YET_VALID', `the certificate is valid from ${cert.notBefore.toISOString()}`);
  }
  if (ctx.at.getTime() > cert.notAfter.getTime()) {
    throw new CertificateExpiredError('CERT_EXPIRED', `the certificate expired ${cert.notAfter.toISOString()}`);
  }
}
