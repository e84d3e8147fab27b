/**
 * A test file that uses the virtual reader holds its lock from before its own `beforeAll` hooks to after its
 * own `afterAll` hooks (a setup file's hooks run first and, for `afterAll`, last). The file is loaded before the
 * turn is taken: loading (Chromium's driver, the SDK, the test kit) took 9–27 s a file on a loaded two-core
 * machine, and done while holding the reader it lengthened the one queue every reader file waits in. Waiting has
 * a hook timeout of its own, long enough for every other reader file's turn; the file's own tests take the
 * (re-entrant) lock without waiting. Files that never touch the reader pass straight through. No reader file
 * touches the reader while it is loaded (none does at module level).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { VPCD_DEFAULT_PORT } from '../../src/testing/vpcd/index.js';
import { lockReader, takesReaderLock } from '../support/reader-lock.js';

/** The turn comes after every other reader file, each well under two minutes. */
const TURN_WAIT_MS = 30 * 60_000;

const file = expect.getState().testPath;
if (file !== undefined && takesReaderLock(file)) {
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await lockReader(VPCD_DEFAULT_PORT, TURN_WAIT_MS);
  }, TURN_WAIT_MS + 60_000);
  afterAll(() => release?.());
}
