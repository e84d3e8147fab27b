/**
 * A test file that uses the virtual reader holds its lock for its whole run: taken in the first `beforeAll` of the
 * file (registered here, before the file's own hooks), released after its last `afterAll`. The file is collected
 * (its modules loaded and transformed, seconds under load) before it waits, while another file has the reader: the
 * reader files' turns, one after another, are what the whole run waits on (measured: the reader was held 348 s of
 * a 355 s run), and collecting inside them made every turn longer. The wait has a timeout of its own, longer than
 * any test's or hook's. A reader file must therefore not touch the reader while it is collected (at its top level).
 *
 * The portal's browser files take their readers in the rig instead (test/browser/support/portal-rig.ts), once
 * Chromium, the portal and its store are up: starting them is most of such a file's set-up and needs no reader.
 * Files that never touch the reader pass straight through.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { VPCD_DEFAULT_PORT } from '../../src/testing/vpcd/index.js';
import { READER_TURN_WAIT_MS, lockReader, readerUse } from '../support/reader-lock.js';

const file = expect.getState().testPath;
if (file !== undefined && readerUse(file) === 'file') {
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await lockReader(VPCD_DEFAULT_PORT, READER_TURN_WAIT_MS);
  }, READER_TURN_WAIT_MS + 60_000);
  afterAll(() => release?.());
}
