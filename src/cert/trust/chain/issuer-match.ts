import { bufferOf } from '../../../shared/bytes.js';
import { nameMatchKey } from '../name-equality.js';
import type { TrustedCertificate } from '../trusted-certificate.js';

/**
 * Which certificates may have issued which, for one path build.
 *
 * A candidate must carry the name the certificate names as its issuer
 * (RFC 5280 §6.1.3 (a)(4)), compared as `namesEqual` does; when both sides
 * carry key identifiers they must agree too, because MOICA G1, G2 and G3
 * share one subject name (and GRCA G1/G2 another): the name alone would pick
 * the wrong key. The key identifier alone is not enough either: a
 * certificate naming `C=US, O=Evil Corp` as its issuer was not issued by
 * MOICA whatever its authority key identifier says.
 *
 * Prepared names are kept per name (each certificate's own DER view), so a
 * build that scans many candidates prepares each name once; a matcher lives
 * for one build.
 */
export class IssuerMatcher {
  private readonly keys = new Map<Uint8Array, string | undefined>();

  /** Whether `issuer` may have issued `cert` (its signature is not looked at). */
  public mayHaveIssued(issuer: TrustedCertificate, cert: TrustedCertificate): boolean {
    if (cert.authorityKeyId !== undefined && issuer.subjectKeyId !== undefined && cert.authorityKeyId !== issuer.subjectKeyId) {
      return false;
    }
    return this.sameName(issuer.subjectDer, cert.issuerDer);
  }

  /** Whether `a` and `b` have the same subject name and the same public key (RFC 4158 loop detection: the same step of a path, twice). */
  public sameSubjectAndKey(a: TrustedCertificate, b: TrustedCertificate): boolean {
    return bufferOf(a.spki).equals(bufferOf(b.spki)) && this.sameName(a.subjectDer, b.subjectDer);
  }

  private sameName(a: Uint8Array, b: Uint8Array): boolean {
    // Byte-equal first: every real Taiwan chain, no decoding.
    if (bufferOf(a).equals(bufferOf(b))) return true;
    const keyA = this.keyOf(a);
    return keyA !== undefined && keyA === this.keyOf(b);
  }

  private keyOf(name: Uint8Array): string | undefined {
    if (this.keys.has(name)) return this.keys.get(name);
    const key = nameMatchKey(name);
    this.keys.set(name, key);
    return key;
  }
}
