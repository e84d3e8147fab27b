import { RevocationError } from '../../errors.js';
import type { TrustedCertificate } from '../../trusted-certificate.js';
import { CertificateRevokedError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/**
 * Revocation: the signer certificate is not revoked. `unknown` and
 * failed checks reject the signature (fail closed); skipping the step takes an
 * explicit `withoutRevocationCheck()` at build time.
 */
export async function checkRevocation(ctx: SignerContext): Promise<void> {
  const checker = ctx.settings.revocation;
  if (checker === undefined) return;
  const chain = need(ctx, 'chain');
  const cert = need(ctx, 'certificate');
  const issuer = chain.path[1] as TrustedCertificate | undefined;
  if (issuer === undefined) return; // the certificate is itself an anchor
  let status;
  try {
    status = await checker.check(cert, issuer, ctx.at);
  } catch (err) {
    if (err instanceof RevocationError) {
      throw new CertificateRevokedError('REVOCATION_CHECK_FAILED', `revocation status unavailable: ${err.message}`, {
        revocationCode: err.code,
        cause: err,
      });
    }
    throw err;
  }
  ctx.revocationStatus = status;
  if (status.kind === 'revoked') {
    throw new CertificateRevokedError('CERT_REVOKED', `the certificate was revoked ${status.revokedAt.toISOString()}`, {
      revokedAt: status.revokedAt,
      ...(status.reason === undefined ? {} : { reason: status.reason }),
    });
  }
  if (status.kind === 'unknown') {
    throw new CertificateRevokedError('REVOCATION_UNKNOWN', `the ${status.source} source does not know the certificate`);
  }
}
