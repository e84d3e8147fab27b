import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CodeMessage } from '../component/codes.js';
import { defaultMessages, type MessageKey } from '../messages/catalogue.js';
import { languageFromLocale } from '../messages/language.js';
import { TwpkiError } from '../shared/twpki-error.js';
import { PCSC_ERROR_CODES } from '../pcsc/index.js';

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
  /** Which exit statuses the command's failures get ({@link exitStatusOf}); `plain` when left out. */
  exits?: CommandExits;
  run(args: string[], io: CliIo): Promise<number>;
}

/*
 * Exit statuses. Every command ends with 0 when it did what was asked and 2 for bad input. What else a failure
 * means depends on what the command is for ({@link CommandExits}):
 * - a command that opens a card (`info`, `verify-pin`, `sign`) keeps 1 for the wrong PIN only and says why else it
 *   failed with 3, 4 or 5, so a script can tell "wrong PIN" from "no card" and from "this card cannot do it";
 * - a command that gives a verdict (`cert verify`, `sig verify`, `ems compare`, `id check`) keeps 1 for its negative
 *   answer only: a failure that left it without an answer is 5, so a script never reads "not trusted" or "not
 *   matching" into a run that decided nothing;
 * - a command that talks to PC/SC without opening a card (`readers`, `agent`) exits 4 when PC/SC cannot be reached,
 *   as the card commands do, and 1 for any other failure;
 * - any other command exits 1 for any failure.
 * {@link exitStatusOf} is where a failure becomes one of them.
 */

/** What a command's exit statuses say beyond 0 and 2 (see the comment above {@link EXIT_OK}). */
export type CommandExits = 'card' | 'verdict' | 'reader' | 'plain';

/** Done. */
export const EXIT_OK = 0;
/** The command's negative answer (not trusted, not matching); for a `plain` or `reader` command, any other failure too. */
export const EXIT_FAILURE = 1;
/** A card command: the card took the PIN as wrong (a try was spent). */
export const EXIT_WRONG_PIN = 1;
/** Bad input or usage (an unknown option, an unreadable file, a PIN refused before it was sent), every command. */
export const EXIT_USAGE = 2;
/** A card command: the card's PIN is locked. */
export const EXIT_PIN_LOCKED = 3;
/**
 * A card command: no card was reached (PC/SC not running, no reader or no such reader, no card, the card removed or
 * not answering). A `reader` command: PC/SC could not be reached.
 */
export const EXIT_NO_CARD = 4;
/** A card command: the card was reached but the command failed otherwise (not a HiCOS card, a refused command, an internal error). */
export const EXIT_CARD_FAILED = 5;
/** A verdict command: it failed without reaching a verdict (an internal error), which is not its negative answer. */
export const EXIT_NO_VERDICT = 5;

/**
 * The transport's codes (`PcscError`) that mean the card was not reached or stopped answering. `INVALID_APDU` and
 * `WRONG_THREAD` are left out: they are the program's own mistakes, not the reader's.
 */
const CARD_NOT_REACHED: ReadonlySet<string> = new Set(PCSC_ERROR_CODES.filter((code) => code !== 'INVALID_APDU' && code !== 'WRONG_THREAD'));

/** PIN refusals made before the PIN is sent (its format, the last-try guard): the user's input, no try spent. */
const PIN_REFUSED_UNSENT: ReadonlySet<string> = new Set(['INVALID_PIN_FORMAT', 'LAST_TRY_GUARD']);

/**
 * The exit status of a failure that reached the end of a command (not its own negative answer, which the command
 * returns itself): the one mapping every command and main use. `exits` is the command's {@link CommandExits}.
 */
