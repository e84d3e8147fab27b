import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/** An issuer whose keyUsage is present must have keyCertSign (absent keyUsage allows all, RFC 5280 4.2.1.3). */
export const issuerKeyUsageRule: ChainRule = {
  name: 'issuer-key-usage',
  check({ path }) {
    for (let i = 1; i < path.length; i++) {
      const issuer = path[i];
      if (issuer?.keyUsage !== undefined && !issuer.keyUsage.keyCertSign) {
        throw new ChainValidationError('ISSUER_KEY_USAGE', `${issuer.subject()} lacks keyCertSign`, {
          subject: issuer.subject(),
        });
      }
    }
  },
};
