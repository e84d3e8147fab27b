import { decodeObjectIdentifier } from '../../../shared/der/der-primitives.js';

/** Most distinct encodings remembered: a login's CMS uses about ten OIDs. */
const KEPT = 32;
const MAX_OCTETS = 16;

const encodings: Uint8Array[] = [];
const texts: string[] = [];

/**
 * `decodeObjectIdentifier` for the handful of OIDs every CMS token repeats
 * (content types, algorithms, attribute types): the text of an encoding
 * decoded before is found by comparing octets, without building the dotted
 * string again (about a tenth of a CMS parse). Only successful decodes are
 * kept, keyed by the exact content octets (a pure function of them), and at
 * most {@link KEPT} short ones; everything else is decoded as before.
 * @throws DerError as `decodeObjectIdentifier`.
 */
export function knownOid(content: Uint8Array): string {
  const n = content.length;
  if (n > MAX_OCTETS) return decodeObjectIdentifier(content);
  search: for (let k = 0; k < encodings.length; k++) {
    const e = encodings[k] as Uint8Array;
    if (e.length !== n) continue;
    for (let i = 0; i < n; i++) if (e[i] !== content[i]) continue search;
    return texts[k] as string;
  }
  const text = decodeObjectIdentifier(content);
  if (encodings.length < KEPT) {
    encodings.push(content.slice());
    texts.push(text);
  }
  return text;
}
