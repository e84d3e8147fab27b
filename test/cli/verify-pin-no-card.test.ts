import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, spawnCli } from './run-cli.js';

// 1 is "wrong PIN" for verify-pin: a reader that is not there (or pcscd not running) must not read as one.
it('verify-pin exits 4, with the error, when no card is reached; the PIN is never sent anywhere', async () => {
  const run = await runCli(['verify-pin', '--reader', 'No Such Reader 99', '--pin-stdin', '--json'], '123456\n');
  expect(run.code).toBe(4);
  const doc = JSON.parse(run.stdout) as { reader: unknown; error: { code: string } };
  expect(['UNKNOWN_READER', 'NO_READER', 'SERVICE_UNAVAILABLE']).toContain(doc.error.code);
  // Every --json document has `reader`: null when none could be chosen.
  expect(doc.reader).toBeNull();
  expect(run.stdout).not.toContain('123456');
});

it('sign --json with no card reached: the document has reader null and the error, exit 4 as verify-pin', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'twpki-sign-no-card-')), 'doc.txt');
  writeFileSync(file, 'to be signed');
  const run = await runCli(['sign', '--in', file, '--reader', 'No Such Reader 99', '--pin-stdin', '--json'], '123456\n');
  expect(run.code).toBe(4);
  const doc = JSON.parse(run.stdout) as { reader: unknown; error: { code: string } };
  expect(doc).toMatchObject({ reader: null, error: { code: expect.stringMatching(/^(UNKNOWN_READER|NO_READER|SERVICE_UNAVAILABLE)$/) } });
  expect(run.stdout).not.toContain('123456');
});

// The status a script reads is the process's: `info` (no PIN, reported by main) exits 4 too, not 1.
it('info with no card reached exits 4 as a process, the error on stderr', async () => {
  const child = spawnCli(['info', '--reader', 'No Such Reader 99']);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(4);
  expect(stderr).toMatch(/^twpki: (UNKNOWN_READER|NO_READER|SERVICE_UNAVAILABLE): /);
}, 60_000);
