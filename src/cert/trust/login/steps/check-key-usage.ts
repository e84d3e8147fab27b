import { WrongKeyUsageError } from '../errors.js';
import { need, type LoginContext } from './login-context.js';

/**
 * Step 9, key usage: digitalSignature must be set. A citizen card's KEYX
 * (encryption) certificate has only keyEncipherment/dataEncipherment and
 * is refused here, whatever it signed.
 */
export function checkKeyUsage(ctx: LoginContext): void {
  const ku = need(ctx, 'certificate').keyUsage;
  if (ku === undefined || !ku.digitalSignature) {
    throw new WrongKeyUsageError(
      ku === undefined ? 'the certificate has no keyUsage extension' : 'the certificate is not for digital signatures',
    );
  }
}
