import { createHash } from 'node:crypto';
import { HiCOSError } from '../errors.js';

/** Hash algorithms the SDK signs with. SHA-1 needs `allowSha1: true`. */
export type SignatureHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** DER prefix of DigestInfo { AlgorithmIdentifier, OCTET STRING digest } per RFC 8017 §9.2 note 1. */
const DIGEST_INFO_PREFIX: Readonly<Record<SignatureHash, string>> = {
  sha1: '3021300906052b0e03021a05000414',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

const DIGEST_LENGTH: Readonly<Record<SignatureHash, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** Checks a hash name (and the SHA-1 opt-in) before anything is sent. */
export function checkSignatureHash(hash: string, allowSha1: boolean): SignatureHash {
  if (!(hash in DIGEST_INFO_PREFIX)) {
    throw new HiCOSError('UNSUPPORTED_HASH', `hash "${hash}" is not supported (sha256, sha384, sha512; sha1 by option)`);
  }
  if (hash === 'sha1' && !allowSha1) {
    throw new HiCOSError('UNSUPPORTED_HASH', 'SHA-1 signatures need the explicit allowSha1 option');
  }
  return hash as SignatureHash;
}

/** Hashes `data` with `hash`. */
export function digest(hash: SignatureHash, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(data).digest());
}

/** DER DigestInfo for a digest already computed. */
export function digestInfo(hash: SignatureHash, digestValue: Uint8Array): Uint8Array {
  if (digestValue.length !== DIGEST_LENGTH[hash]) {
    throw new HiCOSError('INVALID_CARD_INPUT', `a ${hash} digest has ${DIGEST_LENGTH[hash]} bytes, got ${digestValue.length}`);
  }
  const prefix = Buffer.from(DIGEST_INFO_PREFIX[hash], 'hex');
  return new Uint8Array(Buffer.concat([prefix, digestValue]));
}
