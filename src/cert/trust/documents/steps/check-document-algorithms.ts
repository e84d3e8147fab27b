import { AlgorithmNotAllowedError } from '../../verification/errors.js';
import { readSignedAttributes } from '../../verification/cms-signed-attributes.js';
import { checkSignerKey } from '../../verification/steps/check-signer-key.js';
import { resolveCmsAlgorithms } from '../../verification/steps/resolve-cms-algorithms.js';
import { need } from '../../verification/signer-context.js';
import type { DocumentContext } from '../document-context.js';

/**
 * Step 2, algorithm: the CMS algorithms resolve, then the shared digest and
 * key checks run. SHA-1 passes only with `allowSha1({ until })` and only for
 * a signature claimed at or before the cut-off: its claimed time is the
 * signingTime attribute when it has one (the signature step then verifies
 * it), else the verification time — a legacy signature without attributes
 * claims nothing, so it is judged as made when it is verified — and never
 * earlier than the signer certificate's notBefore.
 */
export function checkDocumentAlgorithms(ctx: DocumentContext): void {
  const document = need(ctx, 'document');
  if (document.format === 'cms') {
    resolveCmsAlgorithms(ctx, document.cms);
    const attributes = readSignedAttributes(document.cms);
    if (attributes !== undefined) ctx.attributes = attributes;
  }
  if (need(ctx, 'digest') === 'SHA-1') {
    const until = ctx.settings.sha1Until;
    if (until === undefined) throw new AlgorithmNotAllowedError('SHA-1 is accepted only with allowSha1({ until })');
    // No signature is older than its certificate: a signingTime before notBefore (the signer's own claim, which
    // whoever makes the card sign chosen bytes can write) claims no earlier than the certificate's start.
    const stated = ctx.attributes?.signingTime ?? ctx.at;
    const notBefore = need(ctx, 'certificate').notBefore;
    const claimed = stated.getTime() < notBefore.getTime() ? notBefore : stated;
    if (claimed.getTime() > until.getTime()) {
      throw new AlgorithmNotAllowedError(
        `SHA-1 is accepted only for signatures made by ${until.toISOString()}; this one claims ${claimed.toISOString()}`,
      );
    }
  }
  checkSignerKey(ctx);
}
