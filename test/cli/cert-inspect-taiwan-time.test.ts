/**
 * `twpki cert inspect` shows validity as a holder in Taiwan reads it: Taiwan dates and times (UTC+8, the calendar
 * MOICA's renewal windows count in), said to be Taiwan time, whatever the computer's time zone. `--json` keeps
 * the UTC ISO instants scripts read. The certificate starts at 07:30 Taiwan time, the day before in UTC.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from '../../src/testing/index.js';
import { runCli, spawnCli } from './run-cli.js';

const NOT_BEFORE = '2026-05-09T23:30:00.000Z';
const NOT_AFTER = '2031-05-10T15:59:59.000Z';
const SHOWN = 'Valid:            2026-05-10 07:30:00 → 2031-05-10 23:59:59 (Taiwan time, UTC+8)';
let file: string;

beforeAll(async () => {
  const pki = await createTestPki({ authorities: ['moica'], now: new Date('2026-05-10T00:00:00Z') });
  const holder = await pki.issueCardHolder({ authority: 'moica', notBefore: new Date(NOT_BEFORE), notAfter: new Date(NOT_AFTER) });
  file = join(mkdtempSync(join(tmpdir(), 'twpki-inspect-tw-')), 'card.cer');
  writeFileSync(file, holder.sign.certificate);
}, 60_000);

describe('twpki cert inspect: validity in Taiwan time', () => {
  it('prints notBefore and notAfter as Taiwan dates and times, and --json keeps the ISO instants', async () => {
    const human = await runCli(['cert', 'inspect', file]);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')).toContain(SHOWN);
    // The UTC instant, which names 2026-05-09, is not in the human output.
    expect(human.stdout).not.toContain('2026-05-09');
    const json = await runCli(['cert', 'inspect', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ validity: { notBefore: NOT_BEFORE, notAfter: NOT_AFTER } });
  });

  it('the same on a computer set to another time zone (a process with TZ=America/Los_Angeles)', async () => {
    const child = spawnCli(['cert', 'inspect', file], { TZ: 'America/Los_Angeles' });
    let stdout = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout.split('\n')).toContain(SHOWN);
  }, 60_000);

  it('the help says validity is Taiwan time, and UTC in --json', async () => {
    const help = await runCli(['cert', 'inspect', '--help']);
    expect(help.stdout).toMatch(/Taiwan time \(UTC\+8\)/);
    expect(help.stdout).toMatch(/--json.*UTC ISO/s);
  });
});
