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
 * Files that only compute (certificates, EMS, DER, messages): no reader, database, browser or child process of
 * their own, and no process-wide setting left behind. They run one after another in one worker thread that keeps
 * the modules it loaded, instead of each file loading the sources again in a new process (about four times less
 * CPU for these files). Everything else keeps a process of its own.
 */
const SHARED_PROCESS = ['test/{ems,cert,shared,messages}/**/*.test.ts'];

const pools = {
  // Vitest's default on a 2-core machine is one worker, and most files wait on pcscd, PostgreSQL or Chromium
  // rather than compute: four processes keep both cores busy while the reader files take their turns (one at a
  // time: test/setup/reader-turn.ts; spread through the run: test/setup/sequencer.ts), beside the one thread.
  forks: { maxForks: 4, minForks: 1 },
  threads: { isolate: false, maxThreads: 1, minThreads: 1 },
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
      { resolve, test: { ...perFile, name: 'own-process', include: ['test/**/*.test.ts'], exclude: SHARED_PROCESS, pool: 'forks' } },
      { resolve, test: { ...perFile, name: 'shared-process', include: SHARED_PROCESS, pool: 'threads', poolOptions: { threads: { isolate: false } } } },
    ],
  },
});
