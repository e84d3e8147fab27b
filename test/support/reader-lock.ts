import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Cross-process lock on the one virtual reader, so test files running in
 * parallel workers take turns (mkdir is atomic; a dead holder is evicted).
 */
export async function lockReader(port: number, timeoutMs = 120_000): Promise<() => void> {
  const dir = join(tmpdir(), `twpki-vpcd-${port}.lock`);
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      } catch {
        // Being created right now; wait.
      }
      if (Number.isInteger(holder) && !alive(holder)) rmSync(dir, { recursive: true, force: true });
      if (Date.now() > until) throw new Error(`timed out waiting for the virtual reader lock ${dir}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
