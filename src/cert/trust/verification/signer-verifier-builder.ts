import { describeValue } from '../../../shared/describe-value.js';
import { AlgorithmPolicy, digestNameProblem, type DigestName } from '../algorithms.js';
import { ChainValidator } from '../chain/chain-validator.js';
import type { RevocationChecker } from '../revocation/revocation-checker.js';
import { TrustStore, type CertificateInput } from '../trust-store.js';
import { VerifierConfigurationError } from './errors.js';
import type { SignerSettings } from './signer-context.js';
import { DEFAULT_SIGNER_EXTENDED_KEY_USAGES } from './signer-extended-key-usages.js';
import { isObjectIdentifierText } from '../../../shared/der/der-primitives.js';

export { DEFAULT_SIGNER_EXTENDED_KEY_USAGES } from './signer-extended-key-usages.js';

/** The GPKI policy every real MOICA/MOEACA/GCA/XCA certificate carries (assurance level 3). */
export const DEFAULT_SIGNER_POLICIES: readonly string[] = ['2.16.886.101.0.3.3'];

import { MIN_RSA_BITS_FLOOR } from '../algorithms.js';

export { MIN_RSA_BITS_FLOOR };

/**
 * What the login and signed-document builders share: trust anchors,
 * intermediates, the revocation decision, digests, policies, extended key
 * usages, the RSA floor and the clock. `build()` of a subclass refuses to
 * produce a verifier without anchors or an explicit revocation decision.
 */
export abstract class SignerVerifierBuilder<V> {
  /** Trust anchors. */
  protected anchors: CertificateInput[] = [];
  /** Untrusted intermediates for path building. */
  protected intermediates: CertificateInput[] = [];
  /** The revocation checker, when one was chosen. */
  protected revocation: RevocationChecker | undefined;
  /** Whether a revocation choice (a checker, or none) was made. */
  protected revocationDecided = false;
  /** Digests accepted for the signature. */
  protected digests: DigestName[] = ['SHA-256', 'SHA-384', 'SHA-512'];
  /** Policy OIDs of which the certificate must carry one. */
  protected policies: string[] = [...DEFAULT_SIGNER_POLICIES];
  /** Purposes of which a certificate with an extendedKeyUsage extension must list one. */
  protected extendedKeyUsages: string[] = [...DEFAULT_SIGNER_EXTENDED_KEY_USAGES];
  /** Smallest RSA modulus accepted. */
  protected minRsaBits = MIN_RSA_BITS_FLOOR;
  /** The clock, when set. */
  protected clock: (() => Date) | undefined;

  /** Adds trust anchors (GRCA roots, or issuing CAs to pin). */
  public withTrustAnchors(...anchors: CertificateInput[]): this {
    this.anchors.push(...anchors);
    return this;
  }

  /** Adds untrusted intermediates for path building (MOICA G2/G3, the GRCA cross certificate…). */
  public withIntermediates(...certs: CertificateInput[]): this {
    this.intermediates.push(...certs);
    return this;
  }

  /**
   * Checks revocation with `checker` (fail closed on `unknown` or errors).
   * @throws VerifierConfigurationError `INVALID_CONFIGURATION` for anything but a `RevocationChecker` (a missing
   * checker would otherwise turn revocation off), or after `withoutRevocationCheck()`: one builder, one choice.
   */
  public withRevocationChecker(checker: RevocationChecker): this {
    // What it does, not `instanceof`: an application that loads twpki both as ES module and as CommonJS (one
    // dependency requiring it) holds two RevocationChecker classes, and either checker works.
    if (typeof (checker as { check?: unknown } | null | undefined)?.check !== 'function') {
      throw new VerifierConfigurationError(
        'INVALID_CONFIGURATION',
        `withRevocationChecker needs a RevocationChecker, got ${describeValue(checker)}; to skip revocation say so with withoutRevocationCheck()`,
      );
    }
    if (this.revocationDecided && this.revocation === undefined) throw bothRevocationChoices('withRevocationChecker(…)', 'withoutRevocationCheck()');
    this.revocation = checker;
    this.revocationDecided = true;
    return this;
  }

  /**
   * Skips revocation checking; an explicit choice, for tests and offline deployments.
   * @throws VerifierConfigurationError `INVALID_CONFIGURATION` after `withRevocationChecker(…)`: one builder, one choice.
   */
  public withoutRevocationCheck(): this {
    if (this.revocation !== undefined) throw bothRevocationChoices('withoutRevocationCheck()', 'withRevocationChecker(…)');
    this.revocation = undefined;
    this.revocationDecided = true;
    return this;
  }

  /**
   * Digests accepted for the signature; default SHA-256/384/512.
   * @throws VerifierConfigurationError `INVALID_CONFIGURATION` for a value that is not a digest name as
   * written in {@link DigestName} (`sha256` is refused with "write 'SHA-256'", `MD5` as unknown).
   */
  public withAllowedDigests(...digests: DigestName[]): this {
    for (const digest of digests) {
      const problem = digestNameProblem(digest);
      if (problem !== undefined) throw new VerifierConfigurationError('INVALID_CONFIGURATION', `withAllowedDigests: ${problem}`);
    }
    this.digests = [...digests];
    return this;
  }

