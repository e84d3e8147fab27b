/**
 * Two processes sharing the try-count file (`twpki agent` and a `twpki verify-pin`), each saving its own card as
 * fast as it can: a save reads, changes and replaces the file, so without a lock one process wrote back the
 * other's older copy of a card, and that process then took in a count higher than the one its card had just
 * reported (its last-try guard a try behind the card).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function run(path: string, card: string, rounds: number): Promise<{ card: string; wrong: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/retry-race-worker.ts'), path, card, String(rounds)], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { card: string; wrong: number; errors: number }) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

describe('FileRetryCounterStore shared by two processes saving at once', () => {
  it('each reads back the count it just saved for its own card, and the file ends with both', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twpki-retry-race-')), 'pin-retries.json');
    const results = await Promise.all([run(path, 'TP03000000000001', 3_000), run(path, 'TP03000000000002', 3_000)]);
    expect(results.map((r) => [r.wrong, r.errors])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    // The last save of each: round 2,999 saved 1 + (2999 % 2) = 2.
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ TP03000000000001: 2, TP03000000000002: 2 });
  }, 60_000);
});
