import { defineConfig } from 'vitest/config';

/**
 * The integration tests run a second time with plain frames (TAPSTACK_OFFLOAD=0: no virtio-net
 * header, no TSO, MTU-sized reads); the first pass has TapDevice's default, offloads on. The
 * ethtool test is about switching offloads, which a TAP without them does not have; the package
 * and benchmark smoke tests do not depend on them (the TCP benchmark runs both kinds itself).
 */
const PLAIN_FRAMES_EXCLUDE = ['test/integration/ethtool_kernel.test.ts', 'test/integration/consumer.test.ts', 'test/integration/bench_smoke.test.ts'];

export default defineConfig({
  test: {
    // One TAPSTACK_RUN_DIR for the whole run, removed at its end (test/global_setup.ts).
    globalSetup: ['test/global_setup.ts'],
    // Integration tests create network namespaces and TAP devices; run files one at a time so
    // their kernel-side timing is not disturbed by parallel CPU load on a 2-core machine.
    fileParallelism: false,
    testTimeout: 30000,
    hookTimeout: 30000,
    projects: [
      { extends: true, test: { name: 'offloads', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'plain-frames', include: ['test/integration/**/*.test.ts'], exclude: PLAIN_FRAMES_EXCLUDE, env: { TAPSTACK_OFFLOAD: '0' } },
      },
    ],
  },
});