  /**
   * Policy OIDs of which the certificate must carry one; default {@link DEFAULT_SIGNER_POLICIES}.
   * @throws VerifierConfigurationError `INVALID_CONFIGURATION` for text that is not a dotted OID.
   */
  public withAllowedPolicies(...oids: string[]): this {
    this.policies = dottedOids('withAllowedPolicies', oids);
    return this;
  }

  /**
   * Replaces the purposes a signer certificate that carries an
   * extendedKeyUsage extension must list one of (default
   * {@link DEFAULT_SIGNER_EXTENDED_KEY_USAGES}). A certificate without the
   * extension, as real card certificates are, is not affected; with no
   * arguments, every certificate that has one is refused.
   *
   * ```ts
   * builder.withExtendedKeyUsages('1.3.6.1.5.5.7.3.2'); // logins: clientAuth only
   * ```
   * @throws VerifierConfigurationError `INVALID_CONFIGURATION` for text that is not a dotted OID.
   */
  public withExtendedKeyUsages(...oids: string[]): this {
    this.extendedKeyUsages = dottedOids('withExtendedKeyUsages', oids);
    return this;
  }

  /**
   * Smallest RSA modulus accepted; default and floor 2048.
   * @throws VerifierConfigurationError `INVALID_CONFIGURATION` for a
   * non-integer (`NaN`, `Infinity`, `2048.5`) or a value below 2048.
   */
  public withMinimumRsaBits(bits: number): this {
    if (!Number.isSafeInteger(bits) || bits < MIN_RSA_BITS_FLOOR) {
      throw new VerifierConfigurationError(
        'INVALID_CONFIGURATION',
        `withMinimumRsaBits needs an integer of at least ${MIN_RSA_BITS_FLOOR}, got ${String(bits)}`,
      );
    }
    this.minRsaBits = bits;
    return this;
  }

  /**
   * The clock (default `Date`).
   * @throws VerifierConfigurationError `INVALID_CONFIGURATION` for anything but a function.
   */
  public withClock(now: () => Date): this {
    if (typeof now !== 'function') {
      throw new VerifierConfigurationError('INVALID_CONFIGURATION', `withClock needs a function returning the current Date, got ${describeValue(now)}`);
    }
    this.clock = now;
    return this;
  }

  /** Builds the verifier; see the subclass for what it requires. */
  public abstract build(): V;

  /**
   * @internal Checks the shared settings and assembles them.
   * @param what the verifier's name, for messages.
   * @param fallbackClock the clock when none was set.
   * @throws VerifierConfigurationError `NO_TRUST_ANCHORS` or `INVALID_CONFIGURATION`.
   */
  protected signerSettings(what: string, fallbackClock: () => Date): SignerSettings {
    if (this.anchors.length === 0) {
      throw new VerifierConfigurationError('NO_TRUST_ANCHORS', `a ${what} needs trust anchors (withTrustAnchors)`);
    }
    if (!this.revocationDecided) {
      throw new VerifierConfigurationError(
        'INVALID_CONFIGURATION',
        'choose withRevocationChecker(…) or, explicitly, withoutRevocationCheck()',
      );
    }
    if (this.policies.length === 0) {
      throw new VerifierConfigurationError('INVALID_CONFIGURATION', 'at least one allowed policy is required (withAllowedPolicies)');
    }
    if (this.digests.length === 0) {
      throw new VerifierConfigurationError('INVALID_CONFIGURATION', 'at least one allowed digest is required (withAllowedDigests)');
    }
    let store: TrustStore;
    try {
      store = new TrustStore({ anchors: this.anchors, intermediates: this.intermediates });
    } catch (err) {
      throw new VerifierConfigurationError('INVALID_CONFIGURATION', `a configured certificate is unreadable: ${(err as Error).message}`);
    }
    const digests = new AlgorithmPolicy(this.digests);
    return {
      chain: new ChainValidator(store, { leafAlgorithms: digests }),
      revocation: this.revocation,
      digests,
      minRsaBits: this.minRsaBits,
      allowedPolicies: new Set(this.policies),
      acceptedExtendedKeyUsages: new Set(this.extendedKeyUsages),
      now: this.clock ?? fallbackClock,
    };
  }
}

/** The refusal of a second, contradicting revocation choice. */
function bothRevocationChoices(now: string, before: string): VerifierConfigurationError {
  return new VerifierConfigurationError(
    'INVALID_CONFIGURATION',
    `${now} after ${before}: both revocation choices were made on one builder; keep the one you mean`,
  );
}

/**
 * `oids` as a new array when each is dotted OID text a certificate can carry as written.
 * @throws VerifierConfigurationError `INVALID_CONFIGURATION` naming `method` and the first that is not.
 */
function dottedOids(method: string, oids: readonly unknown[]): string[] {
  // By index: an `undefined` among them is found too.
  const at = oids.findIndex((oid) => typeof oid !== 'string' || !isObjectIdentifierText(oid));
  if (at !== -1) {
    throw new VerifierConfigurationError(
      'INVALID_CONFIGURATION',
      `${method} needs dotted OIDs such as '2.16.886.101.0.3.3', got ${describeValue(oids[at])}`,
    );
  }
  return [...(oids as string[])];
}
