import type { CertificateDirectoryEntry } from './certificate-directory.js';

/** What a certificate on the card is for. */
export type CertificateUsage = 'SIGN' | 'KEYX' | 'CA' | 'OTHER';

const SIGN_ID = '5349474e';
const KEYX_ID = '4b455958';

/**
 * Classifies a CDF entry: the iD `SIGN`/`KEYX` first, then the CA flag or a
 * CA label (`CACert`, `ROOTCACert`), then the labels `cert1`/`cert2` the
 * official middleware uses.
 */
export function certificateUsage(entry: Pick<CertificateDirectoryEntry, 'id' | 'label' | 'authority'>): CertificateUsage {
  const id = Buffer.from(entry.id).toString('hex');
  if (id === SIGN_ID) return 'SIGN';
  if (id === KEYX_ID) return 'KEYX';
  if (entry.authority || /ca/i.test(entry.label)) return 'CA';
  if (entry.label === 'cert1') return 'SIGN';
  if (entry.label === 'cert2') return 'KEYX';
  return 'OTHER';
}
