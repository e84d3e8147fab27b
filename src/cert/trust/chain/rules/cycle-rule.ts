import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/** No certificate may appear twice in a path (the builder avoids it; this makes it a checked invariant). */
export const cycleRule: ChainRule = {
  name: 'cycle',
  check({ path }) {
    // Pairwise: a path is at most a handful of certificates (the validator's
    // depth limit), and this runs on every login.
    for (let i = 1; i < path.length; i++) {
      const cert = path[i] as (typeof path)[number];
      for (let j = 0; j < i; j++) {
        if ((path[j] as typeof cert).fingerprint === cert.fingerprint) {
          throw new ChainValidationError('CHAIN_CYCLE', `certificate appears twice in the path: ${cert.subject()}`, {
            subject: cert.subject(),
          });
        }
      }
    }
  },
};
