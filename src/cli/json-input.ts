import { readFile, stat } from 'node:fs/promises';
import type { CliFailure } from './command.js';

// Applicant/record files are a handful of short strings; anything bigger is
// a mistake, and reading it whole would be the cost of that mistake.
const MAX_INPUT_FILE_BYTES = 1024 * 1024;

/**
 * An input file that cannot be used: missing, not a file, too large or not
 * JSON. Reported as `UNREADABLE_FILE` naming the file, as the certificate
 * commands report theirs.
 */
export class UnreadableInputError extends Error {
  /** The failure the command reports. */
  public readonly failure: CliFailure;

  public constructor(detail: string) {
    super(detail);
    this.name = 'UnreadableInputError';
    this.failure = { code: 'UNREADABLE_FILE', key: 'cli.UNREADABLE_FILE', detail };
  }
}

/**
 * Reads a small JSON input file.
 * @throws UnreadableInputError naming `what` and the file.
 */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UnreadableInputError(`${what} ${path} is not a file`);
    if (info.size > MAX_INPUT_FILE_BYTES) {
      throw new UnreadableInputError(`${what} ${path} is ${info.size} bytes; the limit is ${MAX_INPUT_FILE_BYTES}`);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UnreadableInputError) throw err;
    throw new UnreadableInputError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UnreadableInputError(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}
