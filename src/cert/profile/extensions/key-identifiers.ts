import { DerError } from '../../../shared/der/der-error.js';
import { contextTag, isConstructed, readRoot } from '../../../shared/der/der-reader.js';
import { contentBytes, octetStringOf, sequenceOf } from '../../../shared/der/der-values.js';
import { toHex } from '../../../shared/bytes.js';

/** subjectKeyIdentifier (2.5.29.14) as upper-case hex. */
export function decodeSubjectKeyIdentifier(value: Uint8Array): string {
  return toHex(octetStringOf(readRoot(value, 'subjectKeyIdentifier'), 'subjectKeyIdentifier')).toUpperCase();
}

/** The fields of AuthorityKeyIdentifier by context tag, and whether each is constructed. */
const AKI_FIELDS: ReadonlyMap<number, { readonly name: string; readonly constructed: boolean }> = new Map([
  [0, { name: 'keyIdentifier', constructed: false }],
  [1, { name: 'authorityCertIssuer', constructed: true }],
  [2, { name: 'authorityCertSerialNumber', constructed: false }],
]);

/**
 * authorityKeyIdentifier (2.5.29.35): the keyIdentifier [0] as upper-case hex, if present. The SEQUENCE holds
 * [0], [1] and [2], each optional, once, in that order; anything else is refused. Before, an element of another
 * tag was skipped, so a keyIdentifier written as a universal OCTET STRING read as no key identifier, and of two
 * [0] the first was used. Certificates (issuer match, generation) and CRLs read it here.
 */
export function decodeAuthorityKeyIdentifier(value: Uint8Array): string | undefined {
  let keyId: string | undefined;
  let last = -1;
  for (const field of sequenceOf(readRoot(value, 'authorityKeyIdentifier'), 'authorityKeyIdentifier')) {
    const tag = contextTag(field) ?? -1;
    const expected = AKI_FIELDS.get(tag);
    if (expected === undefined || tag <= last) {
      throw new DerError('DER_SHAPE', 'authorityKeyIdentifier is not ([0] keyIdentifier, [1] authorityCertIssuer, [2] authorityCertSerialNumber), each optional and in that order');
    }
    last = tag;
    if (isConstructed(field) !== expected.constructed) {
      throw new DerError('DER_SHAPE', `authorityKeyIdentifier ${expected.name} [${tag}] is ${expected.constructed ? 'not constructed' : 'constructed'}`);
    }
    if (tag === 0) keyId = toHex(contentBytes(field, 'authorityKeyIdentifier keyIdentifier')).toUpperCase();
  }
  return keyId;
}
