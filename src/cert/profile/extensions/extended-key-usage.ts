import { oidOf, parseAsn1, sequenceOf } from '../der-reader.js';

/** extKeyUsage (2.5.29.37): the purpose OIDs. */
export function decodeExtendedKeyUsage(value: Uint8Array): string[] {
  return sequenceOf(parseAsn1(value, 'extKeyUsage'), 'extKeyUsage').map((n) => oidOf(n, 'extKeyUsage purpose'));
}
