import { toHex } from '../../shared/bytes.js';
import { DerError } from '../../shared/der/der-error.js';
import { type DerNode, encodingOf } from '../../shared/der/der-reader.js';
import { oidOf, sequenceOf, setOf } from '../../shared/der/der-values.js';
import { type AsnStringType, decodeDirectoryString, isCharacterString } from './directory-string.js';
import { NameAttributeOid, nameAttributeShortName } from './oids.js';

/** One attribute of a distinguished name. */
export interface NameAttribute {
  /** Attribute type OID. */
  readonly oid: string;
  /** Short name (`CN`, `O`, `OU`, `C`, `L`, `serialNumber`, …) when known. */
  readonly shortName: string | undefined;
  /**
   * Decoded value. A value that is not a character string (an OCTET STRING, a SEQUENCE…, which X.501 allows) is
   * shown as RFC 4514 writes it, `#` and the hex of its DER (`#0403010203`), with `stringType` undefined: that is a
   * rendering, not the holder's text. Compare or match a value only when `stringType` is set.
   */
  readonly value: string;
  /** The ASN.1 string type it was encoded with; `undefined` when the value is not a character string. */
  readonly stringType: AsnStringType | undefined;
}

/**
 * A decoded X.501 distinguished name.
 *
 * The named fields (`commonName`, `organizations`, `serialNumber`…) hold text only. When any value of a type is not
 * a character string, that field is absent (`undefined`, or an empty list), never the `#` hex form and never the
 * other values of the type without it: the holder rules read them as the holder's name or ID, and a list with one
 * value left out names something else (the O before the one left out). `text` and `attributes` show every value.
 */
export interface DistinguishedName {
  /**
   * `C=TW, O=行政院, OU=內政部憑證管理中心`: most significant first, values
   * escaped (RFC 4514 specials, control characters as `\XX`): always one line.
   * A value that is not a character string is `#` and its DER in hex (RFC 4514 2.4); a text value
   * starting with `#` is escaped (`\#`), so the two never read alike.
   */
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

/** The attribute types {@link DistinguishedName} has a named field for. */
const NAMED_FIELD_TYPES: ReadonlySet<string> = new Set([
  NameAttributeOid.CN,
  NameAttributeOid.O,
  NameAttributeOid.OU,
  NameAttributeOid.L,
  NameAttributeOid.C,
  NameAttributeOid.serialNumber,
  NameAttributeOid.E,
]);

/**
 * Whether a value of a type the named fields hold (CN, O, OU, L, C, serialNumber, E) is not a character string, so
 * that field is absent. The profile then reads no holder from the name: a holder rule's fallback (an O where the CN
 * is missing) would name someone the certificate did not.
 */
export function hasNonTextNamedField(name: DistinguishedName): boolean {
  return name.attributes.some((a) => a.stringType === undefined && NAMED_FIELD_TYPES.has(a.oid));
}

/** RFC 4514 specials, escaped as `\c` anywhere in a value (`=` too: harmless, and a spoofed `O=` reads as data). */
const SPECIAL = /[\\,+"<>;=]/;
/**
 * Characters that would break a rendered name out of its line or reorder it
 * on screen: C0/C1 controls and DEL (CR, LF, NUL, ESC of ANSI sequences,
 * NEL), the Unicode line and paragraph separators, and bidirectional
 * controls. Escaped as `\XX` per UTF-8 octet (RFC 4514 hexpair). Every other
 * character, Chinese included, is kept as it is.
 */
const HIDDEN_CLASS = String.raw`\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069`;
const HIDDEN = new RegExp(`[${HIDDEN_CLASS}]`, 'u');
const NEEDS_ESCAPE = new RegExp(String.raw`[\\,+"<>;=${HIDDEN_CLASS}]|^[ #]| $`, 'u');

/**
 * An attribute value as RFC 4514 text that always stays one value on one
 * line: specials, a leading space or `#`, a trailing space and invisible
 * control characters are escaped, so a CN of `Mallory, O=行政院` or one with
 * CR/LF cannot pose as other attributes or as another log line.
 */
export function escapeNameValue(value: string): string {
  // Names are rendered for every certificate decoded; ordinary ones need no work.
  if (!NEEDS_ESCAPE.test(value)) return value;
  const chars = Array.from(value);
  const last = chars.length - 1;
  return chars
    .map((c, i) => {
      if (HIDDEN.test(c)) return hexEscape(c);
      if (SPECIAL.test(c) || (i === 0 && (c === ' ' || c === '#')) || (i === last && c === ' ')) return `\\${c}`;
      return c;
    })
    .join('');
}

const HIDDEN_ALL = new RegExp(`[${HIDDEN_CLASS}]`, 'gu');

/**
 * A value as one line of text: only the invisible characters {@link escapeNameValue} escapes (controls, line
 * separators, bidirectional controls) become `\XX`; commas and the other RFC 4514 specials stay as they are. For
 * showing a holder name, card type or URL from a certificate, whose text its issuer chose, on a terminal or in a log.
 */
export function escapeHiddenCharacters(value: string): string {
  return HIDDEN.test(value) ? value.replace(HIDDEN_ALL, hexEscape) : value;
}

function hexEscape(c: string): string {
  return Array.from(Buffer.from(c, 'utf8'), (b) => `\\${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/**
 * Decodes a Name (SEQUENCE OF RDN). A value that is not a character string is kept as `#` and the hex of its DER
 * (see {@link NameAttribute.value}); a character string that does not decode (bad UTF-8, an odd BMPString) is refused.
 */
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
      if (!isCharacterString(valueNode)) {
        // RFC 4514 2.4: `#` and the hex of the value's encoding. Hex digits need no escaping.
        const hex = `#${toHex(encodingOf(valueNode))}`;
        attributes.push({ oid, shortName, value: hex, stringType: undefined });
        return `${shortName ?? oid}=${hex}`;
      }
      const decoded = decodeDirectoryString(valueNode, `${what} ${shortName ?? oid}`);
      attributes.push({ oid, shortName, value: decoded.value, stringType: decoded.stringType });
      return `${shortName ?? oid}=${escapeNameValue(decoded.value)}`;
    });
    rdnTexts.push(parts.join('+'));
  });
  // Text values only, and none when any value of the type is not text (see DistinguishedName).
  const all = (oid: string): string[] => {
    const of = attributes.filter((a) => a.oid === oid);
    return of.every((a) => a.stringType !== undefined) ? of.map((a) => a.value) : [];
  };
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
