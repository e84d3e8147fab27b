import type { ChainRule } from '../chain-rule.js';
import { algorithmRule } from './algorithm-rule.js';
import { caRule } from './ca-rule.js';
import { criticalExtensionRule } from './critical-extension-rule.js';
import { cycleRule } from './cycle-rule.js';
import { issuerKeyUsageRule } from './issuer-key-usage-rule.js';
import { pathLengthRule } from './path-length-rule.js';
import { signatureRule } from './signature-rule.js';
import { validityRule } from './validity-rule.js';

export { algorithmRule, caRule, criticalExtensionRule, cycleRule, issuerKeyUsageRule, pathLengthRule, signatureRule, validityRule };

/**
 * The default rules, in the order they run: cheap structural checks first,
 * signatures (the expensive part) last.
 */
export const defaultChainRules: readonly ChainRule[] = [
  cycleRule,
  validityRule,
  criticalExtensionRule,
  caRule,
  pathLengthRule,
  issuerKeyUsageRule,
  algorithmRule,
  signatureRule,
];
