import { defineConfig } from 'vitest/config';

/**
 * The integration tests that move data through a TAP, run a second time with plain frames
 * (TAPSTACK_OFFLOAD=0: no virtio-net header, no TSO, 2048-byte slots); the first pass has
 * TapDevice's default, offloads on.
 */
const PLAIN_FRAMES = [
  'test/integration/tcp_kernel.test.ts',
  'test/integration/tcp_zerowin_kernel.test.ts',
  'test/integration/tcp_flood_kernel.test.ts',
  'test/integration/udp_kernel.test.ts',
  'test/integration/udp6_kernel.test.ts',
  'test/integration/ping_kernel.test.ts',
  'test/integration/ipv6_kernel.test.ts',
  'test/integration/fuzz_tap.test.ts',
  'test/integration/faults_kernel.test.ts',
  'test/integration/examples_http.test.ts',
];

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
      { extends: true, test: { name: 'plain-frames', include: PLAIN_FRAMES, env: { TAPSTACK_OFFLOAD: '0' } } },
    ],
  },
});
