import { EmsError } from '../errors.js';

/**
 * Chinese numerals as written in Taiwan addresses (二段, 十五巷, 一百零五號,
 * 二〇五號), including the financial forms (貳, 拾). Units stop at 千: no
 * address number goes higher.
 */

const DIGITS: ReadonlyMap<string, number> = new Map([
  ['零', 0], ['〇', 0],
  ['一', 1], ['壹', 1],
  ['二', 2], ['兩', 2], ['貳', 2],
  ['三', 3], ['參', 3],
  ['四', 4], ['肆', 4],
  ['五', 5], ['伍', 5],
  ['六', 6], ['陸', 6],
  ['七', 7], ['柒', 7],
  ['八', 8], ['捌', 8],
  ['九', 9], ['玖', 9],
]);

const UNITS: ReadonlyMap<string, number> = new Map([
  ['十', 10], ['拾', 10],
  ['百', 100], ['佰', 100],
  ['千', 1000], ['仟', 1000],
]);

const MAX_NUMERAL_LENGTH = 15;

/** Every character {@link parseChineseNumeral} understands, for building patterns. */
export const CHINESE_NUMERAL_CHARS = [...DIGITS.keys(), ...UNITS.keys()].join('');

/**
 * Value of a Chinese numeral, or `undefined` when `text` is not a
 * well-formed one. Accepts the positional form (`二十三`, `一百零五`, the
 * colloquial `一百五` = 150) and the digit-by-digit form (`二〇五`), up to
 * 15 characters. Malformed numerals are not read, rather than guessed at:
 * a trailing or misplaced 零 (`二百零`, `十零`, `一百零十`), a place skipped
 * without 零 (`一千五十`; `一千零五十` is 1050), a unit after 零 that skips
 * nothing (`一千零五百`), a leading zero (`〇五`; `零` alone is 0).
 *
 * @throws {@link EmsError} `NOT_A_STRING` when `text` is not a string.
 */
export function parseChineseNumeral(text: string): number | undefined {
  if (typeof text !== 'string') {
    throw new EmsError('NOT_A_STRING', `a Chinese numeral must be a string, not ${text === null ? 'null' : typeof text}`);
  }
  // Longer runs are not numbers anyone writes, and past 15 digits the value
  // would no longer be exact.
  if (text === '' || text.length > MAX_NUMERAL_LENGTH) return undefined;
  const chars = Array.from(text);
  if (!chars.some((c) => UNITS.has(c))) {
    // 〇五 is no way to write 5 (and 05號 is not 5號 either).
    if (chars.length > 1 && DIGITS.get(chars[0] ?? '') === 0) return undefined;
    let value = 0;
    for (const c of chars) {
      const d = DIGITS.get(c);
      if (d === undefined) return undefined;
      value = value * 10 + d;
    }
    return value;
  }
  let total = 0;
  let pending: number | undefined;
  let lastUnit = Number.POSITIVE_INFINITY;
  let zeroSinceUnit = false;
  for (const c of chars) {
    const unit = UNITS.get(c);
    if (unit !== undefined) {
      if (unit >= lastUnit) return undefined;
      // The next unit is the place right below the last one (三百二十), unless
      // a 零 marked the places skipped, and then it really skips one (一千零十).
      if (lastUnit !== Number.POSITIVE_INFINITY && (zeroSinceUnit ? unit * 10 >= lastUnit : unit * 10 !== lastUnit)) {
        return undefined;
      }
      // A bare 十 means 1×10 (十五, 一千零十); a bare 百/千 is not how numbers are written.
      const multiplier = pending ?? (unit === 10 ? 1 : undefined);
      if (multiplier === undefined || multiplier === 0) return undefined;
      total += multiplier * unit;
      lastUnit = unit;
      pending = undefined;
      zeroSinceUnit = false;
      continue;
    }
    const d = DIGITS.get(c);
    if (d === undefined) return undefined;
    if (d === 0) {
      // 零 only marks a skipped place after a unit (一百零五), never leads,
      // and there is no place to skip after 十 (十零, 二十零五).
      if (pending !== undefined || zeroSinceUnit || lastUnit === Number.POSITIVE_INFINITY || lastUnit < 100) return undefined;
      zeroSinceUnit = true;
      continue;
    }
    if (pending !== undefined) return undefined;
    pending = d;
  }
  if (pending === undefined) {
    // A trailing 零 marks nothing: 二百零 is not 200.
    return zeroSinceUnit ? undefined : total;
  }
  // 一百五 is 150, but 一百零五 is 105.
  const scale = !zeroSinceUnit && lastUnit >= 100 ? lastUnit / 10 : 1;
  return total + pending * scale;
}
