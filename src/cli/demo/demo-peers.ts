import type { PgliteStore } from '../../enroll/pglite.js';
import { moduleNotFound } from '../../shared/module-not-found.js';
import { TestPkiError } from '../../testing/pki/errors.js';
import { loadX509 } from '../../testing/pki/x509-loader.js';

/** What the demo needs that twpki itself does not install: how to open its store. */
export interface DemoPeers {
  openStore: () => Promise<PgliteStore>;
}

/**
 * Loads the demo's optional peers before anything starts, so that a user missing several learns all their names
 * from one run: the test kit's certificate builder (@peculiar/x509 with reflect-metadata) and the embedded
 * database the enrollment step keeps its account in (@electric-sql/pglite). None of them is a dependency of twpki:
 * a backend that never runs the demo carries none of them.
 */
export async function loadDemoPeers(): Promise<DemoPeers> {
  const missing: string[] = [];
  const [, store] = await Promise.all([
    loadX509().catch((error: unknown) => {
      if (!(error instanceof TestPkiError)) throw error;
      missing.push('@peculiar/x509', 'reflect-metadata');
    }),
    // Its own chunk, loaded here rather than imported: a static import would fail the whole command's load with
    // the loader's message instead of this one.
    import('../../enroll/pglite.js').catch((error: unknown) => {
      if (!moduleNotFound(error, '@electric-sql/pglite')) throw error;
      missing.push('@electric-sql/pglite');
    }),
  ]);
  if (store === undefined || missing.length > 0) {
    throw new TestPkiError(
      'TEST_KIT_DEPENDENCY_MISSING',
      `twpki demo runs on the test kit and an embedded database, optional peer dependencies of twpki; ` +
        `install them next to twpki (npm install --save-dev ${missing.join(' ')})`,
    );
  }
  return { openStore: () => store.PgliteStore.open() };
}