export function exitStatusOf(failure: Pick<CliFailure, 'code'>, exits: CommandExits): number {
  const { code } = failure;
  if (code === 'USAGE') return EXIT_USAGE;
  switch (exits) {
    case 'plain':
      return EXIT_FAILURE;
    case 'verdict':
      return EXIT_NO_VERDICT;
    case 'reader':
      return CARD_NOT_REACHED.has(code) ? EXIT_NO_CARD : EXIT_FAILURE;
    case 'card':
      if (PIN_REFUSED_UNSENT.has(code)) return EXIT_USAGE;
      if (code === 'WRONG_PIN') return EXIT_WRONG_PIN;
      if (code === 'PIN_LOCKED') return EXIT_PIN_LOCKED;
      if (CARD_NOT_REACHED.has(code)) return EXIT_NO_CARD;
      return EXIT_CARD_FAILED;
  }
}

/**
 * What a card command's usage text says of its exit statuses (each card command's help ends with it); `pin`:
 * whether the command presents a PIN (1 and 3 can happen).
 */
export function cardExitStatusText(pin: boolean): string {
  return [
    `Exit status: 0 ok, ${pin ? '1 wrong PIN, 2 bad input (a PIN refused before it was sent included), 3 PIN locked' : '2 bad input'},`,
    '4 no card reached (pcscd, the reader or the card missing, or the card not answering), 5 any other failure.',
  ].join(pin ? '\n' : ' ');
}

/** Thrown by commands for bad arguments; printed without a stack, exit 2. */
export class UsageError extends TwpkiError<'USAGE'> {
  public constructor(message: string) {
    super('USAGE', message);
  }
}

/**
 * `parseArgs` in strict mode for a command: an unknown option, a missing value
 * or a stray argument becomes a {@link UsageError} that ends with the usage text,
 * the same for every command.
 */
export function parseCommandArgs<const T extends Omit<ParseArgsConfig, 'strict'>>(usage: string, config: T): ReturnType<typeof parseArgs<T & { strict: true }>> {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (error) {
    throw new UsageError(`${parseErrorDetail(error, usage)}\nusage: ${usage}`);
  }
}

/** The command's name as its usage text starts (`twpki cert inspect FILE …` → `cert inspect`). */
function commandNameOf(usage: string): string {
  const words = (usage.split('\n')[0] ?? '').split(' ').slice(1);
  const name: string[] = [];
  for (const word of words) {
    if (!/^[a-z][a-z-]*$/.test(word)) break;
    name.push(word);
  }
  return name.join(' ') || 'this command';
}

/** What a PIN-taking command adds when an argument is refused: where its PIN comes from instead. */
function pinHint(usage: string): string {
  return usage.includes('--pin-stdin') ? '; the PIN is asked for, or read with --pin-stdin, never taken from arguments' : '';
}

/**
 * The detail of a `parseArgs` rejection, without repeating what the user typed
 * where that might be a PIN: a stray positional is never quoted (`twpki
 * verify-pin 48151623`), nor an "option" that does not look like an option name
 * (`--48151623`, `-4…`), nor anything after `=`. Option names and the library's
 * other messages (a missing value) are kept.
 */
