import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { RetryCounterStore } from './retry-counter-store.js';
import { HiCOSError } from '../errors.js';
import { describeValue } from '../../shared/describe-value.js';

/** Settings of a {@link FileRetryCounterStore}. */
export interface FileRetryCounterStoreOptions {
  /**
   * Told when the file exists but holds no counts (corrupt, hand-edited,
   * unreadable) or cannot be written (a read-only or misplaced state folder).
   * The store goes on with what this process knows, so a card's answer is
   * never lost to a file error; only the guard across processes is, and
   * this is where to say so (the CLI prints a warning). Default: nothing.
   */
  readonly onError?: (error: Error) => void;
}

/**
 * A {@link RetryCounterStore} kept in a small JSON file, so the last-try
 * guard also holds across processes (one `twpki verify-pin` per try would
 * otherwise start from "unknown" each time). Holds card keys (card numbers,
 * or a certificate digest for a card without one) and counts only. A missing file is empty; a file that cannot be read or written is
 * reported to `onError` and never fails a PIN operation: a VERIFY has gone
 * out by the time a count is saved, and its answer must reach the caller.
 *
 * Every look-up first takes in what another process saved since (the file
 * is replaced whole on each save, so a changed identity or time says so): a
 * long-running process sharing the file (`twpki agent`) would otherwise act
 * on, and write back, a count the card has since lowered.
 *
 * A count this process could not save is not given up to the file's older
 * copy: until a save of that card succeeds, a look-up answers the lower of
 * the two. Which one is newer cannot be told, and the lower one can only make
 * the last-try guard ask once too often, never let a last try go unasked.
 */
export class FileRetryCounterStore extends RetryCounterStore {
  private readonly onError: (error: Error) => void;
  /** Identity, time and size of the file as last read or written, `undefined` when there was none. */
  private seen: string | undefined;
  /** Cards whose last count this process learned but could not write to the file. */
  private readonly unsaved = new Set<string>();

  /**
   * @param path the JSON file (its folder is made when first written, mode 0700).
   * @throws HiCOSError `INVALID_CARD_INPUT` when `path` is not a non-empty string, `options` not an object or
   *   `onError` not a function: a store that cannot write its file only reports it to `onError` (nothing by
   *   default), so a path given as `{ path }` or a number (a file descriptor to `node:fs`) would lose the
   *   guard across processes without a word.
   */
  public constructor(
    private readonly path: string,
    options: FileRetryCounterStoreOptions = {},
  ) {
    super();
    if (typeof path !== 'string' || path === '') {
      throw new HiCOSError('INVALID_CARD_INPUT', `FileRetryCounterStore: path must be the JSON file's path (a non-empty string), not ${describeValue(path)}`);
    }
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new HiCOSError('INVALID_CARD_INPUT', `FileRetryCounterStore: options must be { onError? } or left out, not ${describeValue(options)}`);
    }
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new HiCOSError('INVALID_CARD_INPUT', `FileRetryCounterStore: onError must be a function, not ${describeValue(options.onError)}`);
    }
    this.onError = options.onError ?? (() => undefined);
    this.seen = versionOf(path);
    const { counts, error } = readCounts(path);
    if (error !== undefined) this.report(error);
    for (const [card, count] of Object.entries(counts)) super.set(card, count);
  }

  public override get(cardKey: string): number | undefined {
    this.takeInChanges();
    return super.get(cardKey);
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
    let lock: FileLock | undefined;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      // Read, change and replace under a lock: two processes saving at once (the agent and a CLI run) would
      // otherwise each write back what the other had just changed, and a count a card reported would be lost.
      lock = takeLock(`${this.path}.lock`);
      const { counts } = readCounts(this.path);
      if (triesLeft === undefined) delete counts[cardKey];
      else counts[cardKey] = triesLeft;
      const temporary = `${this.path}.${process.pid}.tmp`;
      const fd = openSync(temporary, 'w', 0o600);
      let written: string;
      try {
        writeSync(fd, `${JSON.stringify(counts)}\n`);
        // The version of what this process wrote, taken from the file itself: a stat after the rename could see
        // another process's newer file, whose counts would then never be taken in.
        written = versionFrom(fstatSync(fd));
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
      this.seen = written;
      this.unsaved.delete(cardKey);
    } catch (error) {
      if (triesLeft === undefined) this.unsaved.delete(cardKey);
      else this.unsaved.add(cardKey);
      this.report(new Error(`could not save PIN try counts to ${this.path} (${(error as Error).message}): the last-try guard holds within this process only`, { cause: error }));
    } finally {
      lock?.release();
    }
  }

  /** The counts another process saved since this one last read or wrote the file, taken in. */
  private takeInChanges(): void {
    const now = versionOf(this.path);
    if (now === undefined || now === this.seen) return;
    this.seen = now;
    const { counts, error } = readCounts(this.path);
    // Told once per change of the file; what this process knows stays.
    if (error !== undefined) this.report(error);
    for (const [card, count] of Object.entries(counts)) {
      const own = super.get(card);
      super.set(card, this.unsaved.has(card) && own !== undefined ? Math.min(own, count) : count);
    }
  }

  private report(error: Error): void {
    try {
      this.onError(error);
    } catch {
      // A failing report must not fail the PIN operation either.
    }
  }
}

