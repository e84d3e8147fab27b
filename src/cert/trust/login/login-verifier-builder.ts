import { AlgorithmPolicy, type DigestName } from '../algorithms.js';
import { ChainValidator } from '../chain/chain-validator.js';
import type { RevocationChecker } from '../revocation/revocation-checker.js';
import { TrustStore, type CertificateInput } from '../trust-store.js';
import type { ChallengeIssuer } from './challenge-issuer.js';
import type { ChallengeStore } from './challenge-store.js';
import { LoginConfigurationError } from './errors.js';
import { LoginVerifier } from './login-verifier.js';

/** The GPKI policy every real MOICA/MOEACA/GCA/XCA certificate carries (assurance level 3). */
export const DEFAULT_LOGIN_POLICIES: readonly string[] = ['2.16.886.101.0.3.3'];

/**
 * Configures a {@link LoginVerifier}. `build()` refuses to produce a
 * verifier without trust anchors, allowed origins, a challenge store, and an
 * explicit revocation decision (a checker, or `withoutRevocationCheck()`).
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
export class LoginVerifierBuilder {
  private anchors: CertificateInput[] = [];
  private intermediates: CertificateInput[] = [];
  private origins = new Set<string>();
  private store: ChallengeStore | undefined;
  private issuerClock: (() => Date) | undefined;
  private revocation: RevocationChecker | undefined;
  private revocationDecided = false;
  private digests: DigestName[] = ['SHA-256', 'SHA-384', 'SHA-512'];
  private legacyCms = false;
  private policies: string[] = [...DEFAULT_LOGIN_POLICIES];
  private minRsaBits = 2048;
  private clock: (() => Date) | undefined;

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

  /** Origins a login message may name, e.g. `https://service.example.gov.tw` (exact match). */
  public withAllowedOrigins(...origins: string[]): this {
    for (const o of origins) {
      let normal: string;
      try {
        normal = new URL(o).origin;
      } catch {
        throw new LoginConfigurationError('INVALID_CONFIGURATION', `not an origin: ${JSON.stringify(o)}`);
      }
      if (normal !== o) {
        throw new LoginConfigurationError('INVALID_CONFIGURATION', `origin must be exactly scheme://host[:port], got ${JSON.stringify(o)}`);
      }
      this.origins.add(o);
    }
    return this;
  }

  /** Uses the store (and clock) of the issuer that hands out challenges. */
  public withChallenges(issuer: ChallengeIssuer): this {
    this.store = issuer.store;
    this.issuerClock = issuer.now;
    return this;
  }

  /** Uses a challenge store directly (when challenges are issued by another process). */
  public withChallengeStore(store: ChallengeStore): this {
    this.store = store;
    return this;
  }

  /** Checks revocation with `checker` (fail closed on `unknown` or errors). */
  public withRevocationChecker(checker: RevocationChecker): this {
    this.revocation = checker;
    this.revocationDecided = true;
    return this;
  }

  /** Skips revocation checking; an explicit choice, for tests and offline deployments. */
  public withoutRevocationCheck(): this {
    this.revocation = undefined;
    this.revocationDecided = true;
    return this;
  }

  /** Digests accepted for the login signature; default SHA-256/384/512. */
  public withAllowedDigests(...digests: DigestName[]): this {
    this.digests = digests;
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

  /** Policy OIDs of which the certificate must carry one; default {@link DEFAULT_LOGIN_POLICIES}. */
  public withAllowedPolicies(...oids: string[]): this {
    this.policies = oids;
    return this;
  }

  /** Smallest RSA modulus accepted; default 2048. */
  public withMinimumRsaBits(bits: number): this {
    this.minRsaBits = bits;
    return this;
  }

  /** The clock (default: the challenge issuer's, else `Date`). */
  public withClock(now: () => Date): this {
    this.clock = now;
    return this;
  }

  /**
   * @throws LoginConfigurationError `NO_TRUST_ANCHORS`, or
   * `INVALID_CONFIGURATION` naming the missing setting.
   */
  public build(): LoginVerifier {
    if (this.anchors.length === 0) {
      throw new LoginConfigurationError('NO_TRUST_ANCHORS', 'a login verifier needs trust anchors (withTrustAnchors)');
    }
    if (this.origins.size === 0) {
      throw new LoginConfigurationError('INVALID_CONFIGURATION', 'a login verifier needs allowed origins (withAllowedOrigins)');
    }
    if (this.store === undefined) {
      throw new LoginConfigurationError('INVALID_CONFIGURATION', 'a login verifier needs the challenge store (withChallenges)');
    }
    if (!this.revocationDecided) {
      throw new LoginConfigurationError(
        'INVALID_CONFIGURATION',
        'choose withRevocationChecker(…) or, explicitly, withoutRevocationCheck()',
      );
    }
    if (this.policies.length === 0) {
      throw new LoginConfigurationError('INVALID_CONFIGURATION', 'at least one allowed policy is required');
    }
    if (this.digests.length === 0) {
      throw new LoginConfigurationError('INVALID_CONFIGURATION', 'at least one allowed digest is required');
    }
    let store: TrustStore;
    try {
      store = new TrustStore({ anchors: this.anchors, intermediates: this.intermediates });
    } catch (err) {
      throw new LoginConfigurationError('INVALID_CONFIGURATION', `a configured certificate is unreadable: ${(err as Error).message}`);
    }
    return new LoginVerifier({
      chain: new ChainValidator(store, { leafAlgorithms: new AlgorithmPolicy(this.digests) }),
      revocation: this.revocation,
      challenges: this.store,
      origins: new Set(this.origins),
      digests: new AlgorithmPolicy(this.digests),
      allowLegacyCms: this.legacyCms,
      minRsaBits: this.minRsaBits,
      allowedPolicies: new Set(this.policies),
      now: this.clock ?? this.issuerClock ?? (() => new Date()),
    });
  }
}
