import { Asn1ShapeError, booleanOf, parseAsn1, sequenceOf, smallInteger, universalTag, UniversalTag } from '../der-reader.js';

/** basicConstraints content. */
export interface BasicConstraints {
  /** cA flag. */
  readonly ca: boolean;
  /** pathLenConstraint, when present. */
  readonly pathLength: number | undefined;
}

/** basicConstraints (2.5.29.19). */
export function decodeBasicConstraints(value: Uint8Array): BasicConstraints {
  const fields = sequenceOf(parseAsn1(value, 'basicConstraints'), 'basicConstraints');
  let ca = false;
  let pathLength: number | undefined;
  for (const field of fields) {
    const tag = universalTag(field);
    if (tag === UniversalTag.boolean) ca = booleanOf(field, 'basicConstraints cA');
    else if (tag === UniversalTag.integer) pathLength = smallInteger(field, 'basicConstraints pathLenConstraint');
    else throw new Asn1ShapeError('basicConstraints has an unexpected field');
  }
  return { ca, pathLength };
}
