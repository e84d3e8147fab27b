import { CHINESE_NUMERAL_CHARS, parseChineseNumeral } from './chinese-numerals.js';
import type { NormalizationStep } from './normalization-rule.js';
import { isAsciiDigit, isLatinLetter, spacesKeepingGapsBetween } from './text-rules.js';

// A 3-digit, 3+2 (5-digit) or 3+3 (6-digit) postal code, optionally in
// brackets, directly before the first Han character of the county/city.
const POSTAL_PREFIX =
  /^(?:\(\d{3}(?:\d{2,3})?\)|\[\d{3}(?:\d{2,3})?\]|【\d{3}(?:\d{2,3})?】|\d{3}(?:\d{2,3})?)(?=(?![段巷弄號樓鄰之])\p{Script=Han})/u;

/**
 * The leading postal code of `v` (digits only, brackets dropped), if any,
 * and the rest of the value. The rest starts with a Han character, so there
 * is never a second code to strip.
 */
export function splitPostalCode(v: string): { readonly code: string | undefined; readonly rest: string } {
  const m = POSTAL_PREFIX.exec(v);
  return m ? { code: m[0].replace(/\D/g, ''), rest: v.slice(m[0].length) } : { code: undefined, rest: v };
}

/**
 * Whether two postal codes can name the same place: the same digits, or a
 * 3-digit code and a 3+2 or 3+3 code that starts with it. A 3+2 and a 3+3
 * code are two numbering schemes and cannot be compared without a table.
 */
export function postalCodesAgree(a: string, b: string): boolean {
  return a === b || (a.length === 3 && b.startsWith(a)) || (b.length === 3 && a.startsWith(b));
}

/**
 * Drops a leading postal code (`100臺北市…`, `(10048)臺北市…`). Used when at
 * most one of the two values compared has one, or their codes agree (see
 * {@link postalCodesAgree}); a code on one side only is formatting.
 */
export const postalCodeStep: NormalizationStep = {
  rule: 'postalCode',
  apply: (v) => splitPostalCode(v).rest,
};

/**
 * Keeps a leading postal code, without brackets (`(100)臺北市` → `100臺北市`):
 * used instead of {@link postalCodeStep} when both values compared carry a
 * code and the codes disagree, so that 100 against 103 before the same
 * street is a real difference, shown at the code.
 */
export const postalCodeKeptStep: NormalizationStep = {
  rule: 'postalCode',
  apply: (v) => {
    const { code, rest } = splitPostalCode(v);
    return code === undefined ? v : `${code}${rest}`;
  },
};

/** `3F`, `3f` → `3樓` (only after a digit, so English words are untouched). */
export const floorStep: NormalizationStep = {
  rule: 'floor',
  // The guard skips the regular expression when there is no F at all (most values).
  apply: (v) => (v.includes('F') || v.includes('f') ? v.replace(/(\d)[Ff](?![A-Za-z])/g, '$1樓') : v),
};

const NUMERAL_RUN = new RegExp(`[${CHINESE_NUMERAL_CHARS}]+`, 'gu');
// Every numeral character is one UTF-16 unit (all in the BMP).
const NUMERAL_CODES: ReadonlySet<number> = new Set(Array.from(CHINESE_NUMERAL_CHARS, (c) => c.charCodeAt(0)));

/** Whether any character of `v` is one of `codes`; a scan, cheaper than a regular expression. */
function hasAnyOf(v: string, codes: ReadonlySet<number>): boolean {
  for (let i = 0; i < v.length; i++) if (codes.has(v.charCodeAt(i))) return true;
  return false;
}

const ADDRESS_UNITS = new Set(['段', '巷', '弄', '號', '樓', '鄰']);

/** Whether a UTF-16 code unit is part of a number in an address: an ASCII digit or a Chinese numeral. */
const isAddressNumber = (c: number): boolean => isAsciiDigit(c) || NUMERAL_CODES.has(c);

/**
 * The `spaces` step of addresses: a space between two numbers (ASCII digits
 * or Chinese numerals) stays, as one space, so `1 0號` is not `10號`; so does
 * one between two Latin letters, as in names (`A B棟` is not `AB棟`).
 */
