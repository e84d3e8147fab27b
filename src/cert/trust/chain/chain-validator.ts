import { checkCount } from '../../../shared/number-settings.js';
import { RecencyMap } from '../../../shared/recency-map.js';
import { describeValue } from '../../../shared/describe-value.js';
import { AlgorithmPolicy } from '../algorithms.js';
import { ChainValidationError } from '../errors.js';
import type { CertificateInput, TrustStore } from '../trust-store.js';
import { TrustedCertificate } from '../trusted-certificate.js';
import { type BuiltPaths, buildPaths } from './chain-builder.js';
import type { ChainRule } from './chain-rule.js';
import { IssuingChainCache } from './issuing-chain-cache.js';
import { LINK_CHECKS, LinkChecks, type LinkedRuleContext } from './link-checks.js';
import { defaultChainRules, signatureRule } from './rules/index.js';
import { requireInstant } from '../instant.js';

/** Most leaves (with their extra intermediates) whose candidate paths a validator keeps. */
const BUILT_PATHS_KEPT = 1024;

/** How a {@link ChainValidator} judges paths; fixed at construction. */
export interface ChainValidatorOptions {
  /** Rules to apply, in order; defaults to {@link defaultChainRules}. */
  rules?: readonly ChainRule[];
  /** Digests accepted on end-entity certificates; default SHA-256/384/512. */
  leafAlgorithms?: AlgorithmPolicy;
  /** Digests accepted on CA certificates; default adds SHA-1 (GRCA G1, MOICA G1, the cross certificate). */
  caAlgorithms?: AlgorithmPolicy;
  /** Longest path considered, anchor included; default 6. */
  maxDepth?: number;
  /**
   * Most verified issuing chains remembered (see {@link IssuingChainCache});
   * default 256; `0` verifies every signature (and builds every path) on
   * every validation.
   */
  issuingChainCacheSize?: number;
}

/** Per-call inputs of {@link ChainValidator.validate}. */
export interface ChainValidationRequest {
  /** Validation time; default now. */
  at?: Date;
  /** Extra untrusted intermediates for this call only (e.g. from a CMS signature). */
  intermediates?: Iterable<CertificateInput>;
}

/** A path that passed every rule. */
export interface ValidatedChain {
  /** Target first, anchor last. */
  readonly path: readonly TrustedCertificate[];
  /** The anchor the path ends at. */
  readonly anchor: TrustedCertificate;
  /** The time it was validated at. */
  readonly at: Date;
}

/**
 * Builds and validates certificate paths to a {@link TrustStore}.
 * With no anchors configured every validation fails (`CHAIN_NO_TRUST_ANCHORS`):
 * there is no "trust everything" mode.
 */
export class ChainValidator {
  private readonly rules: readonly ChainRule[];
  private readonly leafAlgorithms: AlgorithmPolicy;
  private readonly caAlgorithms: AlgorithmPolicy;
  private readonly maxDepth: number;
  /** Issuing chains whose signatures verified (exposed for metrics and tests); `undefined` when disabled. */
  public readonly issuingChains: IssuingChainCache | undefined;
  private readonly builtPaths: RecencyMap<string, BuiltPaths> | undefined;
  /** Each reused path's issuing chain (the path without its target), one array per path, never given out. */
  private readonly issuingOf = new WeakMap<readonly TrustedCertificate[], readonly TrustedCertificate[]>();

  /**
   * @param store anchors and intermediates.
   * @throws RangeError when `options.issuingChainCacheSize` is not a non-negative integer.
   */
  public constructor(
    public readonly store: TrustStore,
    options: ChainValidatorOptions = {},
  ) {
    this.rules = options.rules ?? defaultChainRules;
    this.leafAlgorithms = options.leafAlgorithms ?? AlgorithmPolicy.modern();
    this.caAlgorithms = options.caAlgorithms ?? AlgorithmPolicy.withSha1();
    this.maxDepth = options.maxDepth ?? 6;
    const size = options.issuingChainCacheSize ?? 256;
    // Checked here, not only by the cache: `NaN` would otherwise turn both caches off without a word.
    checkCount('issuingChainCacheSize', size);
    // Only a rule set that verifies signatures can vouch for a chain's signatures.
    this.issuingChains = size > 0 && this.rules.includes(signatureRule) ? new IssuingChainCache(size) : undefined;
    // Built paths are kept with the chain cache: `0` turns both off.
    this.builtPaths = size > 0 ? new RecencyMap(BUILT_PATHS_KEPT) : undefined;
  }

