import { describe, expect, it } from 'vitest';
import { defaultMessages } from '../../src/messages/index.js';
import { runCli } from './run-cli.js';

describe('twpki with a command it does not have', () => {
  it('prints the usage on stderr, or with --json one error document on stdout (exit 2 both ways)', async () => {
    const text = await runCli(['nosuchcommand']);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/^twpki: unknown command "nosuchcommand"\n\nUsage: twpki <command>/);
    expect(text.stdout).toBe('');
    const json = await runCli(['nosuchcommand', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'USAGE', message: 'unknown command "nosuchcommand"', messages: defaultMessages.lookup('cli.USAGE') },
    });
    expect(json.stderr).toBe('');
  });
});

describe('twpki command lines a new user types', () => {
  const GRCA = new URL('../../fixtures/ca/', import.meta.url).pathname;

  it('takes --json before the command name as after it', async () => {
    const { readdirSync } = await import('node:fs');
    const pem = readdirSync(GRCA).find((f) => f.endsWith('.pem') || f.endsWith('.cer') || f.endsWith('.crt'));
    expect(pem).toBeDefined();
    const before = await runCli(['--json', 'cert', 'inspect', `${GRCA}${pem}`]);
    const after = await runCli(['cert', 'inspect', `${GRCA}${pem}`, '--json']);
    expect([before.code, before.stderr]).toEqual([0, '']);
    expect(JSON.parse(before.stdout)).toEqual(JSON.parse(after.stdout));
    expect((await runCli(['--json'])).code).toBe(2);
  });

  it('a command group alone lists its commands (--help: on stdout, exit 0; otherwise a usage error)', async () => {
    const help = await runCli(['cert', '--help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringMatching(/^ {2}cert inspect {2}.*\n {2}cert verify {2}/)]);
    // The columns line up: the summaries start where the longest name ends.
    const starts = help.stdout.trimEnd().split('\n').map((l) => /^ {2}cert \w+ +/.exec(l)?.[0].length);
    expect([starts.length, new Set(starts).size, starts[0]]).toEqual([2, 1, expect.any(Number)]);
    const bare = await runCli(['cert']);
    expect([bare.code, bare.stdout, bare.stderr]).toEqual([2, '', expect.stringMatching(/^twpki: "cert" needs one of: cert inspect, cert verify\n\n {2}cert inspect/)]);
    const json = await runCli(['cert', '--json']);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'USAGE', message: '"cert" needs one of: cert inspect, cert verify' });
    // A sub-command it does not have is named when it reads as a word; anything else (a PIN in the wrong place) is not.
    const bogus = await runCli(['cert', 'bogus']);
    expect([bogus.code, bogus.stderr]).toEqual([2, expect.stringMatching(/^twpki: "cert" needs one of: cert inspect, cert verify \("bogus" is not one\)\n/)]);
    const digits = await runCli(['cert', '48151623', '--json']);
    expect(JSON.parse(digits.stdout).error.message).toBe('"cert" needs one of: cert inspect, cert verify');
    expect(digits.stdout + digits.stderr).not.toContain('48151623');
  });

  it('a bare twpki is a usage error: the error and the overview on stderr, nothing on stdout (exit 2)', async () => {
    const bare = await runCli([]);
    expect([bare.code, bare.stdout, bare.stderr]).toEqual([2, '', expect.stringMatching(/^twpki: a command is required\n\nUsage: twpki <command>/)]);
    // Asked for, the overview is the answer: stdout, exit 0.
    const help = await runCli(['--help']);
    expect([help.code, help.stderr, help.stdout]).toEqual([0, '', expect.stringMatching(/^Usage: twpki <command>/)]);
  });

  it('an option left without its value is said once, in the CLI\'s words, naming the option and never the value after it', async () => {
    const text = await runCli(['demo', '--generation']);
    expect([text.code, text.stderr]).toEqual([2, expect.stringMatching(/^twpki: option '--generation' of demo needs a value \(--generation VALUE, or --generation=VALUE when the value starts with "-"\)\nusage: /)]);
    // Followed by another option, Node called it "ambiguous" over three lines, with its own --generation=-XYZ example.
    const json = await runCli(['demo', '--generation', '--json']);
    expect(JSON.parse(json.stdout).error.message).toMatch(/^option '--generation' of demo needs a value/);
    expect(json.stdout).not.toMatch(/ambiguous|XYZ/);
    const valued = await runCli(['demo', '--json=48151623']);
    expect([valued.code, valued.stderr]).toEqual([2, expect.stringMatching(/^twpki: option '--json' of demo takes no value/)]);
    expect(valued.stdout + valued.stderr).not.toContain('48151623');
  });

  it('agent --trust with something that is no origin or host is a usage error (exit 2), before any card is opened', async () => {
    for (const bad of ['not a url', 'ftp://x', '']) {
      const run = await runCli(['agent', '--virtual', '--port', '0', '--trust', bad, '--json']);
      expect([bad, run.code, JSON.parse(run.stdout).error.code]).toEqual([bad, 2, 'USAGE']);
      expect(JSON.parse(run.stdout).error.message).toMatch(/^--trust not a host name or origin/);
    }
  });
});

describe('twpki --version and help for scripts', () => {
  it('prints the installed version (package.json) as text or as JSON, exit 0', async () => {
    const { readFileSync } = await import('node:fs');
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V', 'version']) {
      expect(await runCli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
    const json = await runCli(['--json', '--version']);
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, { version }]);
  });

  it('--help --json gives the commands as data; a command or a group answers likewise', async () => {
    const all = await runCli(['--help', '--json']);
    expect(all.code).toBe(0);
    const overview = JSON.parse(all.stdout) as { usage: string; commands: { name: string; summary: string }[] };
    expect(overview.usage).toMatch(/^Usage: twpki <command>/);
    expect(overview.commands.map((c) => c.name)).toEqual(expect.arrayContaining(['cert inspect', 'sig verify', 'agent', 'demo']));
    expect(overview.commands.every((c) => c.summary.length > 0)).toBe(true);

    const group = await runCli(['cert', '--help', '--json']);
    expect([group.code, JSON.parse(group.stdout)]).toEqual([0, { commands: overview.commands.filter((c) => c.name.startsWith('cert ')) }]);

    const one = await runCli(['--json', 'cert', 'inspect', '--help']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({ command: 'cert inspect', summary: expect.any(String), usage: expect.stringContaining('cert inspect') });
    // Without --json, the same help stays text.
    expect((await runCli(['cert', 'inspect', '--help'])).stdout).toMatch(/cert inspect/);
  });

  it('a bare twpki --json is a usage error document, as any other usage error', async () => {
    const bare = await runCli(['--json']);
    expect([bare.code, JSON.parse(bare.stdout).error.code]).toEqual([2, 'USAGE']);
    const text = await runCli([]);
    expect([text.code, text.stdout, text.stderr]).toEqual([2, '', expect.stringMatching(/Usage: twpki/)]);
  });
});
