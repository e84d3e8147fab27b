import { decodeObjectIdentifier } from '../../../shared/der/der-primitives.js';
import { contentOf, readElement } from '../../../shared/der/der-reader.js';
import { booleanOf } from '../../../shared/der/der-values.js';
import { DerError } from '../../../shared/der/der-error.js';

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
 * by its bytes, and other extensions' OIDs are decoded only when marked
 * critical, so a 400k-entry CRL parses at nearly the same speed.
 * @throws DerError when the extensions are not well-formed.
 */
export function unknownCriticalEntryExtension(der: Uint8Array, start: number, end: number): string | undefined {
  if (end - start === REASON_ONLY.length + 1 && REASON_ONLY.every((b, i) => der[start + i] === b)) return undefined;
  const exts = readElement(der, start, end, 'crlEntryExtensions');
  if (exts.tag !== 0x30) throw new DerError('DER_SHAPE', 'crlEntryExtensions is not a SEQUENCE');
  let pos = exts.contentStart;
  while (pos < exts.end) {
    const ext = readElement(der, pos, exts.end, 'Extension');
    pos = ext.end;
    const oid = readElement(der, ext.contentStart, ext.end, 'extnID');
    // critical BOOLEAN follows the OID only when TRUE (DER omits the FALSE default). Read as an element, so a
    // BER length form cannot hide a TRUE, by the one BOOLEAN reader, as the CRL-level flags are.
    const critical = oid.end < ext.end && der[oid.end] === 0x01 && booleanOf(readElement(der, oid.end, ext.end, 'critical'), 'critical');
    if (!critical) continue;
    const id = decodeObjectIdentifier(contentOf(oid));
    if (!UNDERSTOOD_ENTRY_EXTENSIONS.has(id)) return id;
  }
  return undefined;
}
