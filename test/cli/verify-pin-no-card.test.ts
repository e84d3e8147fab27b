import { expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// 1 is "wrong PIN" for verify-pin: a reader that is not there (or pcscd not running) must not read as one.
it('verify-pin exits 4, with the error, when no card is reached; the PIN is never sent anywhere', async () => {
  const run = await runCli(['verify-pin', '--reader', 'No Such Reader 99', '--pin-stdin', '--json'], '123456\n');
  expect(run.code).toBe(4);
  const error = (JSON.parse(run.stdout) as { error: { code: string } }).error;
  expect(['UNKNOWN_READER', 'NO_READER', 'SERVICE_UNAVAILABLE']).toContain(error.code);
  expect(run.stdout).not.toContain('123456');
});
