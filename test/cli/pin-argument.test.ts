/**
 * A PIN typed on the command line by mistake (`twpki verify-pin 48151623`) is refused without being repeated:
 * not on stderr, not in the --json document. Every command is tried, since any stray positional may be a PIN;
 * so are a PIN typed as an option (`--48151623`, `-48151623`, `--pin=48151623`) and after a mistyped command.
 * None of these reach a card or pcscd: they fail while the arguments are parsed.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { runCli } from './run-cli.js';

const PIN = '48151623';

/** Commands whose positional is their input (a FILE, the VALUE to check): a second one is the stray argument. */
const TAKES_ONE: Readonly<Record<string, string>> = { 'cert inspect': 'x.pem', 'cert verify': 'x.pem', 'sig verify': 'x.p7s', 'id check': 'A123456789' };

function errorOf(stdout: string): { code: string; message: string } {
  return (JSON.parse(stdout) as { error: { code: string; message: string } }).error;
}

describe('a PIN typed as an argument is never repeated', () => {
  for (const { name } of commands) {
    it(`${name}: a stray positional is a usage error that does not quote it`, async () => {
      const args = [...name.split(' '), ...(name in TAKES_ONE ? [TAKES_ONE[name] as string] : []), PIN];
      const text = await runCli(args);
      expect(text.code, text.stderr).toBe(2);
      expect(text.stdout + text.stderr).not.toContain(PIN);
      const json = await runCli([...args, '--json']);
      expect(json.code).toBe(2);
      expect(errorOf(json.stdout).code).toBe('USAGE');
      expect(json.stdout + json.stderr).not.toContain(PIN);
    });
  }

  it('says what to do instead: verify-pin and sign point to the prompt and --pin-stdin', async () => {
    for (const name of ['verify-pin', 'sign', 'doctor']) {
      const run = await runCli([name, PIN, '--json']);
      expect(errorOf(run.stdout).message).toMatch(new RegExp(`^${name} takes no positional arguments .*the PIN is asked for, or read with --pin-stdin`));
    }
    const readers = await runCli(['readers', PIN, '--json']);
    expect(errorOf(readers.stdout).message).toMatch(/^readers takes no positional arguments \(the argument is not repeated here\)\nusage: twpki readers/);
  });

  it('a PIN typed as an option is not repeated either; real option names still are', async () => {
    for (const option of [`--${PIN}`, `-${PIN}`, `--pin=${PIN}`, `--json=${PIN}`]) {
      const run = await runCli(['verify-pin', option, '--json']);
      expect([option, run.code]).toEqual([option, 2]);
      expect(run.stdout + run.stderr).not.toContain(PIN);
      expect(run.stdout + run.stderr).not.toContain(PIN.slice(0, 4));
    }
    expect(errorOf((await runCli(['verify-pin', '--pin', PIN, '--json'])).stdout).message).toMatch(/^unknown option '--pin' for verify-pin; the PIN is asked for/);
    expect(errorOf((await runCli(['info', '--rader', 'X', '--json'])).stdout).message).toMatch(/^unknown option '--rader' for info\n/);
  });

  it('after a mistyped command name, only that name is repeated', async () => {
    const run = await runCli(['verify', PIN]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^twpki: unknown command "verify"\n/);
    expect(run.stderr).not.toContain(PIN);
    const bare = await runCli([PIN, '--json']);
    expect(bare.code).toBe(2);
    expect(bare.stdout).not.toContain(PIN);
  });
});
