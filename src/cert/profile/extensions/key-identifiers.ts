import { contentBytes, contextTag, octetStringOf, parseAsn1, sequenceOf } from '../der-reader.js';
import { toHex } from '../../../shared/bytes.js';

/** subjectKeyIdentifier (2.5.29.14) as upper-case hex. */
export function decodeSubjectKeyIdentifier(value: Uint8Array): string {
  return toHex(octetStringOf(parseAsn1(value, 'subjectKeyIdentifier'), 'subjectKeyIdentifier')).toUpperCase();
}

/** authorityKeyIdentifier (2.5.29.35): the keyIdentifier [0] as upper-case hex, if present. */
export function decodeAuthorityKeyIdentifier(value: Uint8Array): string | undefined {
  for (const field of sequenceOf(parseAsn1(value, 'authorityKeyIdentifier'), 'authorityKeyIdentifier')) {
    if (contextTag(field) === 0) return toHex(contentBytes(field, 'authorityKeyIdentifier keyIdentifier')).toUpperCase();
  }
  return undefined;
}
