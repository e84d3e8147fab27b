import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';
import { linkChecksOf, signedBy } from '../link-checks.js';

/**
 * Each certificate's signature verifies with the next certificate's key.
 * When the issuing chain's signatures are known to verify
 * (`issuingChainVerified`), only the target's own signature is checked.
 * Links that path building already verified in this validation are not
 * verified again.
 */
export const signatureRule: ChainRule = {
  name: 'signature',
  check(context) {
    const { path, issuingChainVerified } = context;
    const links = linkChecksOf(context);
    const count = issuingChainVerified === true ? Math.min(1, path.length - 1) : path.length - 1;
    for (let i = 0; i < count; i++) {
      const cert = path[i];
      const issuer = path[i + 1];
      if (cert === undefined || issuer === undefined) continue;
      const ok = links === undefined ? signedBy(cert, issuer) : links.signedBy(cert, issuer);
      if (!ok) {
        throw new ChainValidationError(
          'BAD_SIGNATURE',
          `signature of ${cert.subject()} does not verify with the key of ${issuer.subject()}`,
          { subject: cert.subject() },
        );
      }
    }
  },
};
