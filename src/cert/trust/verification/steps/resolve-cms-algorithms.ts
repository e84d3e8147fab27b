import { digestFromOid, signatureAlgorithmFromOid } from '../../algorithms.js';
import type { CmsSignedData } from '../cms-signed-data.js';
import { AlgorithmNotAllowedError } from '../errors.js';
import type { SignerContext } from '../signer-context.js';

/**
 * Algorithm, CMS part: the SignerInfo's digest and signature algorithm are
 * ones twpki knows and agree with each other; sets `digest` and `scheme`.
 */
export function resolveCmsAlgorithms(ctx: SignerContext, cms: CmsSignedData): void {
  const digest = digestFromOid(cms.digestOid);
  if (digest === undefined) throw new AlgorithmNotAllowedError(`unknown CMS digest algorithm ${cms.digestOid}`);
  const alg = signatureAlgorithmFromOid(cms.signatureAlgorithmOid);
  if (alg === undefined) throw new AlgorithmNotAllowedError(`unknown CMS signature algorithm ${cms.signatureAlgorithmOid}`);
  if (alg.digest !== undefined && alg.digest !== digest) {
    throw new AlgorithmNotAllowedError(`CMS signature algorithm uses ${alg.digest} but the digest algorithm is ${digest}`);
  }
  ctx.digest = digest;
  ctx.scheme = alg.scheme;
}
