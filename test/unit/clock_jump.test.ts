// A clock that jumps (a suspended VM, a stalled event loop): hours pass in one step. Every pending
// timer fires once, in order, re-arming from the new "now" — no storm of catch-up runs — and the
// table ends where the kernel's would after a long silence. The stack only reads a monotonic
// clock (performance.now), so wall-clock changes cannot move it at all.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { Stack } from '../../src/stack.js';

let live: Stack[] = [];
afterEach(async () => {
  for (const s of live) await s.close();
  live = [];
});

describe('clock jumps', () => {
  it('an hour in one step: each overdue timer fires once, resolution resumes, entries age, invariants hold, the stack still answers', async () => {
    const clock = new ManualClock();
    const A = new Stack({ clock, random: () => 0.5 });
    const B = new Stack({ clock, random: () => 0.5 });
    live.push(A, B);
    const [ea, eb] = createPair('a0', 'b0');
    A.addDevice(ea);
    B.addDevice(eb);
    A.addAddress(ea, '10.0.0.1/24');
    B.addAddress(eb, '10.0.0.2/24');
    const first = A.ping('10.0.0.2', { count: 1 });
    clock.advance(0);
    expect((await first).received).toBe(1);
    // Some entries in every timed state: REACHABLE (10.0.0.2), INCOMPLETE with a queued packet.
    const lost = A.ping('10.0.0.99', { count: 1, timeout: 1 });
    const gcBefore = A.inet.arp.tbl.stats.periodicGcRuns;
    const timersBefore = clock.pendingCount;
    clock.jump(3_600_000);
    // ping's own 1 s timeout and the entry's probe timer fire once each at the new time; the
    // entry then needs its remaining probes (1 s apart) to fail, as a kernel's would.
    expect((await lost).received).toBe(0);
    const tbl = A.inet.arp.tbl;
    expect(A.neighbours().find((x) => x.dst === '10.0.0.99')?.stateNames).toEqual(['INCOMPLETE']);
    clock.advance(3000);
    expect(A.neighbours().find((x) => x.dst === '10.0.0.99')?.stateNames ?? ['gone']).not.toEqual(['INCOMPLETE']);
    expect(tbl.stats.resFailed).toBe(1);
    expect(tbl.checkInvariants()).toEqual([]);
    // The periodic GC ran a handful of times, not 3600 s / 15 s = 240 catch-up times.
    expect(tbl.stats.periodicGcRuns - gcBefore).toBeLessThanOrEqual(3);
    expect(clock.pendingCount).toBeLessThanOrEqual(timersBefore + 2);
    const n = A.neighbours().find((x) => x.dst === '10.0.0.2');
    expect(n === undefined || n.stateNames[0] === 'STALE').toBe(true);
    const again = A.ping('10.0.0.2', { count: 1 });
    clock.advance(0);
    clock.advance(1000);
    expect((await again).received).toBe(1);
  });
});
