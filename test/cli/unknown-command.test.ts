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
    const bare = await runCli(['cert']);
    expect([bare.code, bare.stdout, bare.stderr]).toEqual([2, '', expect.stringContaining('cert inspect')]);
    const json = await runCli(['cert', '--json']);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'USAGE', message: '"cert" needs one of: cert inspect, cert verify' });
  });

  it('agent --trust with something that is no origin or host is a usage error (exit 2), before any card is opened', async () => {
    for (const bad of ['not a url', 'ftp://x', '']) {
      const run = await runCli(['agent', '--virtual', '--port', '0', '--trust', bad, '--json']);
      expect([bad, run.code, JSON.parse(run.stdout).error.code]).toEqual([bad, 2, 'USAGE']);
      expect(JSON.parse(run.stdout).error.message).toMatch(/^--trust not a host name or origin/);
    }
  });
});
