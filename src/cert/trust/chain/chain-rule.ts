import type { AlgorithmPolicy } from '../algorithms.js';
import type { TrustedCertificate } from '../trusted-certificate.js';

/** What a chain rule sees: one candidate path, leaf first, anchor last. */
export interface ChainRuleContext {
  /** The path, `path[0]` the target, the last element a trust anchor. */
  readonly path: readonly TrustedCertificate[];
  /** Validation time. */
  readonly at: Date;
  /** Digests accepted on end-entity certificates. */
  readonly leafAlgorithms: AlgorithmPolicy;
  /** Digests accepted on CA certificates (SHA-1 by default, for GRCA G1 and MOICA G1). */
  readonly caAlgorithms: AlgorithmPolicy;
  /**
   * True when the signatures above the target (`path[1]` by `path[2]`, and so
   * on up to the anchor) were verified by an earlier validation and none of
   * those certificates has expired since: a rule may skip repeating them.
   */
  readonly issuingChainVerified?: boolean;
}

/**
 * One check over a candidate path. A rule throws a `ChainValidationError`
 * with its own code; a new check is a new rule in the registry.
 */
export interface ChainRule {
  /** Short stable name, for logs and for removing a rule from the registry. */
  readonly name: string;
  /** Throws `ChainValidationError` when the path breaks the rule. */
  check(context: ChainRuleContext): void;
}
