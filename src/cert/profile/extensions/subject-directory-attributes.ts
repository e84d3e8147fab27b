import { DerError } from '../../../shared/der/der-error.js';
import { type DerNode, readRoot } from '../../../shared/der/der-reader.js';
import { oidOf, sequenceOf, setOf } from '../../../shared/der/der-values.js';

/** One attribute of subjectDirectoryAttributes, values still encoded. */
export interface DirectoryAttribute {
  readonly oid: string;
  readonly values: readonly DerNode[];
}

/** subjectDirectoryAttributes (2.5.29.9): the attributes, undecoded values. */
export function decodeSubjectDirectoryAttributes(value: Uint8Array): DirectoryAttribute[] {
  return sequenceOf(readRoot(value, 'subjectDirectoryAttributes'), 'subjectDirectoryAttributes').map((attribute) => {
    const [type, values] = sequenceOf(attribute, 'subjectDirectoryAttributes Attribute');
    if (type === undefined || values === undefined) {
      throw new DerError('DER_SHAPE', 'subjectDirectoryAttributes Attribute lacks a type or values');
    }
    return {
      oid: oidOf(type, 'subjectDirectoryAttributes attribute type'),
      values: setOf(values, 'subjectDirectoryAttributes attribute values'),
    };
  });
}
