import type { CardHolderCredentials } from '../pki/index.js';
import type { VirtualCardCredentials } from './virtual-card-options.js';

/**
 * What a virtual card stores for a card holder the test PKI issued: its SIGN and KEYX keys with their
 * certificates, and the issuing CA and root (`CACert`, `ROOTCACert`). For `new VirtualHiCOSCard({ credentials })`,
 * e.g. to put one holder in a new card per test: each card keeps its own PIN tries and state.
 */
export function virtualCardCredentials(holder: CardHolderCredentials): VirtualCardCredentials {
  return {
    sign: { certificate: holder.sign.certificate, privateKey: holder.sign.privateKey },
    keyx: { certificate: holder.keyx.certificate, privateKey: holder.keyx.privateKey },
    caCertificates: [...holder.chain],
  };
}
