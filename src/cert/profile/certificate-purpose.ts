import type { BasicConstraints } from './extensions/basic-constraints.js';
import type { KeyUsageName } from './extensions/key-usage.js';

/**
 * What the certificate is for, the way a card's two certificates split:
 * `signing` (SIGN: digitalSignature/nonRepudiation), `encryption` (KEYX:
 * key/data encipherment or key agreement), `ca`, or `other` (no key usage,
 * or signing and encryption bits together).
 */
export type CertificatePurpose = 'signing' | 'encryption' | 'ca' | 'other';

const SIGNING: readonly KeyUsageName[] = ['digitalSignature', 'nonRepudiation'];
const ENCRYPTION: readonly KeyUsageName[] = ['keyEncipherment', 'dataEncipherment', 'keyAgreement'];

/** Derives the purpose from keyUsage and basicConstraints. */
export function certificatePurposeOf(
  keyUsage: readonly KeyUsageName[] | undefined,
  basicConstraints: BasicConstraints | undefined,
): CertificatePurpose {
  if (basicConstraints?.ca === true || keyUsage?.includes('keyCertSign') === true) return 'ca';
  if (keyUsage === undefined) return 'other';
  const signs = keyUsage.some((u) => SIGNING.includes(u));
  const encrypts = keyUsage.some((u) => ENCRYPTION.includes(u));
  if (signs && !encrypts) return 'signing';
  if (encrypts && !signs) return 'encryption';
  return 'other';
}
