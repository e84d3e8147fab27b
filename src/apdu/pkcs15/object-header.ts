import { DerError } from '../../shared/der/der-error.js';
import type { DerNode } from '../../shared/der/der-reader.js';
import { children, contentCopy, isUniversal, UniversalTag, utf8Text } from './record-elements.js';

/** What every PKCS#15 directory object starts with. */
export interface ObjectHeader {
  /** CommonObjectAttributes label, empty when absent. */
  readonly label: string;
  /** The iD that ties a key to its certificate (`SIGN`, `KEYX`). */
  readonly id: Uint8Array;
  /** The elements of the class attributes (CommonCertificateAttributes, CommonKeyAttributes), iD first. */
  readonly classAttributes: DerNode[];
}

/**
 * Reads the label and iD of a CDF or PrKDF object: SEQUENCE { CommonObjectAttributes,
 * Common…Attributes { iD, … }, … }.
 * @param kind what the object is, for error messages (`certificate`, `key`)
 */
export function readObjectHeader(top: readonly DerNode[], classAttributesName: string, kind: string): ObjectHeader {
  const common = children(top[0], 'CommonObjectAttributes');
  const label = isUniversal(common[0], UniversalTag.utf8String) ? utf8Text(common[0], 'label') : '';
  const classAttributes = children(top[1], classAttributesName);
  if (!isUniversal(classAttributes[0], UniversalTag.octetString)) throw new DerError('DER_SHAPE', `${kind} iD missing`);
  return { label, id: contentCopy(classAttributes[0], 'iD'), classAttributes };
}
