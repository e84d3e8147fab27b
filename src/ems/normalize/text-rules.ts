import type { NormalizationStep } from './normalization-rule.js';

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
 * Full-width/half-width forms (see {@link WIDTH_FORMS}), then canonical
 * composition (NFC: a decomposed accent, a CJK compatibility ideograph that
 * duplicates a unified one). Deliberately not NFKC: its other compatibility
 * foldings change what the text says (`²`, `₂`, `①`, `⑴`, `Ⅲ`, `½`, `㎡`,
 * ligatures, mathematical letters, small and vertical forms, `㈱`), so
 * `122號²樓` and `122號2樓` stay different.
 */
export const widthStep: NormalizationStep = {
  rule: 'width',
  apply: (v) => {
    if (!hasWidthForm(v)) return v.normalize('NFC');
    let out = '';
    // Every width form is in the BMP, so code units do (a surrogate is never a key).
    for (let i = 0; i < v.length; i++) out += WIDTH_FORMS.get(v.charCodeAt(i)) ?? v[i];
    return out.normalize('NFC');
  },
};

const SPACES = /[\s\u200B-\u200D\u2060\uFEFF]+/gu;

/**
 * Whether `v` holds a character {@link spacesStep} removes: what `\s` matches
 * (ECMAScript WhiteSpace and LineTerminator) plus the zero-width ones. A
 * plain scan is several times cheaper than running the regular expression on
 * a Chinese (two-byte) string that has nothing to remove, the common case.
 */
function hasSpace(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c <= 0x20) {
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
    } else if (c >= 0xa0) {
      if (
        c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200d) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x2060 ||
        c === 0x3000 ||
        c === 0xfeff
      ) {
        return true;
      }
    }
  }
  return false;
}

/** Removes all whitespace, including ideographic and zero-width spaces (identifiers, e-mail). */
export const spacesStep: NormalizationStep = {
  rule: 'spaces',
  apply: (v) => (hasSpace(v) ? v.replace(SPACES, '') : v),
};

const VISIBLE_SPACE = /\s/u;

/**
 * A `spaces` step that removes whitespace except between two characters
 * `isNumber` accepts, where a run holding any visible space becomes one
 * space: `1 0號` is two numbers, and removing the space would make it `10號`.
 * Zero-width characters alone separate nothing anyone can see, and go.
 */
export function spacesKeepingNumberGaps(isNumber: (code: number) => boolean): NormalizationStep {
  return {
    rule: 'spaces',
    apply: (v) =>
      !hasSpace(v)
        ? v
        : v.replace(SPACES, (run: string, offset: number) =>
            isNumber(v.charCodeAt(offset - 1)) && isNumber(v.charCodeAt(offset + run.length)) && VISIBLE_SPACE.test(run) ? ' ' : '',
          ),
  };
}

/** Whether a UTF-16 code unit is an ASCII digit (`NaN`, past either end, is not). */
export function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The `spaces` step of names and text: a space between two ASCII digits stays (one space). */
export const textSpacesStep: NormalizationStep = spacesKeepingNumberGaps(isAsciiDigit);

/** Upper-cases (identifiers such as 管制編號). */
export const upperCaseStep: NormalizationStep = {
  rule: 'letterCase',
  apply: (v) => v.toUpperCase(),
};

/**
 * Lower-cases e-mail addresses. RFC 5321 lets the local part be case
 * sensitive, but no Taiwan mail host treats it so, and EMS staff type both.
 */
export const lowerCaseStep: NormalizationStep = {
  rule: 'letterCase',
  apply: (v) => v.toLowerCase(),
};

/**
 * 台 and 臺 are the same character in addresses and organisations' names
 * (台北市/臺北市, 台灣/臺灣); 臺 is the official form. Not used for a person's
 * name: the household register records one of the two, and 王台生 is not 王臺生.
 */
export const taiTaiStep: NormalizationStep = {
  rule: 'taiTai',
  apply: (v) => (v.includes('台') ? v.replaceAll('台', '臺') : v),
};
