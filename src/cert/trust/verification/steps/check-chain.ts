import { ChainValidationError } from '../../errors.js';
import { CertificateUntrustedError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/** Chain: a path to the configured anchors passes every chain rule. */
export function checkChain(ctx: SignerContext): void {
  try {
    ctx.chain = ctx.settings.chain.validate(need(ctx, 'certificate'), {
      at: ctx.at,
      intermediates: ctx.intermediates ?? [],
    });
  } catch (err) {
    if (err instanceof ChainValidationError) {
      throw new CertificateUntrustedError(err.code, `the certificate is not trusted: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
