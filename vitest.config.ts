import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One TAPSTACK_RUN_DIR for the whole run, removed at its end (test/global_setup.ts).
    globalSetup: ['test/global_setup.ts'],
    // Integration tests create network namespaces and TAP devices; run files one at a time so
    // their kernel-side timing is not disturbed by parallel CPU load on a 2-core machine.
    fileParallelism: false,
    testTimeout: 30000,
    hookTimeout: 30000,
  },
});
