import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Judged {
  name: string;
  value: number;
  unit: string;
  ratio?: number;
  baselineValue?: number;
  goal?: { on: 'ratio' | 'value'; op: '<=' | '>='; bound: number; text: string };
  met: boolean | null;
}

describe('npm run bench -- --json (quick mode, EMS suite only)', () => {
  it('writes one JSON document with each figure, its baseline and ratio, its goal and whether it is met, and exits', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--json', 'ems'], {
      cwd: root,
      env: { ...process.env, TWPKI_BENCH_QUICK: '1' },
      timeout: 60_000,
      maxBuffer: 1 << 20,
    });
    const doc = JSON.parse(stdout) as {
      quick: boolean;
      suites: { name: string; results: Judged[] }[];
      summary: { goals: number; met: number; notMet: string[]; notMeasured: string[] };
    };
    expect(doc.quick).toBe(true);
    expect(doc.suites.map((s) => s.name)).toEqual(['EMS comparison (twpki/ems)']);
    const results = doc.suites[0]?.results ?? [];
    const strict = results.find((r) => r.name === 'ems.compare.strict');
    const normalized = results.find((r) => r.name === 'ems.compare.normalized');
    for (const r of [strict, normalized]) {
      expect(r).toBeDefined();
      expect(r?.value).toBeGreaterThan(0);
      expect(r?.ratio).toBeGreaterThan(0);
      expect(r?.goal).toMatchObject({ on: 'value', op: '>=', bound: 200_000 });
      // `met` is the goal applied to the figure, not a constant.
      expect(r?.met).toBe((r?.value ?? 0) >= 200_000);
    }
    const goals = results.filter((r) => r.goal !== undefined);
    expect(doc.summary.goals).toBe(goals.length);
    expect(doc.summary.met).toBe(goals.filter((r) => r.met === true).length);
    expect(doc.summary.notMet).toEqual(goals.filter((r) => r.met === false).map((r) => r.name));
  }, 90_000);
});
