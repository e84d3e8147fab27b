import { sign, type KeyObject } from 'node:crypto';
import { bitString, NULL, objectIdentifier, sequence } from '../der/der-writer.js';

/** Digests the local responder and CRL builder sign with. */
export type TestSignatureHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const RSA_OIDS: Record<TestSignatureHash, string> = {
  'SHA-1': '1.2.840.113549.1.1.5',
  'SHA-256': '1.2.840.113549.1.1.11',
  'SHA-384': '1.2.840.113549.1.1.12',
  'SHA-512': '1.2.840.113549.1.1.13',
};

const ECDSA_OIDS: Record<TestSignatureHash, string> = {
  'SHA-1': '1.2.840.10045.4.1',
  'SHA-256': '1.2.840.10045.4.3.2',
  'SHA-384': '1.2.840.10045.4.3.3',
  'SHA-512': '1.2.840.10045.4.3.4',
};

/** AlgorithmIdentifier and signature BIT STRING for `tbs` signed by `key`. */
export function signTbs(
  tbs: Uint8Array,
  key: KeyObject,
  hash: TestSignatureHash,
  corrupt = false,
): { algorithm: Uint8Array; signature: Uint8Array } {
  const ec = key.asymmetricKeyType === 'ec';
  const algorithm = ec ? sequence(objectIdentifier(ECDSA_OIDS[hash])) : sequence(objectIdentifier(RSA_OIDS[hash]), NULL);
  const value = new Uint8Array(sign(hash.replace('-', '').toLowerCase(), tbs, key));
  // Flipping a bit in the middle keeps the encoding valid but breaks the signature.
  if (corrupt) value[value.length >> 1] = (value[value.length >> 1] ?? 0) ^ 0x01;
  return { algorithm, signature: bitString(value) };
}
