import type { NormalizationStep } from './normalization-rule.js';

/** Full-width/half-width and other compatibility forms (NFKC). */
export const widthStep: NormalizationStep = {
  rule: 'width',
  apply: (v) => v.normalize('NFKC'),
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

/** Removes all whitespace, including ideographic and zero-width spaces. */
export const spacesStep: NormalizationStep = {
  rule: 'spaces',
  apply: (v) => (hasSpace(v) ? v.replace(SPACES, '') : v),
};

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

/** 台 and 臺 are the same character in names and addresses; 臺 is the official form. */
export const taiTaiStep: NormalizationStep = {
  rule: 'taiTai',
  apply: (v) => (v.includes('台') ? v.replaceAll('台', '臺') : v),
};
