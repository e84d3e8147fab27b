/**
 * The source text of one member of a JSON object, for a value whose text
 * matters beyond what `JSON.parse` keeps of it: a number nonce is signed as
 * the characters the page sent (`12345678901234567890` stays those digits;
 * parsed, it would be the double 12345678901234567000). Node 20 has no
 * `JSON.parse` source-text access, hence this scan.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function skipWhitespace(text: string, at: number): number {
  while (at < text.length && WHITESPACE.has(text.charAt(at))) at++;
  return at;
}

/** The index just past the string literal opening at `at`. */
function skipString(text: string, at: number): number {
  at++;
  while (at < text.length && text.charAt(at) !== '"') at += text.charAt(at) === '\\' ? 2 : 1;
  return at + 1;
}

/** The index just past the value starting at `at` (a string, object, array, number or literal). */
function skipValue(text: string, at: number): number {
  const first = text.charAt(at);
  if (first === '"') return skipString(text, at);
  if (first === '{' || first === '[') {
    let depth = 0;
    do {
      const c = text.charAt(at);
      if (c === '"') {
        at = skipString(text, at);
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      at++;
    } while (depth > 0 && at < text.length);
    return at;
  }
  while (at < text.length && !WHITESPACE.has(text.charAt(at)) && !',}]'.includes(text.charAt(at))) at++;
  return at;
}

/**
 * The text of member `name` of the top-level object `json`, or undefined when it has none. `json` must be text
 * `JSON.parse` accepted (nothing is checked again). A name given twice is the last one, as `JSON.parse` keeps it;
 * names are compared decoded (`"\u006eonce"` is `nonce`).
 */
export function topLevelMemberText(json: string, name: string): string | undefined {
  let at = skipWhitespace(json, 0);
  if (json.charAt(at) !== '{') return undefined;
  at = skipWhitespace(json, at + 1);
  let found: string | undefined;
  while (json.charAt(at) === '"') {
    const keyEnd = skipString(json, at);
    const key = JSON.parse(json.slice(at, keyEnd)) as string;
    // Past the ':' and the whitespace around it.
    const valueStart = skipWhitespace(json, skipWhitespace(json, keyEnd) + 1);
    const valueEnd = skipValue(json, valueStart);
    if (key === name) found = json.slice(valueStart, valueEnd);
    at = skipWhitespace(json, valueEnd);
    if (json.charAt(at) !== ',') break;
    at = skipWhitespace(json, at + 1);
  }
  return found;
}
