import { generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** An RSA key pair as node:crypto KeyObjects. */
export interface RsaKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/**
 * A fresh RSA-2048 key pair. Never shared between certificates or PKIs:
 * tests for "wrong issuer" and "bad signature" rely on keys being distinct.
 * Generation runs on libuv's thread pool, so callers batch with Promise.all.
 */
export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  return generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
}

/** SubjectPublicKeyInfo DER of a public key. */
export function spkiOf(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

/** Hash names accepted for RSA PKCS#1 v1.5 signing. */
export type SignatureHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * Imports a private KeyObject as a WebCrypto signing key. Node 20 lacks
 * `KeyObject#toCryptoKey`, so the key goes through PKCS#8 DER.
 */
export async function toSigningKey(privateKey: KeyObject, hash: SignatureHash): Promise<webcrypto.CryptoKey> {
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
}
