/**
 * Two PgliteStore.open calls on one data directory at once, in one process (a
 * service that opens its store from two start-up paths, or a test helper
 * called twice). Each call checked "held by this process?" before either had
 * taken the lock file; the second then found a lock file naming this process,
 * took it for an earlier incarnation's, deleted it and made its own, and both
 * opened the directory: the double writer the lock exists to prevent. Now the
 * directory is reserved before the first await, and the lock file appears with
 * its owner already written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EnrollError } from '../../src/enroll/index.js';
import { PgliteStore } from '../../src/enroll/pglite.js';
import { copyMigratedDataDir, prepareTemplates } from './support/pglite-template.js';

const base = mkdtempSync(join(tmpdir(), 'twpki-races-pglite-open-'));

beforeAll(() => prepareTemplates({ migrated: true }), 180_000);

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

it('two opens of one data directory at once: one store, the other STORE_IN_USE', async () => {
  const dir = join(base, 'db');
  // An existing directory (a copy of a migrated one): the race is the lock's, before PGlite starts; initdb is not tested.
  await copyMigratedDataDir(dir);
  const outcomes = await Promise.allSettled([PgliteStore.open({ dataDir: dir }), PgliteStore.open({ dataDir: dir })]);
  const opened = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  try {
    expect(opened).toHaveLength(1);
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(EnrollError);
    expect((refused?.reason as EnrollError).code).toBe('STORE_IN_USE');
  } finally {
    await Promise.all(opened.map((s) => s.close()));
  }
  // The refused open left the winner's lock alone: after the winner closed, the directory opens again.
  const again = await PgliteStore.open({ dataDir: dir });
  await again.close();
}, 120_000);
