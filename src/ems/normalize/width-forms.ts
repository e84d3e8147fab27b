/**
 * Full-width and half-width folding: the one rule for "the same text typed in
 * another width", shared by the `width` normalization step and the
 * identifier validators (`Ａ１２３` is `A123`).
 */
import { EmsError } from '../errors.js';

/**
 * The full-width and half-width forms: U+3000 (ideographic space) and every
 * character of the Halfwidth and Fullwidth Forms block (U+FF01–U+FFEE) that
 * has a decomposition, all of Unicode type `<wide>` or `<narrow>`, mapped to
 * their one-character counterpart (`１` → `1`, `Ａ` → `A`, `（` → `(`, `ｶ` → `カ`,
 * `｡` → `。`, `￥` → `¥`). Derived from the engine's NFKD: for all but two
 * cases NFKD is the counterpart itself. The exceptions go one step less far
 * than NFKD: `￣` is `¯` (NFKD adds a space and a combining macron, which
 * would join the preceding letter) and a half-width Hangul letter is the
 * compatibility jamo (NFKD's conjoining jamo would compose into syllables).
 */
const WIDTH_FORMS: ReadonlyMap<number, string> = buildWidthForms();

function buildWidthForms(): Map<number, string> {
  const forms = new Map<number, string>([[0x3000, ' ']]);
  const jamoByDecomposition = new Map<string, string>();
  for (let cp = 0x3131; cp <= 0x318e; cp++) {
    const jamo = String.fromCharCode(cp);
    const decomposed = jamo.normalize('NFKD');
    if (!jamoByDecomposition.has(decomposed)) jamoByDecomposition.set(decomposed, jamo);
  }
  for (let cp = 0xff01; cp <= 0xffee; cp++) {
    const c = String.fromCharCode(cp);
    const decomposed = c.normalize('NFKD');
    if (decomposed === c) continue; // unassigned
    if (cp === 0xffe3) forms.set(cp, '\u00af');
    else if (cp >= 0xffa0 && cp <= 0xffdc) forms.set(cp, jamoByDecomposition.get(decomposed) ?? decomposed);
    else forms.set(cp, decomposed);
  }
  return forms;
}

function hasWidthForm(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x3000 || (c >= 0xff01 && c <= 0xffee)) return true;
  }
  return false;
}

/**
 * Full-width/half-width forms (U+3000 and the Halfwidth and Fullwidth Forms
 * block, mapped to their one-character counterparts), then canonical
 * composition (NFC: a decomposed accent, a CJK compatibility ideograph that
 * duplicates a unified one). Deliberately not NFKC: its other compatibility
 * foldings change what the text says (`²`, `₂`, `①`, `⑴`, `Ⅲ`, `½`, `㎡`,
 * ligatures, mathematical letters, small and vertical forms, `㈱`), so
 * `122號²樓` and `122號2樓` stay different, and `A12345678⁹` is no national ID.
 */
export function foldWidth(v: string): string {
  if (typeof v !== 'string') throw new EmsError('NOT_A_STRING', `foldWidth needs a string, not ${v === null ? 'null' : typeof v}`);
  if (!hasWidthForm(v)) return v.normalize('NFC');
  let out = '';
  // Every width form is in the BMP, so code units do (a surrogate is never a key).
  for (let i = 0; i < v.length; i++) out += WIDTH_FORMS.get(v.charCodeAt(i)) ?? v[i];
  return out.normalize('NFC');
}
