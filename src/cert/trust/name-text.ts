import { decodeObjectIdentifier } from '../../shared/der/der-primitives.js';
import { toHex } from '../../shared/bytes.js';
import { childrenOf, contentOf, encodingOf, expectTag, readRoot } from '../../shared/der/der-reader.js';
import { escapeNameValue } from '../profile/distinguished-name.js';

const SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['1.2.840.113549.1.9.1', 'E'],
]);

/**
 * Renders a DER Name as `C=TW, O=行政院, OU=…` (encoding order, most
 * significant first, as operators read it in Windows' certificate dialog),
 * decoding UTF8String, PrintableString, IA5String, TeletexString and
 * BMPString. For messages only; the profile layer owns structured names.
 *
 * Values are escaped as the profile's `subject.text` is (RFC 4514 specials,
 * control characters as `\XX`), and the members of a multi-valued RDN are
 * joined with `+`: the text feeds every chain and revocation message and
 * log line, so a CN such as `Mallory, O=行政院, OU=內政部憑證管理中心` must
 * not read as three attributes, nor a CR/LF in it start a new log line.
 */
export function nameToText(der: Uint8Array): string {
  const rdns: string[] = [];
  for (const rdn of childrenOf(expectTag(readRoot(der), 0x30, 'Name'))) {
    const parts: string[] = [];
    for (const atv of childrenOf(expectTag(rdn, 0x31, 'RDN'))) {
      const [typeEl, valueEl] = childrenOf(expectTag(atv, 0x30, 'AttributeTypeAndValue'));
      const oid = decodeObjectIdentifier(contentOf(expectTag(typeEl, 0x06, 'attribute type')));
      if (valueEl === undefined) throw new Error('attribute without value');
      parts.push(`${SHORT_NAMES.get(oid) ?? oid}=${valueText(valueEl.tag, contentOf(valueEl), encodingOf(valueEl))}`);
    }
    rdns.push(parts.join('+'));
  }
  return rdns.join(', ');
}

/**
 * A decoded string, escaped; any other value as RFC 4514 2.4 writes it, `#` and the hex of its whole encoding (tag and
 * length too: the content alone does not say what the value was), as the profile's `subject.text` shows it. Never
 * escaped: hex digits only.
 */
function valueText(tag: number, content: Uint8Array, encoding: Uint8Array): string {
  const text = decodeString(tag, content);
  return text === undefined ? `#${toHex(encoding)}` : escapeNameValue(text);
}

function decodeString(tag: number, bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes);
  switch (tag) {
    case 0x0c:
      return buf.toString('utf8');
    case 0x1e: {
      // BMPString is UTF-16 big-endian; node only decodes little-endian.
      const swapped = Buffer.alloc(buf.length - (buf.length % 2));
      for (let i = 0; i + 1 < buf.length; i += 2) {
        swapped[i] = buf[i + 1] as number;
        swapped[i + 1] = buf[i] as number;
      }
      return swapped.toString('utf16le');
    }
    case 0x13:
    case 0x16:
    case 0x14:
      return buf.toString('latin1');
    default:
      return undefined;
  }
}
