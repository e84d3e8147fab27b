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

/** Ports this process holds, with how many times it took each. */
const held = new Map<number, number>();

function once(run: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      run();
    }
  };
}

/**
 * How long a reader file waits for its turn: the turn comes after every other reader file's, each well under two
 * minutes, so this is far longer than any test's or hook's timeout.
 */
export const READER_TURN_WAIT_MS = 30 * 60_000;

/**
 * How a test file uses the virtual reader, from what it imports: `rig` when it takes its readers in the portal
 * rig (after the rig's other parts are up), `file` when it takes the reader's lock directly or through the PC/SC
 * rig, `none` otherwise. One read of the file answers both questions the setup asks.
 */
export function readerUse(file: string): 'none' | 'file' | 'rig' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 'none';
  }
  if (/portal-rig\.js['"]/.test(text)) return 'rig';
  return /(pcsc-rig|reader-lock)\.js['"]/.test(text) ? 'file' : 'none';
}

/** Whether a test file takes the virtual reader's lock (directly or through a rig): it imports one of them. */
export function takesReaderLock(file: string): boolean {
  return readerUse(file) !== 'none';
}

/**
 * Cross-process lock on the one virtual reader, so test files running in
 * parallel workers take turns (mkdir is atomic; a dead holder is evicted).
 */
export async function lockReader(port: number, timeoutMs = 120_000): Promise<() => void> {
  const dir = join(tmpdir(), `twpki-vpcd-${port}.lock`);
  // Re-entrant within a process: a file that holds the reader for its whole run (test/setup/reader-turn.ts) lets
  // its own tests take it again without waiting on themselves.
  const depth = held.get(port) ?? 0;
  if (depth > 0) {
    held.set(port, depth + 1);
    return once(() => held.set(port, (held.get(port) ?? 1) - 1));
  }
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      held.set(port, 1);
      return once(() => {
        held.delete(port);
        rmSync(dir, { recursive: true, force: true });
      });
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
