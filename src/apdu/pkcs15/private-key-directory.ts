import { DerError } from '../../shared/der/der-error.js';
import { children, contentCopy, isContext, isUniversal, parseRecord, smallNumber, UniversalTag } from './record-elements.js';
import { readObjectHeader } from './object-header.js';

/** One private RSA key object of the PrKDF (`4100`). */
export interface PrivateKeyDirectoryEntry {
  /** Object label, empty when absent. */
  readonly label: string;
  /** Object iD; matches the certificate's iD (`SIGN`, `KEYX`). */
  readonly id: Uint8Array;
  /** Key reference for EA (P2), e.g. `01`, `05`, `11`. */
  readonly keyRef: number;
  /** Modulus length in bits (HiCOS: 2048). */
  readonly modulusBits: number;
  /** KeyUsageFlags bit string content (first bit = encrypt), as raw bytes. */
  readonly usage: Uint8Array;
}

/**
 * Parses one PrKDF record: PKCS#15 `privateRSAKey` object =
 * SEQUENCE { CommonObjectAttributes, CommonKeyAttributes { iD, usage, …, keyReference }, [0]?, [1] { SEQUENCE { Path, modulusLength } } }.
 * @throws DerError when the record does not have this shape
 */
export function parsePrivateKeyRecord(record: Uint8Array): PrivateKeyDirectoryEntry {
  const top = children(parseRecord(record, 'private key object'), 'private key object');
  const { label, id, classAttributes: keyAttrs } = readObjectHeader(top, 'CommonKeyAttributes', 'key');
  const usage = isUniversal(keyAttrs[1], UniversalTag.bitString) ? contentCopy(keyAttrs[1], 'usage') : new Uint8Array(0);
  const refNode = keyAttrs.find((n) => isUniversal(n, UniversalTag.integer));
  if (!refNode) throw new DerError('DER_SHAPE', 'keyReference missing');
  const keyRef = smallNumber(refNode, 'keyReference');
  if (keyRef > 0xff) throw new DerError('DER_SHAPE', 'keyReference does not fit in P2');
  const typed = top.find((n) => isContext(n, 1));
  const rsaAttrs = children(children(typed, 'typeAttributes')[0], 'PrivateRSAKeyAttributes');
  const modulusNode = rsaAttrs.find((n) => isUniversal(n, UniversalTag.integer));
  if (!modulusNode) throw new DerError('DER_SHAPE', 'modulusLength missing');
  return { label, id, keyRef, modulusBits: smallNumber(modulusNode, 'modulusLength'), usage };
}