  /**
   * The candidate paths of `leaf` with `extra` intermediates. They depend
   * only on those certificates' bytes and the (immutable) store, so they are
   * built once per leaf and set of extras and then reused: every rule still
   * judges every path on every validation. `links` is set when the paths
   * were built now: the signatures building verified, for the rules to reuse;
   * `key` too when they may be kept, which {@link validate} does only once a
   * path passed the rules (see there).
   */
  private pathsFrom(leaf: TrustedCertificate, extra: readonly TrustedCertificate[]): BuiltPaths & { links?: LinkChecks; key?: string } {
    if (this.builtPaths === undefined) return this.build(leaf, extra);
    let key = leaf.fingerprint;
    for (const c of extra) key += c.fingerprint;
    const found = this.builtPaths.get(key);
    if (found !== undefined) return found;
    return { ...this.build(leaf, extra), key };
  }

  private build(leaf: TrustedCertificate, extra: readonly TrustedCertificate[]): BuiltPaths & { links: LinkChecks } {
    const links = new LinkChecks();
    return { ...buildPaths(leaf, this.store, extra, { maxDepth: this.maxDepth }, links), links };
  }

  /**
   * Returns the first candidate path that passes every rule.
   * @throws RangeError when `request` is not an object or `request.at` not a valid Date (an Invalid Date would
   * pass every validity rule).
   * @throws ChainValidationError with the code of the failed rule: when
   * several paths fail, the error of the first complete path is reported,
   * else why path building dead-ended.
   */
  public validate(target: CertificateInput, request: ChainValidationRequest = {}): ValidatedChain {
    if (typeof request !== 'object' || request === null) {
      throw new RangeError(`ChainValidator.validate: request must be { at?, intermediates? } or left out, not ${describeValue(request)}`);
    }
    if (this.store.anchors.length === 0) {
      throw new ChainValidationError('CHAIN_NO_TRUST_ANCHORS', 'no trust anchors configured: refusing to validate');
    }
    const leaf = target instanceof TrustedCertificate ? target : TrustedCertificate.from(target);
    const extra: TrustedCertificate[] = [];
    for (const c of request.intermediates ?? []) extra.push(this.store.resolve(c));
    const at = request.at === undefined ? new Date() : requireInstant(request.at, 'at');
    const { paths, deadEnd, examined, links, key } = this.pathsFrom(leaf, extra);
    let firstFailure: ChainValidationError | undefined;
    for (const path of paths) {
      let issuing = this.issuingOf.get(path);
      if (issuing === undefined) {
        issuing = path.slice(1);
        this.issuingOf.set(path, issuing);
      }
      const verified = this.issuingChains?.has(issuing, at) ?? false;
      const context: LinkedRuleContext = {
        path,
        at,
        leafAlgorithms: this.leafAlgorithms,
        caAlgorithms: this.caAlgorithms,
        issuingChainVerified: verified,
        [LINK_CHECKS]: links,
      };
      try {
        for (const rule of this.rules) rule.check(context);
        // A hit was already marked as used by `has`.
        if (!verified) this.issuingChains?.add(issuing);
        // Kept only now that a path validated. Reaching an anchor proves nothing about the leaf: configured
        // issuers are followed without checking its signature (the signature rule does), so anyone's
        // certificate naming MOICA as its issuer builds a path, and each forged token took a place among the
        // reused paths, pushing out the card holders who come back. Bounded: a leaf that keeps coming back keeps
        // its paths (see `RecencyMap`).
        if (key !== undefined) this.builtPaths?.set(key, { paths, deadEnd, examined });
        return { path, anchor: path[path.length - 1] as TrustedCertificate, at };
      } catch (err) {
        if (!(err instanceof ChainValidationError)) throw err;
        firstFailure ??= err;
      }
    }
    throw (
      firstFailure ??
      deadEnd ??
      new ChainValidationError('ISSUER_NOT_FOUND', `no path from ${leaf.subject()} to a trust anchor`, {
        subject: leaf.subject(),
      })
    );
  }
}
