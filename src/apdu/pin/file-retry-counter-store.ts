import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RetryCounterStore } from './retry-counter-store.js';

/**
 * A {@link RetryCounterStore} kept in a small JSON file, so the last-try
 * guard also holds across processes (one `twpki verify-pin` per try would
 * otherwise start from "unknown" each time). Holds card numbers and counts
 * only; an unreadable or corrupt file counts as empty.
 */
export class FileRetryCounterStore extends RetryCounterStore {
  public constructor(private readonly path: string) {
    super();
    for (const [card, count] of Object.entries(readCounts(path))) super.set(card, count);
  }

  public override set(cardKey: string, triesLeft: number): void {
    super.set(cardKey, triesLeft);
    this.save(cardKey, triesLeft);
  }

  public override delete(cardKey: string): void {
    super.delete(cardKey);
    this.save(cardKey, undefined);
  }

  private save(cardKey: string, triesLeft: number | undefined): void {
    // Re-read so that two processes updating different cards do not undo each other.
    const counts = readCounts(this.path);
    if (triesLeft === undefined) delete counts[cardKey];
    else counts[cardKey] = triesLeft;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(counts)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}

function readCounts(path: string): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (k !== '' && typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 15) out[k] = v;
    }
    return out;
  } catch {
    return {};
  }
}
