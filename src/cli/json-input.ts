import { readFile, stat } from 'node:fs/promises';
import { couldBePin, malformedFile, unreadable, unusableFile, type CliFailure } from './command.js';

// Applicant/record files are a handful of short strings; anything bigger is
// a mistake, and reading it whole would be the cost of that mistake.
const MAX_INPUT_FILE_BYTES = 1024 * 1024;

/** A JSON input file's value, or why it cannot be used (`UNREADABLE_FILE` naming it). */
export type JsonInput = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly failure: CliFailure };

/**
 * Reads a small JSON input file. A missing file, a directory, a file over
 * 1 MiB is reported as the certificate commands report an unreadable file:
 * `UNREADABLE_FILE`; text that is not JSON is `MALFORMED_FILE`. Both name
 * `what` and the path (the path only when it cannot be a PIN typed in its
 * place: `couldBePin`).
 */
export async function readJsonFile(path: string, what: string): Promise<JsonInput> {
  const unusable = (detail: string): JsonInput => ({ ok: false, failure: unusableFile(detail) });
  const named = couldBePin(path) ? `${what} (its name is not repeated here: it could be a PIN)` : `${what} ${path}`;
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) return unusable(`${named} is not a file`);
    if (info.size > MAX_INPUT_FILE_BYTES) return unusable(`${named} is ${info.size} bytes; the limit is ${MAX_INPUT_FILE_BYTES}`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, failure: unreadable(named, err) };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, failure: malformedFile(`${named} is not valid JSON: ${(err as Error).message}`) };
  }
}
