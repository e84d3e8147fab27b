/**
 * `--anchors` of `cert verify` and `sig verify` given nothing to trust (an empty value, a folder with no
 * certificate, a folder of intermediates only) is the option given wrong: a usage error (exit 2) naming
 * `--anchors`, not a "not trusted" / "invalid" verdict (exit 1) nor a file the system could not find.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/ca', import.meta.url));
const CERT = join(FIXTURES, 'moica-g3.pem');

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'twpki-anchors-usage-'));
  for (const [name, from] of Object.entries(files)) {
    if (from.startsWith('/')) copyFileSync(from, join(dir, name));
    else writeFileSync(join(dir, name), from);
  }
  return dir;
}

const cases: Array<[string, () => string]> = [
  ['an empty value', () => ''],
  ['an empty folder', () => folder()],
  ['a folder with no certificate file', () => folder({ 'README.txt': 'GRCA roots go here' })],
  ['a folder of intermediates only (no self-signed root)', () => folder({ 'moica-g3.pem': CERT })],
];

describe.each([
  ['cert verify', [] as string[]],
  ['sig verify', ['--no-revocation']],
])('twpki %s', (command, extra) => {
  for (const [what, dir] of cases) {
    it(`${what} as --anchors is a usage error naming the option`, async () => {
      const args = [...command.split(' '), CERT, '--anchors', dir(), ...extra];
      const json = await runCli([...args, '--json']);
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toEqual({ error: expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(/^--anchors /) }) });
      const text = await runCli(args);
      expect(text.code).toBe(2);
      expect(text.stdout).toBe('');
      expect(text.stderr).toMatch(new RegExp(`^twpki ${command}: --anchors .*(empty|no trust anchor)`));
    });
  }
});
