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
 * 15 characters.
 */
export function parseChineseNumeral(text: string): number | undefined {
  // Longer runs are not numbers anyone writes, and past 15 digits the value
  // would no longer be exact.
  if (text === '' || text.length > MAX_NUMERAL_LENGTH) return undefined;
  const chars = Array.from(text);
  if (!chars.some((c) => UNITS.has(c))) {
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
      // A bare 十 means 1×10 (十五); a bare 百/千 is not how numbers are written.
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
      // 零 only marks a skipped place after a unit (一百零五), never leads.
      if (pending !== undefined || zeroSinceUnit || lastUnit === Number.POSITIVE_INFINITY) return undefined;
      zeroSinceUnit = true;
      continue;
    }
    if (pending !== undefined) return undefined;
    pending = d;
  }
  if (pending !== undefined) {
    // 一百五 is 150, but 一百零五 is 105.
    const scale = !zeroSinceUnit && lastUnit >= 100 ? lastUnit / 10 : 1;
    total += pending * scale;
  }
  return total;
}
