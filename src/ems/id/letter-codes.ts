/**
 * The two-digit codes of the first letter of 身分證字號 and resident
 * certificate numbers. Not alphabetical past H: I, O, W–Z were added later
 * and got the codes after the original sequence.
 */
export const AREA_LETTER_CODES: Readonly<Record<string, number>> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};

const WEIGHTS = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1] as const;

/**
 * Weighted checksum shared by national and resident IDs. `secondDigit` is
 * the value standing in for the second character (the digit itself, or the
 * units digit of an old-format letter's code); `rest` the last 8 digits.
 */
export function personalIdChecksumOk(areaCode: number, secondDigit: number, rest: string): boolean {
  const digits = [Math.floor(areaCode / 10), areaCode % 10, secondDigit, ...Array.from(rest, Number)];
  let sum = 0;
  digits.forEach((d, i) => {
    sum += d * (WEIGHTS[i] ?? 0);
  });
  return sum % 10 === 0;
}
