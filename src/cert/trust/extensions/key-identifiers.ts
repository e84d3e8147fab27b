import { contentBytes, expectTag, readChildren, readRoot } from '../der/der-reader.js';

/** subjectKeyIdentifier (2.5.29.14): the key id, lower-case hex. */
export function decodeSubjectKeyId(value: Uint8Array): string {
  return Buffer.from(contentBytes(value, expectTag(readRoot(value), 0x04, 'subjectKeyIdentifier'))).toString('hex');
}

/** authorityKeyIdentifier (2.5.29.35): the keyIdentifier, lower-case hex, when present. */
export function decodeAuthorityKeyId(value: Uint8Array): string | undefined {
  const keyId = readChildren(value, expectTag(readRoot(value), 0x30, 'authorityKeyIdentifier')).find((c) => c.tag === 0x80);
  return keyId === undefined ? undefined : Buffer.from(contentBytes(value, keyId)).toString('hex');
}
