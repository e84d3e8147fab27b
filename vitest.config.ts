import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import ReaderAwareSequencer from './test/setup/sequencer.js';

const src = (p: string): string => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

const resolve = {
  // Examples import the package by name; in tests that name means the sources.
  alias: [
    { find: /^twpki$/, replacement: src('index.ts') },
    { find: /^twpki\/(apdu|cert|enroll)\/advanced$/, replacement: src('$1/advanced.ts') },
    { find: /^twpki\/enroll\/(pglite|pg|smtp)$/, replacement: src('enroll/$1.ts') },
    { find: /^twpki\/(pcsc|apdu|cert|ems|enroll|testing|agent|browser)$/, replacement: src('$1/index.ts') },
    { find: /^twpki\/(messages|challenge-store)$/, replacement: src('$1/index.ts') },
    { find: /^twpki\/(fastify|express)$/, replacement: src('integrations/$1.ts') },
  ],
};

/** What every test file gets, whichever project runs it. */
const perFile = {
  setupFiles: ['test/setup/reader-turn.ts', 'test/setup/io-turn.ts', 'test/setup/key-pool.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * Folders whose files leave nothing behind in their process: no virtual reader, no card (the default retry-count
 * store is process-wide), no mocked module, fake timer or environment variable, no listener left on `process`;
 * their databases, servers and child processes are each test's own. They run one after another in two worker
 * threads that keep the modules they loaded, instead of each file loading the sources again in a new process:
 * measured here, test/enroll with test/lifecycle took 173 s of CPU that way against 396 s with a process per
 * file. A file added to these folders must keep to that; one that cannot goes elsewhere (test/apdu and
 * test/agent use cards, test/examples sets environment variables, test/testing mocks modules). test/integrations
 * stays out: in a trial run two of its PostgreSQL outage tests failed in a thread.
 */
const SHARED_PROCESS = ['test/{ems,cert,shared,messages,enroll,lifecycle}/**/*.test.ts'];

/**
 * Files in those folders that time their work with `process.cpuUsage()`, which counts every thread of the process:
 * beside a busy sibling thread they would measure its work too.
 */
const CPU_TIMED = ['test/cert/encoding/pem.test.ts'];

/**
 * Files that need pcscd with the virtual reader, or Chromium: a project of their own so that `npm run test:unit`
 * can leave them out by name (vitest's `--exclude` does not reach into projects).
 */
const SERVICES = ['test/**/*.pcsc.test.ts', 'test/**/*.browser.test.ts'];

const pools = {
  // Vitest's default on a 2-core machine is one worker, and many files wait on pcscd, PostgreSQL or Chromium
  // rather than compute: four processes and the two threads keep both cores busy while the reader files take
  // their turns (one at a time: test/setup/reader-turn.ts; spread through the run: test/setup/sequencer.ts).
  forks: { maxForks: 4, minForks: 1 },
  // `isolate` twice: the pool reads the root's, each worker its project's (given below from this one).
  threads: { isolate: false, maxThreads: 2, minThreads: 1 },
};

export default defineConfig({
  resolve,
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    // Run once, for the root; both projects are given what it provides.
    globalSetup: ['test/setup/global-setup.ts'],
    poolOptions: pools,
    sequence: { sequencer: ReaderAwareSequencer },
    projects: [
      { resolve, test: { ...perFile, name: 'own-process', include: ['test/**/*.test.ts'], exclude: [...SHARED_PROCESS, ...SERVICES], pool: 'forks' } },
      { resolve, test: { ...perFile, name: 'services', include: SERVICES, exclude: SHARED_PROCESS, pool: 'forks' } },
      { resolve, test: { ...perFile, name: 'own-process-cpu-timed', include: CPU_TIMED, pool: 'forks' } },
      {
        resolve,
        test: { ...perFile, name: 'shared-process', include: SHARED_PROCESS, exclude: CPU_TIMED, pool: 'threads', poolOptions: { threads: { isolate: pools.threads.isolate } } },
      },
    ],
  },
});
