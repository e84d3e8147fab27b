import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/**
 * Every issuer in the path must be a CA (basicConstraints cA). An anchor
 * without basicConstraints is tolerated (v1 roots exist and anchors are
 * trusted by configuration), but one that says it is not a CA is refused.
 */
export const caRule: ChainRule = {
  name: 'ca',
  check({ path }) {
    for (let i = 1; i < path.length; i++) {
      const issuer = path[i];
      if (issuer === undefined) continue;
      const isAnchor = i === path.length - 1;
      const bc = issuer.basicConstraints;
      if (bc?.ca === true || (isAnchor && bc === undefined)) continue;
      throw new ChainValidationError('NOT_A_CA', `${issuer.subject()} issued a certificate but is not a CA`, {
        subject: issuer.subject(),
      });
    }
  },
};
