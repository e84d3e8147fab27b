import { contextTag, readRoot } from '../../../shared/der/der-reader.js';
import { contentBytes, octetStringOf, sequenceOf } from '../../../shared/der/der-values.js';
import { toHex } from '../../../shared/bytes.js';

/** subjectKeyIdentifier (2.5.29.14) as upper-case hex. */
export function decodeSubjectKeyIdentifier(value: Uint8Array): string {
  return toHex(octetStringOf(readRoot(value, 'subjectKeyIdentifier'), 'subjectKeyIdentifier')).toUpperCase();
}

/** authorityKeyIdentifier (2.5.29.35): the keyIdentifier [0] as upper-case hex, if present. */
export function decodeAuthorityKeyIdentifier(value: Uint8Array): string | undefined {
  for (const field of sequenceOf(readRoot(value, 'authorityKeyIdentifier'), 'authorityKeyIdentifier')) {
    if (contextTag(field) === 0) return toHex(contentBytes(field, 'authorityKeyIdentifier keyIdentifier')).toUpperCase();
  }
  return undefined;
}
