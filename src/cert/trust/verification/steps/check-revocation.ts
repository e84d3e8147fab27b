import { RevocationError } from '../../errors.js';
import { warmRevocationStatus, type RevocationChecker } from '../../revocation/revocation-checker.js';
import type { RevocationStatus } from '../../revocation/revocation-status.js';
import type { TrustedCertificate } from '../../trusted-certificate.js';
import { CertificateRevokedError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/**
 * Revocation: the signer certificate is not revoked — and, when the checker
 * was built with `checkIssuingCas`, neither is any CA certificate of the
 * validated path below its trust anchor (each against its own issuer).
 * `unknown` and failed checks reject the signature (fail closed); skipping
 * the step takes an explicit `withoutRevocationCheck()` at build time.
 *
 * When the checker's first source answers every certificate from memory (a
 * current cached CRL, a cached OCSP `good`), the step finishes without a
 * promise (`undefined`): the same answers `check` would give, judged the
 * same way, without the awaits. Otherwise it returns the promise of the
 * full checks.
 */
export function checkRevocation(ctx: SignerContext): Promise<void> | undefined {
  const checker = ctx.settings.revocation;
  if (checker === undefined) return undefined;
  const chain = need(ctx, 'chain');
  const cert = need(ctx, 'certificate');
  const path = chain.path as readonly TrustedCertificate[];
  if (path.length < 2) return undefined; // the certificate is itself an anchor
  // Signer first; then, by option, each CA below the anchor (the anchor is trusted by configuration).
  const checked = checker.checksIssuingCas ? path.length - 1 : 1;
  if (checked === 1) {
    // The signer alone (the default): the same answer and judgement as below, without the lists.
    const warm = warmRevocationStatus(checker, cert, path[1] as TrustedCertificate, ctx.at, ctx.present, false);
    if (warm === undefined) return checkAll(ctx, checker, cert, path, [undefined]);
    judge(ctx, warm, undefined);
    return undefined;
  }
  const statuses: (RevocationStatus | undefined)[] = [];
  let cold = false;
  for (let i = 0; i < checked; i++) {
    // Today's answers, read for the time checked at (a document may be checked at the time it was received).
    // The signer by the checker's settings; an issuing CA by its own CRLs (checkIssuingCa).
    const subject = i === 0 ? cert : (path[i] as TrustedCertificate);
    const warm = warmRevocationStatus(checker, subject, path[i + 1] as TrustedCertificate, ctx.at, ctx.present, i > 0);
    statuses.push(warm);
    if (warm === undefined) cold = true;
  }
  if (!cold) {
    statuses.forEach((status, i) => judge(ctx, status as RevocationStatus, i === 0 ? undefined : (path[i] as TrustedCertificate)));
    return undefined;
  }
  return checkAll(ctx, checker, cert, path, statuses);
}

/** Checks, in path order, each certificate not answered from memory, and judges all. */
async function checkAll(
  ctx: SignerContext,
  checker: RevocationChecker,
  cert: TrustedCertificate,
  path: readonly TrustedCertificate[],
  warm: readonly (RevocationStatus | undefined)[],
): Promise<void> {
  for (let i = 0; i < warm.length; i++) {
    const subject = i === 0 ? cert : (path[i] as TrustedCertificate);
    let status = warm[i];
    if (status === undefined) {
      try {
        const issuer = path[i + 1] as TrustedCertificate;
        status =
          i === 0
            ? await checker.check(subject, issuer, ctx.at, { now: ctx.present })
            : await checker.checkIssuingCa(subject, issuer, ctx.at, { now: ctx.present });
      } catch (err) {
        if (!(err instanceof RevocationError)) throw err;
        const what = i === 0 ? '' : ` of the issuing CA ${subject.subject()}`;
        throw new CertificateRevokedError('REVOCATION_CHECK_FAILED', `revocation status${what} unavailable: ${err.message}`, {
          revocationCode: err.code,
          cause: err,
        });
      }
    }
    judge(ctx, status, i === 0 ? undefined : subject);
  }
}

/** Judges one answer; `ca` is the issuing CA it is about, undefined for the signer (whose answer the context keeps). */
function judge(ctx: SignerContext, status: RevocationStatus, ca: TrustedCertificate | undefined): void {
  if (ca === undefined) ctx.revocationStatus = status;
  if (status.kind === 'good') return;
  // Named only for a refusal: rendering a CA's name on every good answer would be work on the login path.
  const whose = ca === undefined ? 'the certificate' : `the issuing CA ${ca.subject()}`;
  if (status.kind === 'revoked') {
    // certificateHold is MOICA's 停用: the holder can resume it (復用), unlike a revocation (廢止).
    const what =
      status.reason === 'certificateHold'
        ? `${whose} is suspended (certificateHold, 停用) since ${status.revokedAt.toISOString()}`
        : `${whose} was revoked ${status.revokedAt.toISOString()}${status.reason === undefined ? '' : ` (${status.reason})`}`;
    // CERT_SUSPENDED tells the holder to resume their card (復用): only for the signer's own certificate. A CA on
    // hold is nothing the holder can act on, and reads as a revocation of the path (the message says which).
    const code = status.reason === 'certificateHold' && ca === undefined ? 'CERT_SUSPENDED' : 'CERT_REVOKED';
    throw new CertificateRevokedError(code, what, {
      revokedAt: status.revokedAt,
      ...(status.reason === undefined ? {} : { reason: status.reason }),
    });
  }
  if (status.kind === 'unknown') {
    throw new CertificateRevokedError('REVOCATION_UNKNOWN', `the ${status.source} source does not know ${whose}`);
  }
}
