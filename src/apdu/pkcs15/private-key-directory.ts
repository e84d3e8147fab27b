import { Pkcs15ShapeError, children, contentBytes, hasTag, parseAsn1, smallInteger, Tag } from './asn1-reader.js';
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
 * @throws Pkcs15ShapeError when the record does not have this shape
 */
export function parsePrivateKeyRecord(record: Uint8Array): PrivateKeyDirectoryEntry {
  const top = children(parseAsn1(record), 'private key object');
  const { label, id, classAttributes: keyAttrs } = readObjectHeader(top, 'CommonKeyAttributes', 'key');
  const usage = hasTag(keyAttrs[1], 1, Tag.BIT_STRING) ? contentBytes(keyAttrs[1], 'usage') : new Uint8Array(0);
  const refNode = keyAttrs.find((n) => hasTag(n, 1, Tag.INTEGER));
  if (!refNode) throw new Pkcs15ShapeError('keyReference missing');
  const keyRef = smallInteger(refNode, 'keyReference');
  if (keyRef > 0xff) throw new Pkcs15ShapeError('keyReference does not fit in P2');
  const typed = top.find((n) => hasTag(n, 3, 1));
  const rsaAttrs = children(children(typed, 'typeAttributes')[0], 'PrivateRSAKeyAttributes');
  const modulusNode = rsaAttrs.find((n) => hasTag(n, 1, Tag.INTEGER));
  if (!modulusNode) throw new Pkcs15ShapeError('modulusLength missing');
  return { label, id, keyRef, modulusBits: smallInteger(modulusNode, 'modulusLength'), usage };
}
