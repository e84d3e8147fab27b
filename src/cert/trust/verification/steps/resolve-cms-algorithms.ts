import { digestFromOid, signatureAlgorithmFromOid } from '../../algorithms.js';
import type { CmsSignedData } from '../cms-signed-data.js';
import { AlgorithmNotAllowedError } from '../errors.js';
import type { SignerContext } from '../signer-context.js';

/**
 * Algorithms other software puts in a SignerInfo that twpki recognises but
 * does not verify, by OID, with the reason named in the refusal. RSASSA-PSS
 * is what `openssl cms -sign -keyopt rsa_padding_mode:pss` writes; HiCOS
 * cards and the GRCA hierarchy sign with PKCS#1 v1.5, and twpki verifies
 * only that and ECDSA.
 */
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.10', 'RSASSA-PSS is not supported (twpki verifies RSA PKCS#1 v1.5 and ECDSA signatures)'],
  ['1.2.840.113549.2.5', 'MD5 is not supported (broken)'],
  ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption is not supported (MD5 is broken)'],
  ['1.3.101.112', 'Ed25519 is not supported (twpki verifies RSA PKCS#1 v1.5 and ECDSA signatures)'],
  ['1.3.101.113', 'Ed448 is not supported (twpki verifies RSA PKCS#1 v1.5 and ECDSA signatures)'],
  ['1.2.840.10040.4.3', 'DSA is not supported (twpki verifies RSA PKCS#1 v1.5 and ECDSA signatures)'],
  ['2.16.840.1.101.3.4.3.2', 'DSA is not supported (twpki verifies RSA PKCS#1 v1.5 and ECDSA signatures)'],
  ['2.16.840.1.101.3.4.2.8', 'SHA3-256 is not supported (twpki verifies SHA-1 and SHA-2 digests)'],
  ['2.16.840.1.101.3.4.2.9', 'SHA3-384 is not supported (twpki verifies SHA-1 and SHA-2 digests)'],
  ['2.16.840.1.101.3.4.2.10', 'SHA3-512 is not supported (twpki verifies SHA-1 and SHA-2 digests)'],
]);

function refusal(kind: string, oid: string): AlgorithmNotAllowedError {
  const why = UNSUPPORTED.get(oid);
  return new AlgorithmNotAllowedError(why === undefined ? `unknown CMS ${kind} algorithm ${oid}` : `CMS ${kind} algorithm ${oid}: ${why}`);
}

/**
 * Algorithm, CMS part: the SignerInfo's digest and signature algorithm are
 * ones twpki knows and agree with each other; sets `digest` and `scheme`.
 * One it recognises but does not verify (RSASSA-PSS, MD5, EdDSA, DSA, SHA-3)
 * is refused with the reason.
 */
export function resolveCmsAlgorithms(ctx: SignerContext, cms: CmsSignedData): void {
  const digest = digestFromOid(cms.digestOid);
  if (digest === undefined) throw refusal('digest', cms.digestOid);
  const alg = signatureAlgorithmFromOid(cms.signatureAlgorithmOid);
  if (alg === undefined) throw refusal('signature', cms.signatureAlgorithmOid);
  if (alg.digest !== undefined && alg.digest !== digest) {
    throw new AlgorithmNotAllowedError(`CMS signature algorithm uses ${alg.digest} but the digest algorithm is ${digest}`);
  }
  ctx.digest = digest;
  ctx.scheme = alg.scheme;
}
