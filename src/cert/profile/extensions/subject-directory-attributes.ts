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
    const fields = sequenceOf(attribute, 'subjectDirectoryAttributes Attribute');
    const [type, values] = fields;
    // Exactly the two: values after the SET were signed and never read.
    if (type === undefined || values === undefined || fields.length !== 2) {
      throw new DerError('DER_SHAPE', `subjectDirectoryAttributes Attribute is not (type, values): it has ${fields.length} elements`);
    }
    return {
      oid: oidOf(type, 'subjectDirectoryAttributes attribute type'),
      values: setOf(values, 'subjectDirectoryAttributes attribute values'),
    };
  });
}
