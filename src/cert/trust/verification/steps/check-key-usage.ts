import { OID_KP_OCSP_SIGNING } from '../../revocation/ocsp-client.js';
import { WrongKeyUsageError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';
import { purposesText } from '../signer-extended-key-usages.js';

/**
 * Key usage: the signer is an end-entity certificate for digital
 * signatures. A CA certificate (cA=TRUE, or keyCertSign/cRLSign) and an OCSP
 * responder certificate chain to the same anchors but speak for the CA, not
 * for a card holder, so they are refused even with digitalSignature set
 * (`CERT_NOT_END_ENTITY`). A citizen card's KEYX (encryption) certificate
 * has only keyEncipherment/dataEncipherment and is refused too
 * (`CERT_WRONG_PURPOSE`), whatever it signed.
 *
 * Extended key usage: with an EKU extension the key may only be used for the
 * purposes listed (RFC 5280 4.2.1.12), so one of them must be accepted
 * (`withExtendedKeyUsages`, default `DEFAULT_SIGNER_EXTENDED_KEY_USAGES`);
 * otherwise `CERT_WRONG_PURPOSE`. This is what keeps a GCA web server's TLS
 * certificate (serverAuth) or a time-stamping certificate from signing a
 * login. Card certificates carry no EKU and pass. The OIDs were decoded
 * once with the certificate (which the verifier caches), so a login pays
 * only a set lookup per listed purpose.
 */
export function checkKeyUsage(ctx: SignerContext): void {
  const cert = need(ctx, 'certificate');
  const ku = cert.keyUsage;
  if (cert.basicConstraints?.ca === true || ku?.keyCertSign === true || ku?.cRLSign === true) {
    throw new WrongKeyUsageError('the signer is a CA certificate, not an end-entity certificate', 'CERT_NOT_END_ENTITY');
  }
  const eku = cert.extendedKeyUsage;
  if (eku?.includes(OID_KP_OCSP_SIGNING) === true) {
    throw new WrongKeyUsageError('the signer is an OCSP responder certificate, not a card holder', 'CERT_NOT_END_ENTITY');
  }
  if (ku === undefined || !ku.digitalSignature) {
    throw new WrongKeyUsageError(
      ku === undefined ? 'the certificate has no keyUsage extension' : 'the certificate is not for digital signatures',
    );
  }
  const accepted = ctx.settings.acceptedExtendedKeyUsages;
  if (eku !== undefined && !eku.some((purpose) => accepted.has(purpose))) {
    throw new WrongKeyUsageError(
      `the certificate's extendedKeyUsage [${purposesText(eku)}] lists none of the accepted purposes [${purposesText(accepted)}]`,
    );
  }
}
