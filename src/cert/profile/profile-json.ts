import type { CertificateProfile } from './certificate-profile.js';
import type { DistinguishedName } from './distinguished-name.js';
import { toHex } from '../../shared/bytes.js';

/**
 * JSON-ready form of a distinguished name (DER as hex). A value that is not text has `stringType: null`: JSON drops
 * an undefined key, and a reader of the JSON must still tell its `#` hex from text.
 */
function nameJson(name: DistinguishedName): Record<string, unknown> {
  return { ...name, attributes: name.attributes.map((a) => ({ ...a, stringType: a.stringType ?? null })), der: toHex(name.der) };
}

/**
 * A plain-JSON view of a profile for CLIs and logs: dates as ISO strings,
 * bytes as hex, the certificate itself as base64.
 */
export function certificateProfileToJson(profile: CertificateProfile): Record<string, unknown> {
  return {
    ...profile,
    subject: nameJson(profile.subject),
    issuer: nameJson(profile.issuer),
    validity: { notBefore: profile.validity.notBefore.toISOString(), notAfter: profile.validity.notAfter.toISOString() },
    der: Buffer.from(profile.der).toString('base64'),
  };
}
