import { signatureAlgorithmFromOid } from '../../algorithms.js';
import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/**
 * Each certificate below the anchor must be signed with an allowed
 * algorithm. The anchor's own self-signature is not relied on, so it is not
 * judged (GRCA G1 is SHA-1 and still a valid anchor until 2032).
 */
export const algorithmRule: ChainRule = {
  name: 'algorithm',
  check({ path, leafAlgorithms, caAlgorithms }) {
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i];
      if (cert === undefined) continue;
      const alg = signatureAlgorithmFromOid(cert.signatureAlgorithmOid);
      const policy = i === 0 && cert.basicConstraints?.ca !== true ? leafAlgorithms : caAlgorithms;
      if (alg === undefined || alg.digest === undefined || !policy.allows(alg.digest)) {
        throw new ChainValidationError(
          'CHAIN_ALGORITHM_NOT_ALLOWED',
          `${cert.subject()} is signed with ${alg?.digest ?? cert.signatureAlgorithmOid}, not in [${policy.list().join(', ')}]`,
          { subject: cert.subject() },
        );
      }
    }
  },
};
