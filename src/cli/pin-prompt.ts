import type { Readable } from 'node:stream';
import { resolvePinReader } from './card-access.js';
import { cardFailure, type CliIo, isUsageError, readerFailure, readFirstLine, UsageError, writeLines } from './command.js';

type MaybeTty = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };

/** What a PIN command reads before it touches the card: the reader chosen, and the PIN for it. */
export interface ReaderAndPin {
  readonly reader: string;
  /** Zeroed by the caller when the command ends. */
  readonly pin: Buffer;
}

/**
 * Chooses the card a PIN command works on, then reads its PIN ({@link pinForReader}): the card first, so that with
 * two cards and no `--reader` the usage error comes before anything is typed. When no reader can be chosen (no
 * reader, no card, PC/SC down) the failure is reported, as a `--json` document with `reader: null` or on stderr,
 * and its card exit status (`exitStatusOf`: 4, no card reached) is returned instead; usage errors are thrown for main.
 */
export async function readerAndPin(
  io: CliIo,
  options: { reader: string | undefined; json: boolean; fromStdin: boolean },
): Promise<ReaderAndPin | number> {
  let reader: string;
  try {
    reader = await resolvePinReader({ reader: options.reader, env: io.env });
  } catch (error) {
    if (isUsageError(error)) throw error;
    return cardFailure(io, options.json, null, error);
  }
  const pin = await pinForReader(io, reader, options);
  return typeof pin === 'number' ? pin : { reader, pin };
}

/**
 * Names `reader`, then reads the PIN for it ({@link readPin}). The name comes first so the user sees which card
 * the PIN goes to: with several readers nothing else says so. With `json` the line is left out (every document
 * written from here on carries `reader`), and a PIN that cannot be read is the command's own document naming the
 * reader: its card exit status is returned instead of a PIN (`exitStatusOf`). Without `json` that failure
 * is thrown for main to report under the reader line.
 */
export async function pinForReader(
  io: CliIo,
  reader: string,
  options: { json: boolean; fromStdin: boolean },
): Promise<Buffer | number> {
  if (!options.json) writeLines(io, `reader      ${reader}`);
  try {
    return await readPin(io, options.fromStdin);
  } catch (error) {
    if (!options.json) throw error;
    return readerFailure(io, reader, error);
  }
}

/**
 * Reads the PIN: the first line of stdin with `--pin-stdin` when stdin is a
 * pipe or a file, else (no flag, or `--pin-stdin` typed at a terminal) a
 * prompt on the terminal without echo. Never from argv. The caller zeroes the
 * Buffer.
 *
 * `--pin-stdin` at a terminal prompts rather than failing: reading the line
 * in the terminal's cooked mode would echo the PIN, and refusing would push
 * users to `echo PIN | twpki …`, which leaves it in the shell history. The
 * hidden prompt is what they meant, and a script that pipes is unaffected.
 */
export async function readPin(io: CliIo, fromStdin: boolean): Promise<Buffer> {
  const tty = io.stdin as MaybeTty;
  if (fromStdin && tty.isTTY !== true) {
    const line = await readFirstLine(io.stdin);
    // Nothing piped in (an empty file, a variable that was not set) is a usage slip, not a PIN of length 0.
    if (line.length === 0) throw new UsageError('--pin-stdin: the first line of stdin is empty: write the PIN there');
    return line;
  }
  if (tty.isTTY !== true || typeof tty.setRawMode !== 'function') {
    throw new UsageError(
      fromStdin
        ? '--pin-stdin: stdin is a terminal that cannot hide what is typed: pipe the PIN in as the first line of stdin'
        : 'no terminal to prompt for the PIN: pass --pin-stdin and write the PIN as the first line of stdin',
    );
  }
  return promptHidden(io, tty as MaybeTty & { setRawMode: (raw: boolean) => void });
}

/** The `PIN: ` prompt in raw mode (no echo). Every chunk read is zeroed, the one holding Enter included. */
async function promptHidden(io: CliIo, tty: MaybeTty & { setRawMode: (raw: boolean) => void }): Promise<Buffer> {
  const pin = Buffer.alloc(MAX_TYPED);
  let length = 0;
  // What was typed past the buffer: counted, never kept, and the entry refused (a cut PIN would be a wrong one).
  let over = 0;
  // Echo off before the prompt shows: what is typed as soon as `PIN: ` appears is never echoed.
  tty.setRawMode(true);
  try {
    io.stderr.write('PIN: ');
    for await (const chunk of tty) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      try {
        for (const b of bytes) {
          if (b === 0x0d || b === 0x0a) return typedPin(pin, length, over);
          if (b === 0x03) throw new UsageError('PIN entry cancelled');
          if (b === 0x7f || b === 0x08) {
            if (over > 0) over--;
            else length = Math.max(0, length - 1);
          } else if (length < pin.length) pin[length++] = b;
          else over++;
        }
      } finally {
        // Also when the chunk ends the entry (Enter or Ctrl-C inside a pasted chunk): it holds the PIN's bytes.
        bytes.fill(0);
      }
    }
    return typedPin(pin, length, over);
  } finally {
    pin.fill(0);
    tty.setRawMode(false);
    io.stderr.write('\n');
  }
}

/** More than any card PIN holds: what is typed past it is refused, not cut. */
const MAX_TYPED = 16;

/** The PIN typed, as a copy the caller zeroes; refused when it ran past {@link MAX_TYPED}. */
function typedPin(pin: Buffer, length: number, over: number): Buffer {
  if (over > 0) throw new UsageError(`the PIN typed is longer than ${MAX_TYPED} characters (no card PIN is): nothing was sent`);
  return Buffer.from(pin.subarray(0, length));
}
