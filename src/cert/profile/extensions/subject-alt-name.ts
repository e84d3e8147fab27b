import { parseAsn1, sequenceOf } from '../der-reader.js';
import { collectGeneralNames, type GeneralNameValues } from './general-names.js';

/** subjectAltName (2.5.29.17): e-mail, DNS and URI names. */
export function decodeSubjectAltName(value: Uint8Array): GeneralNameValues {
  return collectGeneralNames(sequenceOf(parseAsn1(value, 'subjectAltName'), 'subjectAltName'), 'subjectAltName');
}
