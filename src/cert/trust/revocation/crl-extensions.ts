import { DerError } from '../../../shared/der/der-error.js';
import { ExtensionCursor } from '../../../shared/der/der-extensions.js';
import { decodeObjectIdentifier } from '../../../shared/der/der-primitives.js';
import { contentOf, readElement, type DerNode } from '../../../shared/der/der-reader.js';
import { enumeratedOf } from '../../../shared/der/der-values.js';
import { decodeAuthorityKeyIdentifier } from '../../profile/extensions/key-identifiers.js';
import { reasonFromCode, type RevocationReason } from './revocation-status.js';

/**
 * CRL extensions twpki processes, or whose meaning leaves a complete CRL's
 * answer unchanged. RFC 5280 5.2: a CRL with a critical extension outside
 * this set must not be used (its meaning could narrow or change the list).
 */
export const UNDERSTOOD_CRL_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.35', // authorityKeyIdentifier: matched to the issuer
  '2.5.29.20', // cRLNumber: a sequence number, no constraint
  '2.5.29.28', // issuingDistributionPoint: its scope is enforced (crl-scope.ts)
  '2.5.29.27', // deltaCRLIndicator: such a CRL is refused as incomplete
  '2.5.29.46', // freshestCRL: points to delta CRLs; not reading them only makes answers less fresh
  '2.5.29.18', // issuerAltName: another name of the issuer, no constraint
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess: where the issuer's certificate is, no constraint
]);

/**
 * CRL entry extensions twpki processes, or which change nothing about
 * whether the entry revokes. certificateIssuer (2.5.29.29) is not here: it
 * belongs to indirect CRLs, which twpki refuses.
 */
const UNDERSTOOD_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.21', // reasonCode
  '2.5.29.24', // invalidityDate: informational
  '2.5.29.23', // holdInstructionCode: informational
]);

/**
 * crlEntryExtensions holding one non-critical reasonCode, up to the reason's
 * value octet: what most entries of a GPKI CRL carry (a quarter or more).
 */
const REASON_ONLY = [0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01];

/**
 * The first critical extension not understood in the crlEntryExtensions
 * element at `start` (the entry ending at `end`), or `undefined`. Runs only
 * for entries that carry extensions; a reasonCode-only entry is recognised
 * by its bytes (any one-octet ENUMERATED is well formed), the others are
 * read by the one Extension reader, so a malformed one (a critical flag out
 * of place, a repeated OID, a reasonCode that is not one DER ENUMERATED) is
 * refused, not skipped.
 * `cursor` reads the extensions: one made by {@link entryExtensionCursor} serves all the CRL's entries.
 * @throws DerError when the extensions are not well-formed, or something follows them in the entry.
 */
export function unknownCriticalEntryExtension(
  der: Uint8Array,
  start: number,
  end: number,
  cursor: ExtensionCursor = entryExtensionCursor(der),
): string | undefined {
  if (end - start === REASON_ONLY.length + 1 && REASON_ONLY.every((b, i) => der[start + i] === b)) return undefined;
  const exts = readElement(der, start, end, 'crlEntryExtensions');
  if (exts.end !== end) throw new DerError('DER_SHAPE', 'revoked entry has an element after its crlEntryExtensions');
  let unknown: string | undefined;
  for (let ext = cursor.first(exts); ext !== undefined; ext = cursor.next()) {
    // Checked here, on every entry, rather than when the entry is looked up: a malformed reason refuses the CRL
    // whichever serial is asked about.
    if (isReasonCode(ext.oid)) entryReasonOf(ext.value);
    // Only a critical extension's OID is decoded, to be looked up.
    if (!ext.critical || unknown !== undefined) continue;
    const id = decodeObjectIdentifier(contentOf(ext.oid));
    if (!UNDERSTOOD_ENTRY_EXTENSIONS.has(id)) unknown = id;
  }
  return unknown;
}

/** A cursor over the crlEntryExtensions of the CRL `der`, for {@link unknownCriticalEntryExtension}: one serves every entry. */
export function entryExtensionCursor(der: Uint8Array): ExtensionCursor {
  return new ExtensionCursor(der, 'crlEntryExtensions', 'CRL entry extension');
}

/** Whether the extnID element `oid` is reasonCode (2.5.29.21), compared as bytes: nothing decoded per entry. */
export function isReasonCode(oid: DerNode): boolean {
  const { source, contentStart } = oid;
  return oid.end - contentStart === 3 && source[contentStart] === 0x55 && source[contentStart + 1] === 0x1d && source[contentStart + 2] === 0x15;
}

/**
 * The reason a reasonCode entry extension gives, from its extnValue element:
 * that must hold exactly one DER ENUMERATED (RFC 5280 5.3.1), or the CRL is
 * malformed. A well-formed value outside RFC 5280's CRLReason list (7, or
 * any it does not name) is `undefined`, an unrecognised reason: the entry
 * still revokes, only its reason is not named.
 * @throws DerError when extnValue is anything else.
 */
export function entryReasonOf(extnValue: DerNode): RevocationReason | undefined {
  const { source, contentStart, end } = extnValue;
  const what = 'reasonCode (2.5.29.21) extnValue';
  const enumerated = readElement(source, contentStart, end, what);
  if (enumerated.end !== end) throw new DerError('DER_SHAPE', `${what} has ${end - enumerated.end} bytes after its ENUMERATED`);
  return reasonFromCode(enumeratedOf(enumerated, what));
}

/**
 * The keyIdentifier of a CRL's authorityKeyIdentifier extnValue, lower-case
 * hex (as `TrustedCertificate` spells key identifiers), or `undefined`. Read
 * by the certificates' reader: the CRL's parse and its signed envelope both
 * call this, so the key a CRL names is read one way.
 * @throws DerError when the extension is malformed.
 */
export function crlAuthorityKeyId(value: Uint8Array): string | undefined {
  return decodeAuthorityKeyIdentifier(value)?.toLowerCase();
}
