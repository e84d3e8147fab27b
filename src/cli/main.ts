import { EXIT_USAGE, exitStatusOf, failureOf, writeFailure, writeJson, type CliCommand, type CliIo, type CommandExits } from './command.js';
import { commands, type CommandEntry } from './commands/index.js';
import { packageVersion } from './package-version.js';

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

function findCommand(argv: readonly string[]): { command: CommandEntry; rest: string[] } | undefined {
  // Longest name first, so `cert inspect` wins over a hypothetical `cert`.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

const USAGE_LINE = 'Usage: twpki <command> [options]   (every command accepts --json)';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [USAGE_LINE, '', 'Commands:', ...lines, '', 'twpki --version prints the installed version.', ''].join('\n');
}

/** The overview as `--help --json` gives it: what scripts and shell completions read. */
function helpJson(): { usage: string; commands: { name: string; summary: string }[] } {
  return { usage: USAGE_LINE, commands: commands.map((c) => ({ name: c.name, summary: c.summary })) };
}

function groupText(group: readonly CommandEntry[]): string {
  const width = Math.max(...group.map((c) => c.name.length));
  return `${group.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n`;
}

function writeHelp(io: CliIo, json: boolean): void {
  if (json) writeJson(io, helpJson());
  else io.stdout.write(helpText());
}

/**
 * Runs the `twpki` CLI with `argv` (without node and script) and returns the
 * exit status. Errors become a message on stderr (or one JSON document on
 * stdout with `--json`), never a stack trace.
 */
export async function main(given: string[], io: CliIo = defaultIo()): Promise<number> {
  const json = given.includes('--json');
  // `--json` is every command's: accepted before the command's name too (`twpki --json cert inspect x.pem`).
  let lead = 0;
  while (given[lead] === '--json') lead++;
  const argv = [...given.slice(lead), ...given.slice(0, lead)];
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    if (json) writeJson(io, { version: packageVersion() });
    else io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--json' || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    // A bare `twpki` is a usage error: the overview as text, or under --json the error document every failure gives.
    const asked = !(argv.length === 0 || argv[0] === '--json');
    if (asked) writeHelp(io, json);
    else if (json) writeFailure(io, true, { code: 'USAGE', key: 'cli.USAGE', detail: 'a command is required' });
    // Not asked for, so an error: on stderr, as every other usage error.
    else io.stderr.write(`twpki: a command is required\n\n${helpText()}`);
    return asked ? 0 : EXIT_USAGE;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.name.split(' ')[0] === argv[0] && c.name.includes(' '));
    const asked = argv[1] === '--help' || argv[1] === '-h';
    if (group.length > 0 && asked) {
      if (json) writeJson(io, { commands: group.map((c) => ({ name: c.name, summary: c.summary })) });
      else io.stdout.write(groupText(group));
      return 0;
    }
    // Only the first word, and only when it reads as a command name: a later argument (`twpki verify 48151623`)
    // or a non-word may be a PIN typed in the wrong place, and is never repeated.
    const first = argv.find((a) => a !== '--json') ?? '';
    const name = /^[a-z][a-z-]*$/i.test(first) ? `"${first}"` : '(the first argument is not a command name; not repeated here)';
    const second = argv.slice(1).find((a) => a !== '--json');
    const asWord = second !== undefined && /^[a-z][a-z-]*$/i.test(second) ? ` ("${second}" is not one)` : '';
    const detail = group.length > 0 ? `"${argv[0]}" needs one of: ${group.map((c) => c.name).join(', ')}${asWord}` : `unknown command ${name}`;
    if (json) writeFailure(io, true, { code: 'USAGE', key: 'cli.USAGE', detail });
    else if (group.length > 0) io.stderr.write(`twpki: ${detail}\n\n${groupText(group)}`);
    else io.stderr.write(`twpki: ${detail}\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  let command: CliCommand | undefined;
  try {
    command = await found.command.load();
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      if (json) writeJson(io, { command: found.command.name, summary: found.command.summary, usage: command.usage });
      else io.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(found.rest, io);
  } catch (error) {
    return reportError(error, json, io, command?.exits ?? 'plain');
  }
}

function reportError(error: unknown, json: boolean, io: CliIo, exits: CommandExits): number {
  const failure = failureOf(error);
  writeFailure(io, json, failure);
  return exitStatusOf(failure, exits);
}
