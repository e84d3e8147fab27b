import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('../../bench/crl-parse-child.ts', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

describe('bench/crl-parse-child.ts peak memory', () => {
  // On Linux a spawned child's maxrss starts at its parent's RSS at fork; the bench process is large when the
  // CRL suite runs, and the child reported that size for the parse and for the idle baseline alike.
  it("reports the child's own peak, not the size of the process that spawned it", { timeout: 60_000 }, () => {
    const ballast = Buffer.alloc(400 * 1024 * 1024, 1); // written, so resident
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, PACKAGE_JSON, '--no-parse'], { encoding: 'utf8' });
      const report = JSON.parse(out.trim()) as { peakRssBytes: number };
      expect(report.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(report.peakRssBytes).toBeLessThan(ballast.length);
    } finally {
      ballast.fill(0, 0, 1);
    }
  });
});