function parseErrorDetail(error: unknown, usage: string): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const name = commandNameOf(usage);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return `${name} takes no positional arguments (the argument is not repeated here)${pinHint(usage)}`;
  }
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']*)'/.exec((error as Error).message)?.[1]?.split('=')[0] ?? '';
    const named = /^--?[A-Za-z][A-Za-z0-9-]*$/.test(option) ? `unknown option '${option}'` : 'unknown option (not repeated here: it is not an option name)';
    return `${named} for ${name}${pinHint(usage)}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // Node's wording names its own placeholder (`'--x <value>' argument missing`) or explains dashes over three
    // lines; said here once, naming the option only (never the value that follows it, which could be a PIN).
    const message = (error as Error).message;
    const option = /'(--?[A-Za-z][A-Za-z0-9-]*)/.exec(message)?.[1] ?? 'an option';
    if (/does not take an argument/.test(message)) return `option '${option}' of ${name} takes no value`;
    return `option '${option}' of ${name} needs a value (${option} VALUE, or ${option}=VALUE when the value starts with "-")`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a value typed on the command line could be a PIN put in the wrong place (`--reader 48151623`, a PIN
 * given as FILE): 4 to 16 printable ASCII characters, at least one a digit, none a space, `.`, `/`, `\` or `:`.
 * HiCOS PINs are 6 to 8 printable ASCII characters (src/apdu/pin/pin-policy.ts), in practice digits or letters
 * and digits; the wider length covers other policies. Paths with a folder or an extension, URLs, ISO times,
 * reader names (which have spaces) and plain words (`fuzzy`, `README`) fall outside it, so they can still be
 * shown where showing them is the help (`cannot read x.pem`). A PIN of letters only is not caught: the price of
 * keeping words in errors.
 */
export function couldBePin(value: string): boolean {
  // Full-width forms (an input method left in full-width mode) spell the same PIN: compared as their ASCII.
  const text = value.normalize('NFKC');
  return /^[\x21-\x7e]{4,16}$/.test(text) && /[0-9]/.test(text) && !/[./\\:]/.test(text);
}

/**
 * A typed value as an error may repeat it: the value itself, or, when it {@link couldBePin}, `label` and a note
 * that it is not repeated. Errors never print a PIN, and scrollback and CI logs keep what errors print.
 */
export function shownValue(value: string, label: string): string {
  return couldBePin(value) ? `${label} (not repeated here: it could be a PIN)` : value;
}

/** A typed value in double quotes for a `got "…"` in an error, or a note in its place when it {@link couldBePin}. */
export function quotedValue(value: string): string {
  return couldBePin(value) ? 'a value not repeated here (it could be a PIN)' : `"${value}"`;
}

/** The one FILE positional a command takes; anything else is a {@link UsageError}. */
export function singleFile(positionals: readonly string[], usage: string): string {
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError(`expected exactly one FILE\nusage: ${usage}`);
  return file;
}

/** The value of a date option (`--at`), `undefined` when absent; not a date is a {@link UsageError} naming the option. */
export function dateOption(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const value = new Date(text);
  if (Number.isNaN(value.getTime())) throw new UsageError(`--${name}: not an ISO date: ${shownValue(text, 'the value')}`);
  return value;
}

/** Writes one JSON document (pretty, trailing newline). */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A failure as every command reports it: the code, the catalogue key and the English detail. */
export interface CliFailure {
  /** Stable code (`NO_READER`, `UNREADABLE_FILE`, `USAGE`). */
  readonly code: string;
  /** Catalogue key of its message (`pcsc.NO_READER`). */
  readonly key: MessageKey;
  /** What exactly failed, in English (file names, status words; never a PIN). */
  readonly detail: string;
  /** The catalogue messages with placeholders filled from the error (`{retriesLeft}`); default looked up by `key`. */
  readonly messages?: CodeMessage;
}

/** The `error` member of a `--json` failure document: code, detail and the message in both languages. */
export interface CliErrorJson {
  /** Stable code. */
  readonly code: string;
  /** English detail of what failed. */
  readonly message: string;
  /** The catalogue message, zh-TW and English. */
  readonly messages: CodeMessage;
}

/** Whether `error` is bad usage (a {@link UsageError} or a `parseArgs` rejection). */
export function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
  );
}

/** The {@link CliFailure} of a thrown value: usage, a twpki error by its code, or `INTERNAL`. */
export function failureOf(error: unknown): CliFailure {
  const detail = error instanceof Error ? error.message : String(error);
  if (isUsageError(error)) return { code: 'USAGE', key: 'cli.USAGE', detail };
  const { code, key, messages } = defaultMessages.describe(error);
  return { code, key, detail, messages };
}

/** The JSON form of a failure, with both languages' messages. */
export function failureJson(failure: CliFailure): CliErrorJson {
  const messages = failure.messages ?? defaultMessages.lookup(failure.key) ?? { zhTW: failure.detail, en: failure.detail };
  return { code: failure.code, message: failure.detail, messages: { zhTW: messages.zhTW, en: messages.en } };
}

/**
 * Reports a failure the one way every command does: with `--json`, one
 * document `{ error: { code, message, messages: { zhTW, en } } }` on stdout;
 * otherwise a line on stderr in the locale's language (`LC_ALL`/`LANG`
 * zh_TW → Chinese, else English), the code first and the detail after.
 */
export function writeFailure(io: CliIo, json: boolean, failure: CliFailure, prefix = 'twpki'): void {
  if (json) {
    writeJson(io, { error: failureJson(failure) });
    return;
  }
  const language = languageFromLocale(io.env);
  if (failure.code === 'USAGE') {
    const title = language === 'zh-TW' ? `${defaultMessages.message('cli.USAGE', language)}: ` : '';
    io.stderr.write(`${prefix}: ${title}${failure.detail}\n`);
    return;
  }
  const { messages } = failureJson(failure);
  const text = language === 'zh-TW' ? messages.zhTW : messages.en;
  const detail = failure.detail !== '' && failure.detail !== text ? `\n  (${failure.detail})` : '';
  io.stderr.write(`${prefix}: ${failure.code}: ${text}${detail}\n`);
}

/**
 * Reports input a command cannot use (an unreadable file, a malformed
 * certificate or document, data the command refuses) as {@link writeFailure}
 * does, under the command's name, and returns {@link EXIT_USAGE}: bad input
 * is not a negative verdict (exit 1). `failure` is a {@link CliFailure}, or an
 * SDK error whose code and catalogue message are used as they are.
 */
export function inputFailure(io: CliIo, json: boolean, prefix: string, failure: CliFailure | Error, detail?: string): number {
  const described = failure instanceof Error ? failureOf(failure) : failure;
  writeFailure(io, json, detail === undefined ? described : { ...described, detail }, prefix);
  return EXIT_USAGE;
}

/**
 * A card command's failure after its reader was chosen, as `--json` writes it: main's document plus `reader`, so
 * every document written after the choice names the card (`null` when none could be chosen: no reader, no card).
 * Returns the card exit status for it ({@link exitStatusOf}).
 */
export function readerFailure(io: CliIo, reader: string | null, error: unknown): number {
  const failure = failureOf(error);
  writeJson(io, { reader, error: failureJson(failure) });
  return exitStatusOf(failure, 'card');
}

/**
 * Reports a card command's failure the way main does (stderr, or with `json` a document naming `reader`) and
 * returns its card exit status ({@link exitStatusOf}).
 */
export function cardFailure(io: CliIo, json: boolean, reader: string | null, error: unknown): number {
  if (json) return readerFailure(io, reader, error);
  const failure = failureOf(error);
  writeFailure(io, false, failure);
  return exitStatusOf(failure, 'card');
}

/** An input file or directory a command cannot use (`UNREADABLE_FILE`), `detail` naming it. */
export function unusableFile(detail: string): CliFailure {
  return { code: 'UNREADABLE_FILE', key: 'cli.UNREADABLE_FILE', detail };
}

/** An option given a value the command cannot use at all (`USAGE`, exit 2), `detail` naming the option. */
export function usageFailure(detail: string): CliFailure {
  return { code: 'USAGE', key: 'cli.USAGE', detail };
}

/** An input file that was read but cannot be used as what it should be (`MALFORMED_FILE`): text that is not JSON. */
export function malformedFile(detail: string): CliFailure {
  return { code: 'MALFORMED_FILE', key: 'cli.MALFORMED_FILE', detail };
}

/** An unreadable input file or directory (`UNREADABLE_FILE`), naming it and the system's reason. */
export function unreadable(what: string, error: unknown): CliFailure {
  return unusableFile(`cannot read ${what}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
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
