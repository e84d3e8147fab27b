import { verifyWith } from '../../algorithms.js';
import { SignatureInvalidError } from '../../verification/errors.js';
import { need } from '../../verification/signer-context.js';
import { verifyCmsSignature } from '../../verification/steps/verify-cms-signature.js';
import type { DocumentContext } from '../document-context.js';

/**
 * Step 3, signature: PKCS#1 v1.5 over the content, or the shared CMS check
 * (signer, id-data, messageDigest, signature over the signed attributes or,
 * legacy, the content).
 */
export function verifyDocumentSignature(ctx: DocumentContext): void {
  const document = need(ctx, 'document');
  if (document.format === 'pkcs1') {
    if (!verifyWith(need(ctx, 'certificate').publicKey(), need(ctx, 'scheme'), need(ctx, 'digest'), document.content, document.signature)) {
      throw new SignatureInvalidError('the PKCS#1 signature does not verify with the certificate');
    }
    return;
  }
  const { cms, given } = document;
  if (cms.content !== undefined && given !== undefined && !Buffer.from(cms.content).equals(Buffer.from(given))) {
    throw new SignatureInvalidError('the attached content differs from the content given');
  }
  verifyCmsSignature(ctx, cms, document.content);
}
