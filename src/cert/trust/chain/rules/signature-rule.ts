import { signatureAlgorithmFromOid, verifyWith } from '../../algorithms.js';
import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/**
 * Each certificate's signature verifies with the next certificate's key.
 * When the issuing chain's signatures are known to verify
 * (`issuingChainVerified`), only the target's own signature is checked.
 */
export const signatureRule: ChainRule = {
  name: 'signature',
  check({ path, issuingChainVerified }) {
    const links = issuingChainVerified === true ? Math.min(1, path.length - 1) : path.length - 1;
    for (let i = 0; i < links; i++) {
      const cert = path[i];
      const issuer = path[i + 1];
      if (cert === undefined || issuer === undefined) continue;
      const alg = signatureAlgorithmFromOid(cert.signatureAlgorithmOid);
      let ok = false;
      if (alg?.digest !== undefined) {
        try {
          ok = verifyWith(issuer.publicKey(), alg.scheme, alg.digest, cert.tbs, cert.signature);
        } catch {
          ok = false; // an issuer key node cannot load cannot verify anything
        }
      }
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
