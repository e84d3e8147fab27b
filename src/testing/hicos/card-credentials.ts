import { KeyObject } from 'node:crypto';
import type { CardHolderCredentials } from '../pki/index.js';
import { TestPkiError } from '../pki/errors.js';
import type { VirtualCardCredentials } from './virtual-card-options.js';

/**
 * What a virtual card stores for a card holder the test PKI issued: its SIGN and KEYX keys with their
 * certificates, and the issuing CA and root (`CACert`, `ROOTCACert`). For `new VirtualHiCOSCard({ credentials })`,
 * e.g. to put one holder in a new card per test: each card keeps its own PIN tries and state.
 * @throws TestPkiError `BAD_OPTIONS` when `holder` is not a card holder's credentials
 */
export function virtualCardCredentials(holder: CardHolderCredentials): VirtualCardCredentials {
  // Checked here rather than as "Cannot read properties of undefined" (a holder not awaited, a virtual card passed
  // in place of its holder).
  const h = holder as Partial<CardHolderCredentials> | null | undefined;
  const keyed = (pair: unknown): boolean => {
    const p = pair as { certificate?: unknown; privateKey?: unknown } | undefined;
    return p?.certificate instanceof Uint8Array && p.privateKey instanceof KeyObject;
  };
  if (!keyed(h?.sign) || !keyed(h?.keyx) || !Array.isArray(h?.chain)) {
    throw new TestPkiError('BAD_OPTIONS', "virtualCardCredentials: holder must be a card holder's credentials, as await pki.issueCardHolder(...) returns them");
  }
  return {
    sign: { certificate: holder.sign.certificate, privateKey: holder.sign.privateKey },
    keyx: { certificate: holder.keyx.certificate, privateKey: holder.keyx.privateKey },
    caCertificates: [...holder.chain],
  };
}
