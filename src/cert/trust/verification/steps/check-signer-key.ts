import { AlgorithmNotAllowedError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/**
 * Algorithm, shared part: the digest is on the allow-list and the signer key
 * fits the scheme (RSA of at least `minRsaBits`, or EC P-256/P-384).
 * Each verifier first resolves `scheme` and `digest` from its input.
 */
export function checkSignerKey(ctx: SignerContext): void {
  const { settings } = ctx;
  const digest = need(ctx, 'digest');
  if (!settings.digests.allows(digest)) {
    throw new AlgorithmNotAllowedError(`${digest} is not allowed (allowed: ${settings.digests.list().join(', ')})`);
  }
  let key;
  try {
    key = need(ctx, 'certificate').publicKey();
  } catch {
    throw new AlgorithmNotAllowedError('the certificate key is of an unsupported type');
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (need(ctx, 'scheme') === 'RSA-PKCS1-v1_5') {
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
