import { asciiLowerCase, asciiUpperCase } from '../../shared/ascii-case.js';
import type { NormalizationStep } from './normalization-rule.js';
import { foldWidth } from './width-forms.js';

/** {@link foldWidth} as a pipeline step (see there for what it folds and why not NFKC). */
export const widthStep: NormalizationStep = {
  rule: 'width',
  apply: foldWidth,
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
 * `keeps` pairs up (two numbers; in names also two Latin letters), where a
 * run holding any visible space becomes one space: `1 0號` is two numbers,
 * and removing the space would make it `10號`. Zero-width characters alone
 * separate nothing anyone can see, and go.
 */
export function spacesKeepingGapsBetween(keeps: (before: number, after: number) => boolean): NormalizationStep {
  return {
    rule: 'spaces',
    apply: (v) =>
      !hasSpace(v)
        ? v
        : v.replace(SPACES, (run: string, offset: number) =>
            keeps(v.charCodeAt(offset - 1), v.charCodeAt(offset + run.length)) && VISIBLE_SPACE.test(run) ? ' ' : '',
          ),
  };
}

/** Whether a UTF-16 code unit is an ASCII digit (`NaN`, past either end, is not). */
export function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

const LATIN = /\p{Script=Latin}/u;

/**
 * Whether a UTF-16 code unit is a letter of the Latin script (`A`, `é`, `ß`;
 * after the `width` step, so full-width letters are already ASCII).
 */
export function isLatinLetter(code: number): boolean {
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return true;
  return code >= 0xc0 && code <= 0xffff && LATIN.test(String.fromCharCode(code));
}

/**
 * The `spaces` step of names and text: a space between two ASCII digits or
 * two Latin letters stays (one space), since it separates words or numbers
 * (`Ann Abel` is not `AnnAbel`, `1 0` is not `10`); between a letter and a
 * digit (`Room 5`, `Win10`) or between Chinese characters (`王 小明`) it is
 * formatting.
 */
export const textSpacesStep: NormalizationStep = spacesKeepingGapsBetween(
  (before, after) => (isAsciiDigit(before) && isAsciiDigit(after)) || (isLatinLetter(before) && isLatinLetter(after)),
);

/** Upper-cases a–z (identifiers such as 管制編號); ASCII only, see {@link asciiUpperCase}. */
export const upperCaseStep: NormalizationStep = {
  rule: 'letterCase',
  apply: asciiUpperCase,
};

/**
 * Lower-cases A–Z in e-mail addresses. RFC 5321 lets the local part be case
 * sensitive, but no Taiwan mail host treats it so, and EMS staff type both.
 */
export const lowerCaseStep: NormalizationStep = {
  rule: 'letterCase',
  // A–Z only, for the same reason as upperCaseStep: toLowerCase() reads İ (U+0130) as i plus a combining dot.
  apply: asciiLowerCase,
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
