import { DerError } from '../../shared/der/der-error.js';
import { type DerNode, encodingOf } from '../../shared/der/der-reader.js';
import { oidOf, sequenceOf, setOf } from '../../shared/der/der-values.js';
import { type AsnStringType, decodeDirectoryString } from './directory-string.js';
import { NameAttributeOid, nameAttributeShortName } from './oids.js';

/** One attribute of a distinguished name. */
export interface NameAttribute {
  /** Attribute type OID. */
  readonly oid: string;
  /** Short name (`CN`, `O`, `OU`, `C`, `L`, `serialNumber`, …) when known. */
  readonly shortName: string | undefined;
  /** Decoded value. */
  readonly value: string;
  /** The ASN.1 string type it was encoded with. */
  readonly stringType: AsnStringType;
}

/** A decoded X.501 distinguished name. */
export interface DistinguishedName {
  /** `C=TW, O=行政院, OU=內政部憑證管理中心`: most significant first, RFC 4514 escaping. */
  readonly text: string;
  /** Every attribute in encoding order (multi-valued RDNs flattened). */
  readonly attributes: readonly NameAttribute[];
  /** The first CN. */
  readonly commonName: string | undefined;
  /** Every O. */
  readonly organizations: readonly string[];
  /** Every OU. */
  readonly organizationalUnits: readonly string[];
  /** Every L (XCA: county, then town). */
  readonly localities: readonly string[];
  /** C. */
  readonly country: string | undefined;
  /** The subject serialNumber attribute (2.5.4.5), not the certificate serial. */
  readonly serialNumber: string | undefined;
  /** emailAddress (PKCS#9), when a legacy DN carries one. */
  readonly email: string | undefined;
  /** The DER as read, for exact comparisons. */
  readonly der: Uint8Array;
}

function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Decodes a Name (SEQUENCE OF RDN). Values that are not strings are rejected. */
export function decodeDistinguishedName(node: DerNode, what: string): DistinguishedName {
  const attributes: NameAttribute[] = [];
  const rdnTexts: string[] = [];
  sequenceOf(node, what).forEach((rdn, index) => {
    const members = setOf(rdn, `${what} RDN ${index + 1}`);
    if (members.length === 0) throw new DerError('DER_SHAPE', `${what} RDN ${index + 1} is empty`);
    const parts = members.map((member) => {
      const fields = sequenceOf(member, `${what} attribute`);
      const [typeNode, valueNode] = fields;
      if (typeNode === undefined || valueNode === undefined || fields.length !== 2) {
        throw new DerError('DER_SHAPE', `${what} attribute is not a (type, value) pair`);
      }
      const oid = oidOf(typeNode, `${what} attribute type`);
      const shortName = nameAttributeShortName(oid);
      const decoded = decodeDirectoryString(valueNode, `${what} ${shortName ?? oid}`);
      attributes.push({ oid, shortName, value: decoded.value, stringType: decoded.stringType });
      return `${shortName ?? oid}=${escapeValue(decoded.value)}`;
    });
    rdnTexts.push(parts.join('+'));
  });
  const all = (oid: string): string[] => attributes.filter((a) => a.oid === oid).map((a) => a.value);
  return {
    text: rdnTexts.join(', '),
    attributes,
    commonName: all(NameAttributeOid.CN)[0],
    organizations: all(NameAttributeOid.O),
    organizationalUnits: all(NameAttributeOid.OU),
    localities: all(NameAttributeOid.L),
    country: all(NameAttributeOid.C)[0],
    serialNumber: all(NameAttributeOid.serialNumber)[0],
    email: all(NameAttributeOid.E)[0],
    der: encodingOf(node),
  };
}
