import { bufferOf } from '../../shared/bytes.js';
import { decodeObjectIdentifier } from '../../shared/der/der-primitives.js';
import { childrenOf, contentOf, expectTag, readRoot, type DerNode } from '../../shared/der/der-reader.js';

/**
 * Distinguished-name equality as RFC 5280 §7.1 asks for it: the same RDNs in
 * the same order, each with the same attribute types (compared exactly) and
 * values equal after LDAP string preparation (RFC 4518).
 *
 * Byte-identical names are equal at once: that is every name in a real
 * Taiwan chain, and chain building and revocation compare names on the
 * login path. The prepared comparison is for the rest: a CA generation that
 * re-encodes its name (PrintableString ↔ UTF8String ↔ BMPString), case or
 * space differences in caseIgnoreMatch attributes.
 *
 * A name that is not a well-formed Name equals only its own bytes.
 */
export function namesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (bufferOf(a).equals(bufferOf(b))) return true;
  const keyA = nameMatchKey(a);
  return keyA !== undefined && keyA === nameMatchKey(b);
}

/**
 * A string that is equal for two names exactly when {@link namesEqual} says
 * they are (undefined when `der` is not a well-formed Name). For a caller
 * that compares one name against many: prepare each once, compare strings.
 */
export function nameMatchKey(der: Uint8Array): string | undefined {
  try {
    const rdns: string[][] = [];
    for (const rdn of childrenOf(expectTag(readRoot(der, 'Name'), 0x30, 'Name'), 'Name')) {
      const atvs: string[] = [];
      for (const atv of childrenOf(expectTag(rdn, 0x31, 'RDN'), 'RDN')) atvs.push(attributeKey(atv));
      if (atvs.length === 0) return undefined;
      // A multi-valued RDN is a set: its members match in any order.
      rdns.push(atvs.sort());
    }
    // JSON keeps the nesting unambiguous whatever the values contain.
    return JSON.stringify(rdns);
  } catch {
    return undefined;
  }
}

function attributeKey(atv: DerNode): string {
  const parts = childrenOf(expectTag(atv, 0x30, 'AttributeTypeAndValue'), 'AttributeTypeAndValue');
  const [typeNode, valueNode] = parts;
  if (parts.length !== 2 || valueNode === undefined) throw new Error('AttributeTypeAndValue is not a type and a value');
  const type = decodeObjectIdentifier(contentOf(expectTag(typeNode, 0x06, 'attribute type')));
  const text = decodeDirectoryString(valueNode.tag, contentOf(valueNode));
  // Values that are not text (or text that does not decode) match only their exact encoding.
  if (text === undefined) return `${type}#${valueNode.tag.toString(16)}:${bufferOf(contentOf(valueNode)).toString('hex')}`;
  return `${type}=${prepare(text, CASE_IGNORE.has(type))}`;
}

/**
 * Attribute types whose equality rule is caseIgnoreMatch or caseIgnoreIA5Match
 * (X.520, RFC 4519, PKCS #9): the naming attributes certificates use. Other
 * types keep their case; they still get the rest of the preparation.
 */
const CASE_IGNORE: ReadonlySet<string> = new Set([
  '2.5.4.3', // commonName
  '2.5.4.4', // surname
  '2.5.4.5', // serialNumber
  '2.5.4.6', // countryName
  '2.5.4.7', // localityName
  '2.5.4.8', // stateOrProvinceName
  '2.5.4.9', // streetAddress
  '2.5.4.10', // organizationName
  '2.5.4.11', // organizationalUnitName
  '2.5.4.12', // title
  '2.5.4.17', // postalCode
  '2.5.4.41', // name
  '2.5.4.42', // givenName
  '2.5.4.43', // initials
  '2.5.4.44', // generationQualifier
  '2.5.4.46', // dnQualifier
  '2.5.4.65', // pseudonym
  '2.5.4.97', // organizationIdentifier
  '0.9.2342.19200300.100.1.1', // uid
  '0.9.2342.19200300.100.1.25', // domainComponent
  '1.2.840.113549.1.9.1', // emailAddress
]);

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const UTF16BE = new TextDecoder('utf-16be', { fatal: true });

/**
 * The text of a string value whatever its ASN.1 type (RFC 4518 §2.1,
 * transcode), or undefined for a non-string or one that does not decode.
 * TeletexString is decoded only when it is plain ASCII: its real character
 * set (T.61) is not what encoders put in it, so anything else is compared
 * byte for byte rather than guessed.
 */
function decodeDirectoryString(tag: number, bytes: Uint8Array): string | undefined {
  try {
    switch (tag) {
      case 0x0c: // UTF8String
        return UTF8.decode(bytes);
      case 0x1e: // BMPString
        return UTF16BE.decode(bytes);
      case 0x1c: // UniversalString
        return ucs4(bytes);
      case 0x12: // NumericString
      case 0x13: // PrintableString
      case 0x14: // TeletexString
      case 0x16: // IA5String
      case 0x1a: // VisibleString
        return bytes.every((b) => b < 0x80) ? bufferOf(bytes).toString('latin1') : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined; // malformed UTF-8 / UTF-16
  }
}

function ucs4(bytes: Uint8Array): string | undefined {
  if (bytes.length % 4 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const cp = view.getUint32(i);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    text += String.fromCodePoint(cp);
  }
  return text;
}

/** RFC 4518 §2.2: code points mapped to nothing (soft hyphens, joiners, variation selectors, controls). */
const MAPPED_TO_NOTHING =
  /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u034f\u06dd\u070f\u1806\u180b-\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2063\u206a-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffc\u{1d173}-\u{1d17a}\u{e0001}\u{e0020}-\u{e007f}]/gu;
/** RFC 4518 §2.2: code points mapped to SPACE (tabs, line breaks, every separator). */
const MAPPED_TO_SPACE = /[\t\n\u000b\f\r\u0085\p{Zs}\p{Zl}\p{Zp}]/gu;

/**
 * RFC 4518 string preparation, steps map, normalize (NFKC) and insignificant
 * space handling; case folding for caseIgnoreMatch types. Case folding is
 * JavaScript's full upper-then-lower mapping, close to RFC 3454 B.2 (ß and
 * ς fold as B.2 folds them). The prohibit and bidi steps are left out: they
 * make a value unmatchable, and such a value still equals its own bytes.
 */
function prepare(text: string, caseIgnore: boolean): string {
  let s = text.replace(MAPPED_TO_NOTHING, '').replace(MAPPED_TO_SPACE, ' ');
  if (caseIgnore) s = s.toUpperCase().toLowerCase();
  s = s.normalize('NFKC');
  // Insignificant spaces (§2.6.1): none at either end, runs inside count as one.
  return s.trim().replace(/ +/g, ' ');
}
