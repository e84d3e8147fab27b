/**
 * A test file that uses the virtual reader holds its lock for its whole run, taken here before the file is
 * collected: waiting for another file's turn then counts against no test or hook timeout, and the file's own
 * tests take the (re-entrant) lock without waiting. Files that never touch the reader pass straight through.
 */
import { afterAll, expect } from 'vitest';
import { VPCD_DEFAULT_PORT } from '../../src/testing/vpcd/index.js';
import { lockReader, takesReaderLock } from '../support/reader-lock.js';

const file = expect.getState().testPath;
if (file !== undefined && takesReaderLock(file)) {
  // Generous: the turn comes after every other reader file, each well under two minutes.
  const release = await lockReader(VPCD_DEFAULT_PORT, 30 * 60_000);
  afterAll(release);
}
