import { EXIT_USAGE, failureOf, writeFailure, type CliIo } from './command.js';
import { commands, type CommandEntry } from './commands/index.js';

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

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ['Usage: twpki <command> [options]   (every command accepts --json)', '', 'Commands:', ...lines, ''].join('\n');
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
  if (argv.length === 0 || argv[0] === '--json' || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(helpText());
    return argv.length === 0 || argv[0] === '--json' ? EXIT_USAGE : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.name.split(' ')[0] === argv[0] && c.name.includes(' '));
    const asked = argv[1] === '--help' || argv[1] === '-h';
    const name = argv.filter((a) => a !== '--json').slice(0, 2).join(' ');
    const detail = group.length > 0 ? `"${argv[0]}" needs one of: ${group.map((c) => c.name).join(', ')}` : `unknown command "${name}"`;
    if (json) writeFailure(io, true, { code: 'USAGE', key: 'cli.USAGE', detail });
    else if (group.length > 0) (asked ? io.stdout : io.stderr).write(`${group.map((c) => `  ${c.name}  ${c.summary}`).join('\n')}\n`);
    else io.stderr.write(`twpki: ${detail}\n\n${helpText()}`);
    return group.length > 0 && asked ? 0 : EXIT_USAGE;
  }
  try {
    const command = await found.command.load();
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      io.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(found.rest, io);
  } catch (error) {
    return reportError(error, json, io);
  }
}

function reportError(error: unknown, json: boolean, io: CliIo): number {
  const failure = failureOf(error);
  writeFailure(io, json, failure);
  return failure.code === 'USAGE' ? EXIT_USAGE : 1;
}
