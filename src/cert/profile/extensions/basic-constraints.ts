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

/**
 * basicConstraints (2.5.29.19): `SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }`.
 * Anything else is refused: read field by field, `{TRUE, FALSE}` was a non-CA and `{TRUE, 0, 5}` a path length
 * of 5, and the chain rules read this same decoding.
 */
export function decodeBasicConstraints(value: Uint8Array): BasicConstraints {
  const fields = sequenceOf(readRoot(value, 'basicConstraints'), 'basicConstraints');
  let at = 0;
  let ca = false;
  let pathLength: number | undefined;
  const first = fields[at];
  if (first !== undefined && universalTag(first) === UniversalTag.boolean) {
    ca = booleanOf(first, 'basicConstraints cA');
    at++;
  }
  const next = fields[at];
  if (next !== undefined && universalTag(next) === UniversalTag.integer) {
    pathLength = smallInteger(next, 'basicConstraints pathLenConstraint');
    at++;
  }
  if (at !== fields.length) {
    throw new DerError('DER_SHAPE', 'basicConstraints is not (cA BOOLEAN, pathLenConstraint INTEGER), each optional and in that order');
  }
  return { ca, pathLength };
}
