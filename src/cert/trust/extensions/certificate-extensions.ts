import { contentBytes, decodeOid, expectTag, readChildren, type DerElement } from '../der/der-reader.js';
import { decodeBasicConstraints, type BasicConstraintsValue } from './basic-constraints.js';
import { decodeAuthorityKeyId, decodeSubjectKeyId } from './key-identifiers.js';
import { decodeKeyUsage, type KeyUsageBits } from './key-usage.js';
import { decodeExtendedKeyUsage, decodePolicies } from './oid-lists.js';
import { decodeCrlUrls, decodeOcspUrls } from './revocation-urls.js';

/** The extensions trust checks read; the rest are only noted if critical. */
export interface CertificateExtensions {
  subjectKeyId?: string;
  authorityKeyId?: string;
  basicConstraints?: BasicConstraintsValue;
  keyUsage?: KeyUsageBits;
  extendedKeyUsage?: string[];
  ocspUrls: string[];
  crlUrls: string[];
  policies: string[];
  critical: string[];
}

type Decoder = (value: Uint8Array, into: CertificateExtensions) => void;

/** One decoder per extension OID; an extension not listed is skipped (but its criticality recorded). */
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['2.5.29.14', (v, x) => void (x.subjectKeyId = decodeSubjectKeyId(v))],
  ['2.5.29.35', (v, x) => void (x.authorityKeyId = decodeAuthorityKeyId(v))],
  ['2.5.29.19', (v, x) => void (x.basicConstraints = decodeBasicConstraints(v))],
  ['2.5.29.15', (v, x) => void (x.keyUsage = decodeKeyUsage(v))],
  ['2.5.29.37', (v, x) => void (x.extendedKeyUsage = decodeExtendedKeyUsage(v))],
  ['2.5.29.32', (v, x) => void x.policies.push(...decodePolicies(v))],
  ['1.3.6.1.5.5.7.1.1', (v, x) => void x.ocspUrls.push(...decodeOcspUrls(v))],
  ['2.5.29.31', (v, x) => void x.crlUrls.push(...decodeCrlUrls(v))],
]);

/** Decodes the `extensions` SEQUENCE of a tbsCertificate. A malformed known extension throws. */
export function decodeExtensions(der: Uint8Array, extensions: DerElement | undefined): CertificateExtensions {
  const out: CertificateExtensions = { ocspUrls: [], crlUrls: [], policies: [], critical: [] };
  if (extensions === undefined) return out;
  for (const ext of readChildren(der, expectTag(extensions, 0x30, 'extensions'))) {
    const parts = readChildren(der, expectTag(ext, 0x30, 'Extension'));
    const oid = decodeOid(contentBytes(der, expectTag(parts[0], 0x06, 'extnID')));
    const value = contentBytes(der, expectTag(parts[parts.length - 1], 0x04, 'extnValue'));
    const flag = parts.length === 3 ? expectTag(parts[1], 0x01, 'critical') : undefined;
    if (flag !== undefined && der[flag.contentStart] !== 0) out.critical.push(oid);
    DECODERS.get(oid)?.(value, out);
  }
  return out;
}
