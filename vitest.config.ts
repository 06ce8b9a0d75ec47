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
  },
});
