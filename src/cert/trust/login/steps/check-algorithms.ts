import { digestFromOid, signatureAlgorithmFromOid, type DigestName } from '../../algorithms.js';
import { AlgorithmNotAllowedError } from '../errors.js';
import { need, type LoginContext } from './login-context.js';

const PKCS1_DIGESTS: Record<string, DigestName> = {
  SHA1: 'SHA-1',
  SHA256: 'SHA-256',
  SHA384: 'SHA-384',
  SHA512: 'SHA-512',
};

/**
 * Step 2, algorithm allow-list: the digest, the signature scheme, the key
 * (RSA of at least `minRsaBits`, or EC P-256/P-384), and for CMS the shape
 * (no signed attributes only for legacy data, by option).
 */
export function checkAlgorithms(ctx: LoginContext): void {
  const { settings } = ctx;
  const token = need(ctx, 'token');
  const cert = need(ctx, 'certificate');
  let digest: DigestName;
  if (token.token.signatureType === 'PKCS1') {
    digest = PKCS1_DIGESTS[token.token.hashAlgorithm ?? 'SHA256'] as DigestName;
    ctx.scheme = 'RSA-PKCS1-v1_5';
  } else {
    const cms = need(ctx, 'cms');
    const d = digestFromOid(cms.digestOid);
    if (d === undefined) throw new AlgorithmNotAllowedError(`unknown CMS digest algorithm ${cms.digestOid}`);
    digest = d;
    const alg = signatureAlgorithmFromOid(cms.signatureAlgorithmOid);
    if (alg === undefined) throw new AlgorithmNotAllowedError(`unknown CMS signature algorithm ${cms.signatureAlgorithmOid}`);
    if (alg.digest !== undefined && alg.digest !== d) {
      throw new AlgorithmNotAllowedError(`CMS signature algorithm uses ${alg.digest} but the digest algorithm is ${d}`);
    }
    ctx.scheme = alg.scheme;
    if (cms.signedAttributesDer === undefined && !settings.allowLegacyCms) {
      throw new AlgorithmNotAllowedError('CMS without signed attributes is accepted only with allowLegacyCms()');
    }
  }
  if (!settings.digests.allows(digest)) {
    throw new AlgorithmNotAllowedError(`${digest} is not allowed (allowed: ${settings.digests.list().join(', ')})`);
  }
  ctx.digest = digest;

  let key;
  try {
    key = cert.publicKey();
  } catch {
    throw new AlgorithmNotAllowedError('the certificate key is of an unsupported type');
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (ctx.scheme === 'RSA-PKCS1-v1_5') {
    if (key.asymmetricKeyType !== 'rsa') throw new AlgorithmNotAllowedError(`an RSA signature needs an RSA key, not ${key.asymmetricKeyType}`);
    const bits = details.modulusLength ?? 0;
    if (bits < settings.minRsaBits) throw new AlgorithmNotAllowedError(`RSA-${bits} is below the minimum of ${settings.minRsaBits} bits`);
  } else {
    const curve = details.namedCurve;
    if (key.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'secp384r1')) {
      throw new AlgorithmNotAllowedError(`ECDSA needs a P-256 or P-384 key`);
    }
  }
}
