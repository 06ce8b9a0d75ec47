import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Backends and specs are imported on demand; the suite loads them all first.
    setupFiles: ['test/support/load-modules.ts'],
    // Tests that spawn the built `hyplay` need dist/ to match the sources.
    globalSetup: ['test/support/build.ts'],
    testTimeout: 60_000,
    pool: 'threads',
    // Both cores: vitest's default outside watch mode is one worker fewer than the CPUs, which on the 2-core CI machines
    // is a single worker, and the suite then takes about 1.6 times as long.
    maxWorkers: 2,
  },
});
