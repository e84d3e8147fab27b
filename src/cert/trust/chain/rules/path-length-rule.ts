import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/**
 * pathLenConstraint (RFC 5280 4.2.1.9): the number of non-self-issued
 * intermediates below a CA may not exceed its limit. Self-issued
 * certificates (the GRCA G1→G2 cross certificate) do not count.
 */
export const pathLengthRule: ChainRule = {
  name: 'path-length',
  check({ path }) {
    for (let i = 1; i < path.length; i++) {
      const ca = path[i];
      const limit = ca?.basicConstraints?.pathLength;
      if (ca === undefined || limit === undefined) continue;
      let below = 0;
      // Certificates strictly between the target (index 0) and this CA.
      for (let j = 1; j < i; j++) if (path[j]?.isSelfIssued() === false) below++;
      if (below > limit) {
        throw new ChainValidationError(
          'PATH_LENGTH_EXCEEDED',
          `${ca.subject()} allows ${limit} intermediate(s) below it, the path has ${below}`,
          { subject: ca.subject() },
        );
      }
    }
  },
};
