import { DerError } from '../../shared/der/der-error.js';
import { type DerNode, readRoot, universalTag, UniversalTag } from '../../shared/der/der-reader.js';
import { bitStringOf, integerBytes, oidOf, sequenceOf } from '../../shared/der/der-values.js';

/** The subject's public key, summarised. */
export interface PublicKeyInfo {
  /** `RSA`, `EC`, `Ed25519`, or `other`. */
  readonly algorithm: 'RSA' | 'EC' | 'Ed25519' | 'other';
  /** The algorithm OID. */
  readonly algorithmOid: string;
  /** RSA modulus size or EC field size in bits, when known. */
  readonly bits: number | undefined;
  /** EC named curve OID. */
  readonly curveOid: string | undefined;
}

const CURVE_BITS: ReadonlyMap<string, number> = new Map([
  ['1.2.840.10045.3.1.7', 256],
  ['1.3.132.0.34', 384],
  ['1.3.132.0.35', 521],
]);

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const lead = bytes[i];
  if (lead === undefined) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(lead));
}

/** Reads SubjectPublicKeyInfo far enough to name the key type and size. */
export function readPublicKeyInfo(node: DerNode): PublicKeyInfo {
  const [algorithm, key] = sequenceOf(node, 'subjectPublicKeyInfo');
  if (algorithm === undefined || key === undefined) throw new DerError('DER_SHAPE', 'subjectPublicKeyInfo is incomplete');
  const [oidNode, params] = sequenceOf(algorithm, 'subjectPublicKeyInfo algorithm');
  if (oidNode === undefined) throw new DerError('DER_SHAPE', 'subjectPublicKeyInfo algorithm is empty');
  const algorithmOid = oidOf(oidNode, 'subjectPublicKeyInfo algorithm');
  const { bytes } = bitStringOf(key, 'subjectPublicKey');
  if (algorithmOid === '1.2.840.113549.1.1.1') {
    const [modulus] = sequenceOf(readRoot(bytes, 'RSA public key'), 'RSA public key');
    if (modulus === undefined) throw new DerError('DER_SHAPE', 'RSA public key has no modulus');
    return { algorithm: 'RSA', algorithmOid, bits: bitLength(integerBytes(modulus, 'RSA modulus')), curveOid: undefined };
  }
  if (algorithmOid === '1.2.840.10045.2.1') {
    const curveOid = params !== undefined && universalTag(params) === UniversalTag.oid ? oidOf(params, 'EC curve') : undefined;
    return { algorithm: 'EC', algorithmOid, bits: curveOid === undefined ? undefined : CURVE_BITS.get(curveOid), curveOid };
  }
  if (algorithmOid === '1.3.101.112') return { algorithm: 'Ed25519', algorithmOid, bits: 256, curveOid: undefined };
  return { algorithm: 'other', algorithmOid, bits: undefined, curveOid: undefined };
}
