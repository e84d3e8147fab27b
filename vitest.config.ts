import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import ReaderAwareSequencer from './test/setup/sequencer.js';

const src = (p: string): string => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name; in tests that name means the sources.
    alias: [
      { find: /^twpki$/, replacement: src('index.ts') },
      { find: /^twpki\/(apdu|cert|enroll)\/advanced$/, replacement: src('$1/advanced.ts') },
      { find: /^twpki\/enroll\/(pglite|pg|smtp)$/, replacement: src('enroll/$1.ts') },
      { find: /^twpki\/(pcsc|apdu|cert|ems|enroll|testing|agent|browser)$/, replacement: src('$1/index.ts') },
      { find: /^twpki\/(messages|challenge-store)$/, replacement: src('$1/index.ts') },
      { find: /^twpki\/(fastify|express)$/, replacement: src('integrations/$1.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    setupFiles: ['test/setup/reader-turn.ts', 'test/setup/io-turn.ts', 'test/setup/key-pool.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on a 2-core machine is one worker, and most files wait on pcscd, PostgreSQL or Chromium
    // rather than compute: four workers keep both cores busy while the reader files take their turns (one at a
    // time: test/setup/reader-turn.ts; spread through the run: test/setup/sequencer.ts).
    poolOptions: { forks: { maxForks: 4, minForks: 1 } },
    sequence: { sequencer: ReaderAwareSequencer },
  },
});
