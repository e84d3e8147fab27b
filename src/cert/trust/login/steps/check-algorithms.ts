import type { DigestName } from '../../algorithms.js';
import { AlgorithmNotAllowedError } from '../../verification/errors.js';
import { checkSignerKey } from '../../verification/steps/check-signer-key.js';
import { resolveCmsAlgorithms } from '../../verification/steps/resolve-cms-algorithms.js';
import { need, type LoginContext } from './login-context.js';

const PKCS1_DIGESTS: Record<string, DigestName> = {
  SHA1: 'SHA-1',
  SHA256: 'SHA-256',
  SHA384: 'SHA-384',
  SHA512: 'SHA-512',
};

/**
 * Step 2, algorithm allow-list: the digest (from `hashAlgorithm` for PKCS1,
 * the SignerInfo for CMS), the signature scheme and the key (shared with the
 * signed-document verifier), and for CMS the shape (no signed attributes
 * only for legacy data, by option).
 */
export function checkAlgorithms(ctx: LoginContext): void {
  const token = need(ctx, 'token');
  if (token.token.signatureType === 'PKCS1') {
    ctx.digest = PKCS1_DIGESTS[token.token.hashAlgorithm ?? 'SHA256'] as DigestName;
    ctx.scheme = 'RSA-PKCS1-v1_5';
  } else {
    const cms = need(ctx, 'cms');
    resolveCmsAlgorithms(ctx, cms);
    if (cms.signedAttributesDer === undefined && !ctx.settings.allowLegacyCms) {
      throw new AlgorithmNotAllowedError('CMS without signed attributes is accepted only with allowLegacyCms()');
    }
  }
  checkSignerKey(ctx);
}
