import { contentBytes, decodeOid, expectTag, readChildren, readRoot } from '../der/der-reader.js';

/** extKeyUsage (2.5.29.37): the purpose OIDs. */
export function decodeExtendedKeyUsage(value: Uint8Array): string[] {
  return readChildren(value, expectTag(readRoot(value), 0x30, 'extKeyUsage')).map((c) =>
    decodeOid(contentBytes(value, expectTag(c, 0x06, 'keyPurposeId'))),
  );
}

/** certificatePolicies (2.5.29.32): the policy OIDs (qualifiers are not needed for checks). */
export function decodePolicies(value: Uint8Array): string[] {
  return readChildren(value, expectTag(readRoot(value), 0x30, 'certificatePolicies')).map((info) => {
    const [idEl] = readChildren(value, expectTag(info, 0x30, 'PolicyInformation'));
    return decodeOid(contentBytes(value, expectTag(idEl, 0x06, 'policyIdentifier')));
  });
}
