import { CertificateCache, DEFAULT_CERTIFICATE_CACHE_SIZE } from '../verification/certificate-cache.js';
import { SignerVerifierBuilder, DEFAULT_SIGNER_POLICIES } from '../verification/signer-verifier-builder.js';
import type { ChallengeIssuer } from './challenge-issuer.js';
import type { ChallengeStore } from './challenge-store.js';
import { LoginConfigurationError } from './errors.js';
import { LoginVerifier } from './login-verifier.js';
import { originProblem } from './login-message.js';
import { describeValue } from '../../../shared/describe-value.js';

/**
 * Whether `value` has what a verifier calls on a challenge store: `consume`. Not `put`: a process that only
 * verifies (challenges issued by another, `withChallengeStore`) may hand a JavaScript store without it.
 */
function isChallengeStore(value: unknown): value is ChallengeStore {
  const store = value as Partial<ChallengeStore> | null | undefined;
  return typeof store === 'object' && store !== null && typeof store.consume === 'function';
}

/** The GPKI policy every real MOICA/MOEACA/GCA/XCA certificate carries (assurance level 3). */
export const DEFAULT_LOGIN_POLICIES: readonly string[] = DEFAULT_SIGNER_POLICIES;

/**
 * Configures a {@link LoginVerifier}. `build()` refuses to produce a
 * verifier without trust anchors, allowed origins, a challenge store, and an
 * explicit revocation decision (a checker, or `withoutRevocationCheck()`).
 * Anchors, intermediates, revocation, digests, policies, extended key
 * usages (`withExtendedKeyUsages`), the RSA floor and the clock are set as
 * for the signed-document verifier.
 *
 * ```ts
 * const challenges = new ChallengeIssuer();
 * const verifier = new LoginVerifierBuilder()
 *   .withTrustAnchors(grcaG2, grcaG3)
 *   .withIntermediates(moicaG2, moicaG3)
 *   .withAllowedOrigins('https://service.example.gov.tw')
 *   .withChallenges(challenges)
 *   .withRevocationChecker(new RevocationChecker())
 *   .build();
 * ```
 */
export class LoginVerifierBuilder extends SignerVerifierBuilder<LoginVerifier> {
  private origins = new Set<string>();
  private store: ChallengeStore | undefined;
  private issuerClock: (() => Date) | undefined;
  private legacyCms = false;
  private certificateCacheSize = DEFAULT_CERTIFICATE_CACHE_SIZE;

  /**
   * Origins a login message may name, e.g. `https://service.example.gov.tw` (exact match).
   * @throws LoginConfigurationError `INVALID_CONFIGURATION` for one that is not exactly `scheme://host[:port]`.
   */
  public withAllowedOrigins(...origins: string[]): this {
    for (const o of origins) {
      const problem = originProblem(o);
      if (problem !== undefined) throw new LoginConfigurationError('INVALID_CONFIGURATION', `withAllowedOrigins: origin ${problem}`);
    }
    for (const o of origins) this.origins.add(o);
    return this;
  }

  /**
   * Uses the store (and clock) of the issuer that hands out challenges.
   * @throws LoginConfigurationError `INVALID_CONFIGURATION` for anything but a `ChallengeIssuer` (an object with
   * a challenge `store` and a `now` clock).
   */
  public withChallenges(issuer: ChallengeIssuer): this {
    const given = issuer as Partial<ChallengeIssuer> | null | undefined;
    if (typeof given !== 'object' || given === null || !isChallengeStore(given.store) || typeof given.now !== 'function') {
      throw new LoginConfigurationError(
        'INVALID_CONFIGURATION',
        `withChallenges needs the ChallengeIssuer that hands out the challenges, got ${describeValue(issuer)}`,
      );
    }
    this.store = given.store;
    this.issuerClock = given.now;
    return this;
  }

  /**
   * Uses a challenge store directly (when challenges are issued by another process).
   * @throws LoginConfigurationError `INVALID_CONFIGURATION` for anything but a `ChallengeStore`.
   */
  public withChallengeStore(store: ChallengeStore): this {
    if (!isChallengeStore(store)) {
      throw new LoginConfigurationError(
        'INVALID_CONFIGURATION',
        `withChallengeStore needs a ChallengeStore (an object with consume), got ${describeValue(store)}`,
      );
    }
    this.store = store;
    return this;
  }

  /**
   * Accepts the legacy CMS shape seen in the wild: SHA-1 and no signed
   * attributes. Only for relying parties that must accept old components.
   */
  public allowLegacyCms(): this {
    this.legacyCms = true;
    if (!this.digests.includes('SHA-1')) this.digests = [...this.digests, 'SHA-1'];
    return this;
  }

  /**
   * Most signer certificates the verifier keeps decoded (default 1,000,
   * least recently used dropped first; `0` decodes every token's afresh).
   * Only parsing is reused: every login still verifies both signatures and
   * runs every chain, validity, revocation, key-usage and policy check.
   * @throws LoginConfigurationError `INVALID_CONFIGURATION` for a negative or non-integer size.
   */
  public withCertificateCacheSize(entries: number): this {
    if (!Number.isSafeInteger(entries) || entries < 0) {
      throw new LoginConfigurationError(
        'INVALID_CONFIGURATION',
        `withCertificateCacheSize needs a non-negative integer, got ${String(entries)}`,
      );
    }
    this.certificateCacheSize = entries;
    return this;
  }

  /**
   * The clock is the one set with `withClock`, else the challenge issuer's, else `Date`.
   * @throws LoginConfigurationError `NO_TRUST_ANCHORS`, or
   * `INVALID_CONFIGURATION` naming the missing setting.
   */
  public build(): LoginVerifier {
    const signer = this.signerSettings('login verifier', this.issuerClock ?? (() => new Date()));
    if (this.origins.size === 0) {
      throw new LoginConfigurationError('INVALID_CONFIGURATION', 'a login verifier needs allowed origins (withAllowedOrigins)');
    }
    if (this.store === undefined) {
      throw new LoginConfigurationError('INVALID_CONFIGURATION', 'a login verifier needs the challenge store (withChallenges)');
    }
    return new LoginVerifier({
      ...signer,
      challenges: this.store,
      origins: new Set(this.origins),
      allowLegacyCms: this.legacyCms,
      certificates: new CertificateCache(this.certificateCacheSize),
    });
  }
}
