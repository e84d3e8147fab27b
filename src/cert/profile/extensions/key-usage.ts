import { DerError } from '../../../shared/der/der-error.js';
import { readRoot } from '../../../shared/der/der-reader.js';
import { bitStringOf } from '../../../shared/der/der-values.js';

/** Key usage bits, in RFC 5280 bit order. */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** keyUsage names in bit order (bit 0 first), as RFC 5280 4.2.1.3 numbers them. */
export const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** keyUsage (2.5.29.15): the set bits, by name. */
export function decodeKeyUsage(value: Uint8Array): KeyUsageName[] {
  const { bytes } = bitStringOf(readRoot(value, 'keyUsage'), 'keyUsage');
  if (bytes.length > 2) throw new DerError('DER_SHAPE', 'keyUsage has more than 9 bits of data');
  return KEY_USAGE_BITS.filter((_, bit) => (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) === 1);
}
