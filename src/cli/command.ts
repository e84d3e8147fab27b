import type { Readable, Writable } from 'node:stream';

/** Streams and environment a CLI command runs with (injectable for tests). */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
}

/**
 * One `twpki` sub-command. `name` may have two words (`cert inspect`).
 * `run` gets the arguments after the name and returns the exit status; it
 * prints exactly one JSON document on stdout when `--json` is given.
 */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Exit status for bad input / usage errors, shared by every command. */
export const EXIT_USAGE = 2;

/** Thrown by commands for bad arguments; printed without a stack, exit 2. */
export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Writes one JSON document (pretty, trailing newline). */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes human output lines. */
export function writeLines(io: CliIo, ...lines: string[]): void {
  io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Reads the first line of stdin (for `--pin-stdin`), without echoing it.
 * The returned Buffer belongs to the caller, who must zero it after use.
 */
export async function readFirstLine(stdin: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(buf);
    if (buf.includes(0x0a)) break;
  }
  const all = Buffer.concat(chunks);
  for (const c of chunks) c.fill(0);
  let end = all.indexOf(0x0a);
  if (end < 0) end = all.length;
  if (end > 0 && all[end - 1] === 0x0d) end--;
  const line = Buffer.alloc(end);
  all.copy(line, 0, 0, end);
  all.fill(0);
  return line;
}
