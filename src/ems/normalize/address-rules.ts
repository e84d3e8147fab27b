import { CHINESE_NUMERAL_CHARS, parseChineseNumeral } from './chinese-numerals.js';
import type { NormalizationStep } from './normalization-rule.js';

// A 3-digit, 3+2 (5-digit) or 3+3 (6-digit) postal code, optionally in
// brackets, directly before the first Han character of the county/city.
const POSTAL_PREFIX =
  /^(?:\(\d{3}(?:\d{2,3})?\)|\[\d{3}(?:\d{2,3})?\]|【\d{3}(?:\d{2,3})?】|\d{3}(?:\d{2,3})?)(?=(?![段巷弄號樓鄰之])\p{Script=Han})/u;

/** Drops a leading postal code (`100臺北市…`, `(10048)臺北市…`). */
export const postalCodeStep: NormalizationStep = {
  rule: 'postalCode',
  apply: (v) => {
    let out = v;
    // Loop so the step is idempotent even for `(100)100臺北市`.
    for (let m = POSTAL_PREFIX.exec(out); m; m = POSTAL_PREFIX.exec(out)) out = out.slice(m[0].length);
    return out;
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

/**
 * `二段` → `2段`, `十五巷` → `15巷`, `五樓之三` → `5樓之3`: a run of Chinese
 * numerals directly before an address unit, or after 之 that follows a
 * number, 樓 or 號. Whole runs are matched and their context checked in the
 * callback, which keeps the step linear on long numeral runs.
 */
export const numeralsStep: NormalizationStep = {
  rule: 'numerals',
  apply: (v) =>
    !hasAnyOf(v, NUMERAL_CODES)
      ? v
      : v.replace(NUMERAL_RUN, (run: string, offset: number) => {
          const next = v[offset + run.length] ?? '';
          const afterZhi = offset >= 2 && v[offset - 1] === '之' && /[0-9樓號]/.test(v[offset - 2] ?? '');
          if (!ADDRESS_UNITS.has(next) && !afterZhi) return run;
          const n = parseChineseNumeral(run);
          return n === undefined ? run : String(n);
        }),
};

const DASHES = '-‐‑‒–—―−﹣－';
const DASH_CODES: ReadonlySet<number> = new Set(Array.from(DASHES, (c) => c.charCodeAt(0)));
const DASH_BETWEEN_NUMBERS = new RegExp(`([0-9樓號])[${DASHES}](?=[0-9])`, 'g');

/** `10-1號` → `10之1號`, `5樓-1` → `5樓之1`: a dash between numbers means 之. */
export const hyphenStep: NormalizationStep = {
  rule: 'hyphen',
  apply: (v) => (hasAnyOf(v, DASH_CODES) ? v.replace(DASH_BETWEEN_NUMBERS, '$1之') : v),
};
