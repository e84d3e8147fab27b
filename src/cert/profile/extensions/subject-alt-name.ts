import { readRoot } from '../../../shared/der/der-reader.js';
import { sequenceOf } from '../../../shared/der/der-values.js';
import { collectGeneralNames, type GeneralNameValues } from './general-names.js';

/** subjectAltName (2.5.29.17): e-mail, DNS and URI names. */
export function decodeSubjectAltName(value: Uint8Array): GeneralNameValues {
  return collectGeneralNames(sequenceOf(readRoot(value, 'subjectAltName'), 'subjectAltName'), 'subjectAltName');
}
