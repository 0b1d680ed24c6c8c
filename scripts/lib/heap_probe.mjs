// Preloaded into the stack's node process by scripts/soak.mjs (node --expose-gc --import THIS
// dist/cli/main.js up ...), since the stack has no heap-reporting operation of its own: on
// SIGUSR2 it runs a full garbage collection and writes one line to stderr,
//   soak-heap {"heapUsed":N,"heapTotal":N,"heapPhysical":N,"external":N,"arrayBuffers":N,"rss":N,...}
// i.e. the live heap at that moment, and how much of V8's heap is resident (heapPhysical: the
// rest of the process's anonymous memory is outside the JS heap). Nothing else changes.
import { getHeapStatistics } from 'node:v8';

process.on('SIGUSR2', () => {
  const gc = globalThis.gc;
  const t0 = performance.now();
  if (typeof gc === 'function') gc();
  const m = process.memoryUsage();
  const v = getHeapStatistics();
  process.stderr.write(
    `soak-heap ${JSON.stringify({
      heapUsed: m.heapUsed, heapTotal: m.heapTotal, heapPhysical: v.total_physical_size, malloced: v.malloced_memory,
      external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss,
      gcMs: +(performance.now() - t0).toFixed(1), forced: typeof gc === 'function',
    })}\n`,
  );
});
