import { readRoot } from '../../../shared/der/der-reader.js';
import { oidOf, sequenceOf } from '../../../shared/der/der-values.js';

/** extKeyUsage (2.5.29.37): the purpose OIDs. */
export function decodeExtendedKeyUsage(value: Uint8Array): string[] {
  return sequenceOf(readRoot(value, 'extKeyUsage'), 'extKeyUsage').map((n) => oidOf(n, 'extKeyUsage purpose'));
}
