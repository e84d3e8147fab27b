import { signatureAlgorithmFromOid, verifyWith } from '../../algorithms.js';
import { ChainValidationError } from '../../errors.js';
import type { ChainRule } from '../chain-rule.js';

/** Each certificate's signature verifies with the next certificate's key. */
export const signatureRule: ChainRule = {
  name: 'signature',
  check({ path }) {
    for (let i = 0; i < path.length - 1; i++) {
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
