import { signatureAlgorithmFromOid, verifiesUnderKeyOf } from '../algorithms.js';
import type { TrustedCertificate } from '../trusted-certificate.js';
import type { ChainRuleContext } from './chain-rule.js';

/**
 * Whether `cert`'s signature verifies with `issuer`'s public key, with any
 * algorithm twpki can verify (which ones are allowed is the algorithm rule's
 * call, not this one's).
 */
export function signedBy(cert: TrustedCertificate, issuer: TrustedCertificate): boolean {
  const alg = signatureAlgorithmFromOid(cert.signatureAlgorithmOid);
  if (alg?.digest === undefined) return false;
  return verifiesUnderKeyOf(issuer, alg.scheme, alg.digest, cert.tbs, cert.signature);
}

/**
 * The signature checks of one validation, each (certificate, issuer) pair
 * verified at most once. Path building verifies a candidate issuer before
 * it follows it; the signature rule then reuses that answer instead of
 * paying for the same RSA operation again. It lives for one validation only:
 * the user certificate's signature is verified on every validation
 * (decisions: "Not cached: the user certificate's signature").
 */
export class LinkChecks {
  private readonly results = new Map<string, boolean>();
  /** Signatures actually verified so far (for tests and metrics). */
  public verified = 0;

  /** {@link signedBy}, remembered. */
  public signedBy(cert: TrustedCertificate, issuer: TrustedCertificate): boolean {
    const key = cert.fingerprint + issuer.fingerprint;
    let ok = this.results.get(key);
    if (ok === undefined) {
      ok = signedBy(cert, issuer);
      this.verified++;
      this.results.set(key, ok);
    }
    return ok;
  }
}

/**
 * Where the validator hands a validation's {@link LinkChecks} to the
 * signature rule: a symbol-keyed member beside the public
 * {@link ChainRuleContext} fields, so the rule interface (public API) does
 * not change and custom rules never see it.
 */
export const LINK_CHECKS: unique symbol = Symbol('twpki.linkChecks');

/** A rule context as the validator builds it. */
export interface LinkedRuleContext extends ChainRuleContext {
  /** This validation's signature checks, when path building ran (absent for reused paths). */
  readonly [LINK_CHECKS]?: LinkChecks | undefined;
}

/** The validation's signature checks carried by `context`, if any. */
export function linkChecksOf(context: ChainRuleContext): LinkChecks | undefined {
  return (context as LinkedRuleContext)[LINK_CHECKS];
}
