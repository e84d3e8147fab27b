import { bytesEqual } from '../../../../shared/bytes.js';
import { verifyWith } from '../../algorithms.js';
import { SignatureInvalidError } from '../../verification/errors.js';
import { verifyCmsSignature } from '../../verification/steps/verify-cms-signature.js';
import { need, type LoginContext } from './login-context.js';

/**
 * Step 3, signature. PKCS1: the RSA signature over the signed bytes.
 * PKCS7: attached content (if any) is the `tbs`, then the shared CMS check
 * (signer, id-data, messageDigest, signature over the signed attributes or,
 * legacy, the content). Reads signingTime, randomNonce and the card number.
 */
export function verifySignature(ctx: LoginContext): void {
  const token = need(ctx, 'token');
  if (token.token.signatureType === 'PKCS1') {
    if (!verifyWith(need(ctx, 'certificate').publicKey(), need(ctx, 'scheme'), need(ctx, 'digest'), token.signedBytes, token.signature)) {
      throw new SignatureInvalidError('the PKCS#1 signature does not verify with the certificate');
    }
    ctx.content = token.signedBytes;
    return;
  }
  const cms = need(ctx, 'cms');
  if (cms.content !== undefined && !bytesEqual(cms.content, token.signedBytes)) {
    throw new SignatureInvalidError('the CMS attached content differs from "tbs"');
  }
  const content = cms.content ?? token.signedBytes;
  const attributes = verifyCmsSignature(ctx, cms, content);
  ctx.content = content;
  ctx.signingTime = attributes?.signingTime;
  ctx.randomNonce = attributes?.randomNonce;
  ctx.cardNumber = attributes?.cardNumber;
}
