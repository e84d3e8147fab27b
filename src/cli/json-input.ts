import { readFile, stat } from 'node:fs/promises';
import { UsageError } from './command.js';

// Applicant/record files are a handful of short strings; anything bigger is
// a mistake, and reading it whole would be the cost of that mistake.
const MAX_INPUT_FILE_BYTES = 1024 * 1024;

/** Reads a small JSON input file; a missing, oversized or malformed file is a usage error naming `what`. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${what} ${path} is not a file`);
    if (info.size > MAX_INPUT_FILE_BYTES) {
      throw new UsageError(`${what} ${path} is ${info.size} bytes; the limit is ${MAX_INPUT_FILE_BYTES}`);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}
