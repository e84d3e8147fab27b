/**
 * The purposes (extendedKeyUsage OIDs) for which a certificate that carries
 * an EKU extension may sign a login or a document; RFC 5280 4.2.1.12 limits
 * such a key to the purposes listed. Real card signing certificates carry no
 * EKU at all (only keyUsage digitalSignature) and are not affected.
 *
 * Kept: purposes whose key signs on behalf of a person or an organisation
 * (a TLS client, an S/MIME sender, a document signer) and "any purpose".
 * Left out on purpose: serverAuth (a web server's key signs for whoever
 * connects, so a login made with it proves nothing about a card holder),
 * timeStamping (a TSA signs any hash on request), codeSigning (a build
 * system's key, not a person's) and OCSPSigning (refused outright, as
 * `CERT_NOT_END_ENTITY`, before this list is looked at).
 */
export const DEFAULT_SIGNER_EXTENDED_KEY_USAGES: readonly string[] = Object.freeze([
  '2.5.29.37.0', // anyExtendedKeyUsage: the CA chose not to restrict the key.
  '1.3.6.1.5.5.7.3.2', // id-kp-clientAuth: what a login is.
  '1.3.6.1.5.5.7.3.4', // id-kp-emailProtection: S/MIME signs CMS, the shape logins and documents use.
  '1.3.6.1.4.1.311.20.2.2', // Microsoft smart card logon: a card holder's logon key, what a login is.
  '1.3.6.1.5.5.7.3.36', // id-kp-documentSigning (RFC 9336).
  '1.3.6.1.4.1.311.10.3.12', // Microsoft document signing (Office, Windows).
  '1.2.840.113583.1.1.5', // Adobe Authentic Documents Trust (PDF signing).
]);

/** Names for the purposes a message is likely to show. */
const PURPOSE_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.29.37.0', 'anyExtendedKeyUsage'],
  ['1.3.6.1.5.5.7.3.1', 'serverAuth'],
  ['1.3.6.1.5.5.7.3.2', 'clientAuth'],
  ['1.3.6.1.5.5.7.3.3', 'codeSigning'],
  ['1.3.6.1.5.5.7.3.4', 'emailProtection'],
  ['1.3.6.1.5.5.7.3.8', 'timeStamping'],
  ['1.3.6.1.5.5.7.3.9', 'OCSPSigning'],
  ['1.3.6.1.5.5.7.3.36', 'documentSigning'],
  ['1.3.6.1.4.1.311.20.2.2', 'smartcardLogon'],
  ['1.3.6.1.4.1.311.10.3.12', 'msDocumentSigning'],
  ['1.2.840.113583.1.1.5', 'adobeAuthenticDocumentsTrust'],
]);

/** Most purposes a message lists: a hostile certificate may carry thousands, and messages end up in logs. */
const MAX_LISTED = 8;

/** `serverAuth (1.3.6.1.5.5.7.3.1), …` for a message, at most {@link MAX_LISTED} entries. */
export function purposesText(oids: Iterable<string>): string {
  const all = [...oids];
  const shown = all.slice(0, MAX_LISTED).map((oid) => {
    const name = PURPOSE_NAMES.get(oid);
    return name === undefined ? oid : `${name} (${oid})`;
  });
  if (all.length > MAX_LISTED) shown.push(`… ${all.length - MAX_LISTED} more`);
  return shown.join(', ');
}

