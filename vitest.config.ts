import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests that share the one pcscd reader must not run in parallel files.
    fileParallelism: true,
    pool: 'forks',
  },
});
