/**
 * With --json, every document `sign` and `verify-pin` write after choosing the reader names it, failures to read
 * the PIN included (no terminal to prompt on, no --pin-stdin): the exit status stays main's (2 for usage).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { expect, it, vi } from 'vitest';

const READER = 'Agency Desk Reader 01';
vi.mock('../../src/cli/card-access.js', () => ({
  resolvePinReader: () => Promise.resolve(READER),
  openCardTransport: () => Promise.reject(new Error('the card is not reached when the PIN cannot be read')),
}));
const { main } = await import('../../src/cli/main.js');

async function run(args: string[], dir: string): Promise<{ code: number; doc: Record<string, unknown> }> {
  const stdout = new PassThrough();
  const out: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  const code = await main(args, { stdout, stderr: new PassThrough(), stdin: Readable.from([]), env: { TWPKI_STATE_DIR: dir } });
  return { code, doc: JSON.parse(Buffer.concat(out).toString()) as Record<string, unknown> };
}

it('sign --json: a PIN that cannot be read is reported with the reader, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twpki-reader-json-'));
  const file = join(dir, 'doc.txt');
  writeFileSync(file, 'x');
  const { code, doc } = await run(['sign', '--in', file, '--json'], dir);
  expect(code).toBe(2);
  expect(doc).toMatchObject({ reader: READER, error: { code: 'USAGE' } });
});

it('verify-pin --json: the same, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twpki-reader-json-'));
  const { code, doc } = await run(['verify-pin', '--json'], dir);
  expect(code).toBe(2);
  expect(doc).toMatchObject({ reader: READER, error: { code: 'USAGE' } });
});
