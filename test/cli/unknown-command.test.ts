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
