import type { CmsSignedData } from '../../verification/cms-signed-data.js';
import { SignatureVerificationError } from '../../verification/errors.js';
import { need } from '../../verification/signer-context.js';
import type { DocumentContext } from '../document-context.js';
import { checkDocumentAlgorithms } from './check-document-algorithms.js';
import type { LaterSignerInfo } from './signer-infos.js';
import { verifyDocumentSignature } from './verify-document-signature.js';

/**
 * Steps 2 and 3 (algorithm, then signature) for each SignerInfo that names the signer, in order, until one passes
 * both: it is the one verified and reported. A signer may sign once per digest (SHA-1 and SHA-256, as middleware
 * of the migration years did), and a verifier that refuses SHA-1 must not refuse the SHA-256 signature beside it.
 * When none passes, the first one's error is thrown: what a signer with one SignerInfo would have got. Only
 * verification refusals move on to the next; anything else is thrown at once.
 */
export function checkSignerInfos(ctx: DocumentContext): void {
  const document = need(ctx, 'document');
  const first = attempt(ctx);
  if (first === undefined) return;
  if (document.format === 'cms') {
    // Bounded by the count (at most 16) rather than by `later` running out: if it threw for every n, nothing else would end the loop.
    for (let n = 1; n < document.cms.signerCount; n++) {
      const cms = laterOrSkipped(document.later, n);
      if (cms === undefined) break;
      if (cms === SKIPPED) continue;
      // What the previous attempt learnt belongs to its SignerInfo.
      delete ctx.digest;
      delete ctx.scheme;
      delete ctx.attributes;
      ctx.document = { ...document, cms };
      if (attempt(ctx) === undefined) return;
    }
  }
  throw first;
}

const SKIPPED = Symbol('a SignerInfo that does not parse');

/**
 * The `n`-th SignerInfo naming the signer, `undefined` past the last, or {@link SKIPPED} when it does not parse: a
 * malformed one verifies nothing, and those after it may still be the signer's.
 */
function laterOrSkipped(later: LaterSignerInfo, n: number): CmsSignedData | undefined | typeof SKIPPED {
  try {
    return later(n);
  } catch {
    return SKIPPED;
  }
}

/** Runs steps 2 and 3 on the SignerInfo in `ctx`; returns its refusal, `undefined` when it passed both. */
function attempt(ctx: DocumentContext): SignatureVerificationError | undefined {
  try {
    checkDocumentAlgorithms(ctx);
    verifyDocumentSignature(ctx);
    return undefined;
  } catch (err) {
    if (err instanceof SignatureVerificationError) return err;
    throw err;
  }
}