/** What tells one version of the file from another (a save replaces it: a new inode), or `undefined` when it cannot be read. */
function versionOf(path: string): string | undefined {
  try {
    return versionFrom(statSync(path));
  } catch {
    return undefined;
  }
}

function versionFrom(s: { ino: number; mtimeMs: number; size: number }): string {
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
}

/** A lock file held by this process (created exclusively); `release` removes it. */
interface FileLock {
  release(): void;
}

/**
 * How long a save waits for another process's lock, how often it looks, and after how long a lock is taken for a
 * crashed holder's. A lock is held for the few milliseconds of one save, but a loaded machine can pause its holder
 * for over a second (seen in CI), and a process saving often re-takes it at once: looking every millisecond for up
 * to three seconds keeps a save from giving up on a lock that is merely busy.
 */
const LOCK_WAIT_MS = 3_000;
const LOCK_POLL_MS = 1;
const LOCK_STALE_MS = 5_000;

/**
 * Takes `path` as a lock file, waiting (synchronously: a count is saved inside a card operation) while another
 * process holds it; a lock older than {@link LOCK_STALE_MS} is a crashed holder's and is taken over.
 * @throws Error when the lock stays held past {@link LOCK_WAIT_MS}
 */
function takeLock(path: string): FileLock {
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      return {
        release: () => {
          closeSync(fd);
          try {
            unlinkSync(path);
          } catch {
            // Taken over as stale meanwhile: nothing of ours to remove.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      if (Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS) unlinkSync(path);
    } catch {
      // Released meanwhile: try again at once.
    }
    if (Date.now() > until) throw new Error(`${path} is held by another process`);
    Atomics.wait(SLEEP, 0, 0, LOCK_POLL_MS);
  }
}

/** For short synchronous waits between lock attempts. */
const SLEEP = new Int32Array(new SharedArrayBuffer(4));

/** An empty set of counts, without a prototype (see `readCounts`). */
function noCounts(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

/** The counts in `path`: none for a missing file; none and the reason for a file that holds no counts. */
function readCounts(path: string): { counts: Record<string, number>; error?: Error } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { counts: noCounts() };
    return { counts: noCounts(), error: new Error(`could not read PIN try counts from ${path} (${(error as Error).message}): counts known before are not used`, { cause: error }) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { counts: noCounts(), error: new Error(`${path} is not a PIN try count file (${(error as Error).message}): counts known before are not used`, { cause: error }) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { counts: noCounts(), error: new Error(`${path} is not a PIN try count file (not a JSON object): counts known before are not used`) };
  }
  // No prototype: a key is whatever a card reports as its number, and `__proto__` (printable ASCII, so a possible
  // one) set on a plain object would change nothing and its count would be lost.
  const counts = noCounts();
  for (const [k, v] of Object.entries(parsed)) {
    if (k !== '' && typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 15) counts[k] = v;
  }
  return { counts };
}
