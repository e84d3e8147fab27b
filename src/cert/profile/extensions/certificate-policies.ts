import { DerError } from '../../../shared/der/der-error.js';
import { readRoot, universalTag, UniversalTag } from '../../../shared/der/der-reader.js';
import { oidOf, sequenceOf } from '../../../shared/der/der-values.js';

/**
 * certificatePolicies (2.5.29.32): the policy OIDs. Each PolicyInformation is the OID and at most a SEQUENCE of
 * qualifiers, whose content is not read; anything else after the OID is refused rather than skipped.
 */
export function decodeCertificatePolicies(value: Uint8Array): string[] {
  return sequenceOf(readRoot(value, 'certificatePolicies'), 'certificatePolicies').map((info) => {
    const fields = sequenceOf(info, 'certificatePolicies PolicyInformation');
    const [policy, qualifiers] = fields;
    if (policy === undefined) throw new DerError('DER_SHAPE', 'certificatePolicies has an empty PolicyInformation');
    if (fields.length > 2 || (qualifiers !== undefined && universalTag(qualifiers) !== UniversalTag.sequence)) {
      throw new DerError('DER_SHAPE', 'certificatePolicies PolicyInformation is not (policyIdentifier, policyQualifiers SEQUENCE OPTIONAL)');
    }
    return oidOf(policy, 'certificatePolicies policyIdentifier');
  });
}
