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
  const { unusedBits, bytes } = bitStringOf(readRoot(value, 'keyUsage'), 'keyUsage');
  if (bytes.length > 2) throw new DerError('DER_SHAPE', 'keyUsage has more than 9 bits of data');
  // The trailing unused (padding) bits are not key usages even when an encoder left them set: 0x81 with 7 unused
  // bits is digitalSignature alone (as OpenSSL reads it), not digitalSignature and encipherOnly.
  const used = bytes.length * 8 - unusedBits;
  return KEY_USAGE_BITS.filter((_, bit) => bit < used && (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) === 1);
}
