import { DerError } from '../../../shared/der/der-error.js';
import { readRoot } from '../../../shared/der/der-reader.js';
import { oidOf, sequenceOf } from '../../../shared/der/der-values.js';
import { AccessMethodOid } from '../oids.js';
import { collectGeneralNames } from './general-names.js';

/** URLs from authorityInfoAccess. */
export interface AuthorityInfoAccess {
  /** OCSP responders. */
  readonly ocsp: string[];
  /** Where the issuer's certificate is published. */
  readonly caIssuers: string[];
}

/** authorityInfoAccess (1.3.6.1.5.5.7.1.1). */
export function decodeAuthorityInfoAccess(value: Uint8Array): AuthorityInfoAccess {
  const out: AuthorityInfoAccess = { ocsp: [], caIssuers: [] };
  for (const description of sequenceOf(readRoot(value, 'authorityInfoAccess'), 'authorityInfoAccess')) {
    const fields = sequenceOf(description, 'authorityInfoAccess AccessDescription');
    const [method, location] = fields;
    // Exactly the two: a location after the second was signed and never read.
    if (method === undefined || location === undefined || fields.length !== 2) {
      throw new DerError('DER_SHAPE', `authorityInfoAccess AccessDescription is not (accessMethod, accessLocation): it has ${fields.length} elements`);
    }
    const oid = oidOf(method, 'authorityInfoAccess accessMethod');
    const { uris } = collectGeneralNames([location], 'authorityInfoAccess accessLocation');
    if (oid === AccessMethodOid.ocsp) out.ocsp.push(...uris);
    else if (oid === AccessMethodOid.caIssuers) out.caIssuers.push(...uris);
  }
  return out;
}
