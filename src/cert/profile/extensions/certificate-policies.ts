import { Asn1ShapeError, oidOf, parseAsn1, sequenceOf } from '../der-reader.js';

/** certificatePolicies (2.5.29.32): the policy OIDs, qualifiers ignored. */
export function decodeCertificatePolicies(value: Uint8Array): string[] {
  return sequenceOf(parseAsn1(value, 'certificatePolicies'), 'certificatePolicies').map((info) => {
    const [policy] = sequenceOf(info, 'certificatePolicies PolicyInformation');
    if (policy === undefined) throw new Asn1ShapeError('certificatePolicies has an empty PolicyInformation');
    return oidOf(policy, 'certificatePolicies policyIdentifier');
  });
}
