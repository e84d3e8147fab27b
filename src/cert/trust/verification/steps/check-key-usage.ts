import { OID_KP_OCSP_SIGNING } from '../../revocation/ocsp-client.js';
import { WrongKeyUsageError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/**
 * Key usage: the signer is an end-entity certificate for digital
 * signatures. A CA certificate (cA=TRUE, or keyCertSign/cRLSign) and an OCSP
 * responder certificate chain to the same anchors but speak for the CA, not
 * for a card holder, so they are refused even with digitalSignature set
 * (`CERT_NOT_END_ENTITY`). A citizen card's KEYX (encryption) certificate
 * has only keyEncipherment/dataEncipherment and is refused too
 * (`CERT_WRONG_PURPOSE`), whatever it signed.
 */
export function checkKeyUsage(ctx: SignerContext): void {
  const cert = need(ctx, 'certificate');
  const ku = cert.keyUsage;
  if (cert.basicConstraints?.ca === true || ku?.keyCertSign === true || ku?.cRLSign === true) {
    throw new WrongKeyUsageError('the signer is a CA certificate, not an end-entity certificate', 'CERT_NOT_END_ENTITY');
  }
  if (cert.extendedKeyUsage?.includes(OID_KP_OCSP_SIGNING) === true) {
    throw new WrongKeyUsageError('the signer is an OCSP responder certificate, not a card holder', 'CERT_NOT_END_ENTITY');
  }
  if (ku === undefined || !ku.digitalSignature) {
    throw new WrongKeyUsageError(
      ku === undefined ? 'the certificate has no keyUsage extension' : 'the certificate is not for digital signatures',
    );
  }
}
