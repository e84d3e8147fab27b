import { DerError } from '../../../shared/der/der-error.js';
import { readRoot, universalTag, UniversalTag } from '../../../shared/der/der-reader.js';
import { booleanOf, sequenceOf, smallInteger } from '../../../shared/der/der-values.js';

/** basicConstraints content. */
export interface BasicConstraints {
  /** cA flag. */
  readonly ca: boolean;
  /** pathLenConstraint, when present. */
  readonly pathLength: number | undefined;
}

/** basicConstraints (2.5.29.19). */
export function decodeBasicConstraints(value: Uint8Array): BasicConstraints {
  const fields = sequenceOf(readRoot(value, 'basicConstraints'), 'basicConstraints');
  let ca = false;
  let pathLength: number | undefined;
  for (const field of fields) {
    const tag = universalTag(field);
    if (tag === UniversalTag.boolean) ca = booleanOf(field, 'basicConstraints cA');
    else if (tag === UniversalTag.integer) pathLength = smallInteger(field, 'basicConstraints pathLenConstraint');
    else throw new DerError('DER_SHAPE', 'basicConstraints has an unexpected field');
  }
  return { ca, pathLength };
}
