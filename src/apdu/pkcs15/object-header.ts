import type * as asn1js from 'asn1js';
import { Pkcs15ShapeError, children, contentBytes, hasTag, Tag, utf8Text } from './asn1-reader.js';

/** What every PKCS#15 directory object starts with. */
export interface ObjectHeader {
  /** CommonObjectAttributes label, empty when absent. */
  readonly label: string;
  /** The iD that ties a key to its certificate (`SIGN`, `KEYX`). */
  readonly id: Uint8Array;
  /** The elements of the class attributes (CommonCertificateAttributes, CommonKeyAttributes), iD first. */
  readonly classAttributes: asn1js.AsnType[];
}

/**
 * Reads the label and iD of a CDF or PrKDF object: SEQUENCE { CommonObjectAttributes,
 * Common…Attributes { iD, … }, … }.
 * @param kind what the object is, for error messages (`certificate`, `key`)
 */
export function readObjectHeader(top: readonly asn1js.AsnType[], classAttributesName: string, kind: string): ObjectHeader {
  const common = children(top[0], 'CommonObjectAttributes');
  const label = hasTag(common[0], 1, Tag.UTF8_STRING) ? utf8Text(common[0], 'label') : '';
  const classAttributes = children(top[1], classAttributesName);
  if (!hasTag(classAttributes[0], 1, Tag.OCTET_STRING)) throw new Pkcs15ShapeError(`${kind} iD missing`);
  return { label, id: contentBytes(classAttributes[0], 'iD'), classAttributes };
}
