import { VerifierConfigurationError } from '../verification/errors.js';
import { SignerVerifierBuilder } from '../verification/signer-verifier-builder.js';
import { SignedDocumentVerifier } from './signed-document-verifier.js';

/** The SHA-1 option: the latest signing time a SHA-1 signature may claim. */
export interface Sha1Allowance {
  /** SHA-1 signatures claimed after this instant are refused. */
  readonly until: Date;
}

/**
 * Configures a {@link SignedDocumentVerifier}: trust anchors, intermediates,
 * revocation (a checker, or explicitly none), digests, policies, extended
 * key usages (`withExtendedKeyUsages`), the RSA floor and the clock, exactly
 * as for the login verifier. SHA-1 is refused
 * unless `allowSha1({ until })` names a cut-off.
 *
 * ```ts
 * const verifier = new SignedDocumentVerifierBuilder()
 *   .withTrustAnchors(grcaG2, grcaG3)
 *   .withIntermediates(moicaG2, moicaG3)
 *   .withRevocationChecker(new RevocationChecker())
 *   .build();
 * const doc = await verifier.verify({ format: 'cms', signature: p7, content: pdfBytes });
 * ```
 */
export class SignedDocumentVerifierBuilder extends SignerVerifierBuilder<SignedDocumentVerifier> {
  private sha1Until: Date | undefined;

  /**
   * Accepts SHA-1 signatures (older middleware) claimed at or before
   * `until`; see `SignedDocumentVerifier` for what a signature claims.
   * @throws VerifierConfigurationError `INVALID_CONFIGURATION` for an invalid date.
   */
  public allowSha1(allowance: Sha1Allowance): this {
    const until = (allowance as Partial<Sha1Allowance> | undefined)?.until;
    if (!(until instanceof Date) || Number.isNaN(until.getTime())) {
      throw new VerifierConfigurationError('INVALID_CONFIGURATION', 'allowSha1 needs { until: Date }, a valid cut-off date');
    }
    this.sha1Until = until;
    if (!this.digests.includes('SHA-1')) this.digests = [...this.digests, 'SHA-1'];
    return this;
  }

  /**
   * @throws VerifierConfigurationError `NO_TRUST_ANCHORS`, or
   * `INVALID_CONFIGURATION` naming the missing or contradictory setting.
   */
  public build(): SignedDocumentVerifier {
    const signer = this.signerSettings('signed-document verifier', () => new Date());
    if (this.digests.includes('SHA-1') && this.sha1Until === undefined) {
      throw new VerifierConfigurationError('INVALID_CONFIGURATION', 'SHA-1 needs a cut-off: use allowSha1({ until })');
    }
    return new SignedDocumentVerifier({ ...signer, sha1Until: this.sha1Until });
  }
}
