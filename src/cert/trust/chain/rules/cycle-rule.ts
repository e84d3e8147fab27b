import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/** No certificate may appear twice in a path (the builder avoids it; this makes it a checked invariant). */
export const cycleRule: ChainRule = {
  name: 'cycle',
  check({ path }) {
    const seen = new Set<string>();
    for (const cert of path) {
      if (seen.has(cert.fingerprint)) {
        throw new ChainValidationError('CHAIN_CYCLE', `certificate appears twice in the path: ${cert.subject()}`, {
          subject: cert.subject(),
        });
      }
      seen.add(cert.fingerprint);
    }
  },
};
