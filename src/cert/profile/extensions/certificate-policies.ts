import { DerError } from '../../../shared/der/der-error.js';
import { readRoot } from '../../../shared/der/der-reader.js';
import { oidOf, sequenceOf } from '../../../shared/der/der-values.js';

/** certificatePolicies (2.5.29.32): the policy OIDs, qualifiers ignored. */
export function decodeCertificatePolicies(value: Uint8Array): string[] {
  return sequenceOf(readRoot(value, 'certificatePolicies'), 'certificatePolicies').map((info) => {
    const [policy] = sequenceOf(info, 'certificatePolicies PolicyInformation');
    if (policy === undefined) throw new DerError('DER_SHAPE', 'certificatePolicies has an empty PolicyInformation');
    return oidOf(policy, 'certificatePolicies policyIdentifier');
  });
}
