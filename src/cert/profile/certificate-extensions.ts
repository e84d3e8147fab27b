import { CertificateParseError } from './errors.js';
import type { RawExtension } from './certificate-structure.js';
import { type AuthorityInfoAccess, decodeAuthorityInfoAccess } from './extensions/authority-info-access.js';
import { type BasicConstraints, decodeBasicConstraints } from './extensions/basic-constraints.js';
import { decodeCertificatePolicies } from './extensions/certificate-policies.js';
import { decodeCrlDistributionPoints } from './extensions/crl-distribution-points.js';
import { decodeExtendedKeyUsage } from './extensions/extended-key-usage.js';
import type { GeneralNameValues } from './extensions/general-names.js';
import { decodeAuthorityKeyIdentifier, decodeSubjectKeyIdentifier } from './extensions/key-identifiers.js';
import { decodeKeyUsage, type KeyUsageName } from './extensions/key-usage.js';
import { decodeSubjectAltName } from './extensions/subject-alt-name.js';
import { decodeSubjectDirectoryAttributes, type DirectoryAttribute } from './extensions/subject-directory-attributes.js';
import { ExtensionOid } from './oids.js';

/** The decoded extensions a profile reads; absent extensions are undefined. */
export interface DecodedExtensions {
  keyUsage?: KeyUsageName[];
  basicConstraints?: BasicConstraints;
  policies?: string[];
  crlUrls?: string[];
  authorityInfoAccess?: AuthorityInfoAccess;
  subjectKeyId?: string;
  authorityKeyId?: string | undefined;
  subjectAltName?: GeneralNameValues;
  extendedKeyUsage?: string[];
  directoryAttributes?: DirectoryAttribute[];
}

/** Extensions decoded before, and which OIDs were decoded (present or not). */
export interface EarlierExtensions {
  /** The decoded values. */
  readonly values: DecodedExtensions;
  /** The OIDs that were looked at; the others are still to decode. */
  readonly oids: ReadonlySet<string>;
}

/** One entry of the extension registry: a name for errors and where the result goes. */
interface ExtensionDecoder {
  readonly name: string;
  decode(value: Uint8Array, into: DecodedExtensions): void;
}

// One decoder per extension, like a factory keyed by OID; unknown OIDs are
// kept generically (listed in the profile) and never fail the parse.
const DECODERS: ReadonlyMap<string, ExtensionDecoder> = new Map<string, ExtensionDecoder>([
  [ExtensionOid.keyUsage, { name: 'keyUsage', decode: (v, d) => void (d.keyUsage = decodeKeyUsage(v)) }],
  [ExtensionOid.basicConstraints, { name: 'basicConstraints', decode: (v, d) => void (d.basicConstraints = decodeBasicConstraints(v)) }],
  [ExtensionOid.certificatePolicies, { name: 'certificatePolicies', decode: (v, d) => void (d.policies = decodeCertificatePolicies(v)) }],
  [ExtensionOid.crlDistributionPoints, { name: 'cRLDistributionPoints', decode: (v, d) => void (d.crlUrls = decodeCrlDistributionPoints(v)) }],
  [ExtensionOid.authorityInfoAccess, { name: 'authorityInfoAccess', decode: (v, d) => void (d.authorityInfoAccess = decodeAuthorityInfoAccess(v)) }],
  [ExtensionOid.subjectKeyIdentifier, { name: 'subjectKeyIdentifier', decode: (v, d) => void (d.subjectKeyId = decodeSubjectKeyIdentifier(v)) }],
  [ExtensionOid.authorityKeyIdentifier, { name: 'authorityKeyIdentifier', decode: (v, d) => void (d.authorityKeyId = decodeAuthorityKeyIdentifier(v)) }],
  [ExtensionOid.subjectAltName, { name: 'subjectAltName', decode: (v, d) => void (d.subjectAltName = decodeSubjectAltName(v)) }],
  [ExtensionOid.extendedKeyUsage, { name: 'extKeyUsage', decode: (v, d) => void (d.extendedKeyUsage = decodeExtendedKeyUsage(v)) }],
  [
    ExtensionOid.subjectDirectoryAttributes,
    { name: 'subjectDirectoryAttributes', decode: (v, d) => void (d.directoryAttributes = decodeSubjectDirectoryAttributes(v)) },
  ],
]);

/** Whether the profile decodes this extension OID. */
export function isKnownExtension(oid: string): boolean {
  return DECODERS.has(oid);
}

/** Which extensions {@link decodeExtensions} decodes, and into what. */
export interface DecodeExtensionsOptions {
  /** Decode only the extensions whose OID passes; default all known ones. */
  readonly include?: (oid: string) => boolean;
  /** Add to these already decoded values (a copy is made) instead of starting empty. */
  readonly onto?: DecodedExtensions;
}

/**
 * Decodes the known extensions; a malformed one fails with `BAD_EXTENSION`
 * naming it. The trust view decodes the extensions its checks read first and
 * the profile adds the rest `onto` them later, so none is decoded twice.
 */
export function decodeExtensions(extensions: readonly RawExtension[], options: DecodeExtensionsOptions = {}): DecodedExtensions {
  const decoded: DecodedExtensions = { ...options.onto };
  for (const extension of extensions) {
    const decoder = DECODERS.get(extension.oid);
    if (decoder === undefined || (options.include !== undefined && !options.include(extension.oid))) continue;
    try {
      decoder.decode(extension.value, decoded);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new CertificateParseError('BAD_EXTENSION', `malformed ${decoder.name} extension (${extension.oid}): ${detail}`, { cause });
    }
  }
  return decoded;
}
