import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from './run-cli.js';

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

it('sign --json with no card reached: the document has reader null and the error, exit 1', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'twpki-sign-no-card-')), 'doc.txt');
  writeFileSync(file, 'to be signed');
  const run = await runCli(['sign', '--in', file, '--reader', 'No Such Reader 99', '--pin-stdin', '--json'], '123456\n');
  expect(run.code).toBe(1);
  const doc = JSON.parse(run.stdout) as { reader: unknown; error: { code: string } };
  expect(doc).toMatchObject({ reader: null, error: { code: expect.stringMatching(/^(UNKNOWN_READER|NO_READER|SERVICE_UNAVAILABLE)$/) } });
  expect(run.stdout).not.toContain('123456');
});
