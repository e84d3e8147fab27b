import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/**
 * Every certificate, the anchor included, must be valid at the validation
 * time: an expired root (MOICA G1 ended 2023-04-21) anchors nothing.
 */
export const validityRule: ChainRule = {
  name: 'validity',
  check({ path, at }) {
    for (const cert of path) {
      if (at.getTime() < cert.notBefore.getTime()) {
        throw new ChainValidationError(
          'CHAIN_CERT_NOT_YET_VALID',
          `${cert.subject()} is not valid before ${cert.notBefore.toISOString()} (checked at ${at.toISOString()})`,
          { subject: cert.subject() },
        );
      }
      if (at.getTime() > cert.notAfter.getTime()) {
        throw new ChainValidationError(
          'CHAIN_CERT_EXPIRED',
          `${cert.subject()} expired ${cert.notAfter.toISOString()} (checked at ${at.toISOString()})`,
          { subject: cert.subject() },
        );
      }
    }
  },
};