export const addressSpacesStep: NormalizationStep = spacesKeepingGapsBetween(
  (before, after) => (isAddressNumber(before) && isAddressNumber(after)) || (isLatinLetter(before) && isLatinLetter(after)),
);

/**
 * Whether `v` holds, from `start`, a number (ASCII digits or Chinese
 * numerals) directly followed by 號 or 樓: what makes 五之一號 a house number.
 */
function numberThenHouseOrFloorAt(v: string, start: number): boolean {
  let end = start;
  while (end < v.length && isAsciiDigit(v.charCodeAt(end))) end++;
  if (end === start) while (end < v.length && NUMERAL_CODES.has(v.charCodeAt(end))) end++;
  return end > start && (v[end] === '號' || v[end] === '樓');
}

/**
 * `二段` → `2段`, `十五巷` → `15巷`, `五樓之三` → `5樓之3`, `五之一號` →
 * `5之1號`: a run of Chinese numerals directly before an address unit, after
 * 之 that follows a number, 樓 or 號, or before 之 when a number and 號 or 樓
 * follow the 之. A run that is no well-formed numeral (`二百零`) stays as
 * written. Whole runs are matched and their context checked in the callback,
 * which keeps the step linear on long numeral runs.
 */
export const numeralsStep: NormalizationStep = {
  rule: 'numerals',
  apply: (v) =>
    !hasAnyOf(v, NUMERAL_CODES)
      ? v
      : v.replace(NUMERAL_RUN, (run: string, offset: number) => {
          // Right after a digit the run is not a number of its own: read as one, `2十號` would become `210號`.
          if (offset > 0 && isAsciiDigit(v.charCodeAt(offset - 1))) return run;
          const end = offset + run.length;
          const next = v[end] ?? '';
          const afterZhi = offset >= 2 && v[offset - 1] === '之' && /[0-9樓號]/.test(v[offset - 2] ?? '');
          const beforeZhi = next === '之' && numberThenHouseOrFloorAt(v, end + 1);
          if (!ADDRESS_UNITS.has(next) && !afterZhi && !beforeZhi) return run;
          const n = parseChineseNumeral(run);
          return n === undefined ? run : String(n);
        }),
};

const DASHES = '-‐‑‒–—―−﹣－';
const DASH_CODES: ReadonlySet<number> = new Set(Array.from(DASHES, (c) => c.charCodeAt(0)));
const FLOOR_CODE = '樓'.charCodeAt(0);
const HOUSE_CODE = '號'.charCodeAt(0);

/** Compares two runs of ASCII digits as numbers (any length, leading zeros ignored). */
function compareDigitRuns(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * `10-1號` → `10之1號`, `5樓-1` → `5樓之1`: a dash before a number means 之
 * when it follows 樓, 號 or a number at least as large. A dash from a number
 * to a larger one may be a range (`10-12號`: 10 to 12; `3-5樓`: floors 3 to
 * 5), so it stays a dash, and `10-12號` is not `10之12號`. A manual scan, linear
 * on long runs of digits and dashes.
 */
export const hyphenStep: NormalizationStep = {
  rule: 'hyphen',
  apply: (v) => {
    if (!hasAnyOf(v, DASH_CODES)) return v;
    let out = '';
    let copied = 0;
    for (let i = 1; i + 1 < v.length; i++) {
      if (!DASH_CODES.has(v.charCodeAt(i)) || !isAsciiDigit(v.charCodeAt(i + 1))) continue;
      const before = v.charCodeAt(i - 1);
      if (before !== FLOOR_CODE && before !== HOUSE_CODE) {
        if (!isAsciiDigit(before)) continue;
        let start = i - 1;
        while (start > 0 && isAsciiDigit(v.charCodeAt(start - 1))) start--;
        let end = i + 2;
        while (end < v.length && isAsciiDigit(v.charCodeAt(end))) end++;
        if (compareDigitRuns(v.slice(i + 1, end), v.slice(start, i)) > 0) continue;
      }
      out += `${v.slice(copied, i)}之`;
      copied = i + 1;
    }
    return copied === 0 ? v : out + v.slice(copied);
  },
};
