/**
 * Letter case folded for ASCII letters only: the one rule identifiers and the EMS comparison share.
 * `toUpperCase()`/`toLowerCase()` also turn other letters into ASCII ones (ß → SS, ı → I, ſ → S, ﬁ → FI, İ → i̇), so
 * `E56001ß` would become the control number `E56001SS` and `ı100000003` the national ID `I100000003`. Left as they
 * are, such letters fail an identifier's format.
 */

/** `value` with a–z upper-cased and nothing else changed. */
export function asciiUpperCase(value: string): string {
  return value.replace(/[a-z]+/g, (run) => run.toUpperCase());
}

/** `value` with A–Z lower-cased and nothing else changed. */
export function asciiLowerCase(value: string): string {
  return value.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}
