import { RevocationError } from '../../errors.js';
import { warmRevocationStatus } from '../../revocation/revocation-checker.js';
import type { RevocationStatus } from '../../revocation/revocation-status.js';
import type { TrustedCertificate } from '../../trusted-certificate.js';
import { CertificateRevokedError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/**
 * Revocation: the signer certificate is not revoked. `unknown` and
 * failed checks reject the signature (fail closed); skipping the step takes an
 * explicit `withoutRevocationCheck()` at build time.
 *
 * When the checker's first source answers from memory (a current cached CRL,
 * a cached OCSP `good`), the step finishes without a promise (`undefined`):
 * the same answer `check` would give, judged the same way, without the
 * awaits. Otherwise it returns the promise of the full check.
 */
export function checkRevocation(ctx: SignerContext): Promise<void> | undefined {
  const checker = ctx.settings.revocation;
  if (checker === undefined) return undefined;
  const chain = need(ctx, 'chain');
  const cert = need(ctx, 'certificate');
  const issuer = chain.path[1] as TrustedCertificate | undefined;
  if (issuer === undefined) return undefined; // the certificate is itself an anchor
  // Today's answers, read for the time checked at (a document may be checked at the time it was received).
  const warm = warmRevocationStatus(checker, cert, issuer, ctx.at, ctx.present);
  if (warm !== undefined) {
    judge(ctx, warm);
    return undefined;
  }
  return checker.check(cert, issuer, ctx.at, { now: ctx.present }).then(
    (status) => judge(ctx, status),
    (err: unknown) => {
      if (err instanceof RevocationError) {
        throw new CertificateRevokedError('REVOCATION_CHECK_FAILED', `revocation status unavailable: ${err.message}`, {
          revocationCode: err.code,
          cause: err,
        });
      }
      throw err;
    },
  );
}

function judge(ctx: SignerContext, status: RevocationStatus): void {
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
