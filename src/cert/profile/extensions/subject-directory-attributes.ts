import { type Asn1Node, Asn1ShapeError, oidOf, parseAsn1, sequenceOf, setOf } from '../der-reader.js';

/** One attribute of subjectDirectoryAttributes, values still encoded. */
export interface DirectoryAttribute {
  readonly oid: string;
  readonly values: readonly Asn1Node[];
}

/** subjectDirectoryAttributes (2.5.29.9): the attributes, undecoded values. */
export function decodeSubjectDirectoryAttributes(value: Uint8Array): DirectoryAttribute[] {
  return sequenceOf(parseAsn1(value, 'subjectDirectoryAttributes'), 'subjectDirectoryAttributes').map((attribute) => {
    const [type, values] = sequenceOf(attribute, 'subjectDirectoryAttributes Attribute');
    if (type === undefined || values === undefined) {
      throw new Asn1ShapeError('subjectDirectoryAttributes Attribute lacks a type or values');
    }
    return {
      oid: oidOf(type, 'subjectDirectoryAttributes attribute type'),
      values: setOf(values, 'subjectDirectoryAttributes attribute values'),
    };
  });
}
