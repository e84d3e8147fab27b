import { decodeObjectIdentifier } from '../../../shared/der/der-primitives.js';
import { contentOf, type DerNode } from '../../../shared/der/der-reader.js';

/** Most distinct encodings remembered: a login's CMS uses about ten OIDs. */
const KEPT = 32;
const MAX_OCTETS = 16;

const encodings: Uint8Array[] = [];
const texts: string[] = [];

/**
 * `decodeObjectIdentifier` of the content of `oid` (an OBJECT IDENTIFIER
 * element) for the handful of OIDs every CMS token repeats (content types,
 * algorithms, attribute types): the text of an encoding decoded before is
 * found by comparing octets in place, without building the dotted string or
 * a view of the content again (about a tenth of a CMS parse). Only
 * successful decodes are kept, keyed by the exact content octets (a pure
 * function of them), and at most {@link KEPT} short ones; everything else is
 * decoded as before.
 * @throws DerError as `decodeObjectIdentifier`.
 */
export function knownOid(oid: DerNode): string {
  const { source, contentStart } = oid;
  const n = oid.end - contentStart;
  if (n > MAX_OCTETS) return decodeObjectIdentifier(contentOf(oid));
  search: for (let k = 0; k < encodings.length; k++) {
    const e = encodings[k] as Uint8Array;
    if (e.length !== n) continue;
    // From the last octet: the OIDs a CMS repeats share long prefixes (1.2.840.113549.…) and differ at the end.
    for (let i = n - 1; i >= 0; i--) if (e[i] !== source[contentStart + i]) continue search;
    return texts[k] as string;
  }
  const content = contentOf(oid);
  const text = decodeObjectIdentifier(content);
  if (encodings.length < KEPT) {
    encodings.push(content.slice());
    texts.push(text);
  }
  return text;
}
