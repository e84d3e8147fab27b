import type { NormalizationStep } from './normalization-rule.js';

/** Full-width/half-width and other compatibility forms (NFKC). */
export const widthStep: NormalizationStep = {
  rule: 'width',
  apply: (v) => v.normalize('NFKC'),
};

/** Removes all whitespace, including ideographic and zero-width spaces. */
export const spacesStep: NormalizationStep = {
  rule: 'spaces',
  apply: (v) => v.replace(/[\s\u200B-\u200D\u2060\uFEFF]+/gu, ''),
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
  apply: (v) => v.replaceAll('台', '臺'),
};
