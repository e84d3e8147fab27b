import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { takesReaderLock } from '../support/reader-lock.js';

/**
 * The default order (slowest first) would hand every worker a reader file at the start, and all but one would
 * wait for the reader. This order spreads those files through the first half of the run, longest first, so the
 * reader is busy from the first moment while the other workers run everything else. Spread over the whole run
 * (as before), the reader sat idle for a minute and a half early on, waiting for the next reader file to come
 * up, and its last turns were the run's last minute: once the turns were shorter than the run (see
 * docs/decisions.md, "The suite waits on the reader's turns"), they had to come earlier, not be spaced out.
 */
export default class ReaderAwareSequencer extends BaseSequencer {
  public override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const locked = sorted.filter((f) => takesReaderLock(f.moduleId));
    const free = sorted.filter((f) => !takesReaderLock(f.moduleId));
    if (locked.length === 0) return sorted;
    const every = Math.max(1, Math.floor(free.length / locked.length / 2));
    const out: TestSpecification[] = [];
    for (let i = 0; i < locked.length; i++) out.push(locked[i] as TestSpecification, ...free.slice(i * every, (i + 1) * every));
    out.push(...free.slice(locked.length * every));
    return out;
  }
}
