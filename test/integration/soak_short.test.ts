// The soak (scripts/soak.mjs) in its short CI form: 20 s of `ping -f` from the kernel against
// `tapstack up` in a private namespace, with an ARP scan from ever-new senders (150/s, enough to
// fill the table and make forced GC run), `tapstack ip neigh flush` every 7 s (by then the scan has about filled the table) and sysctl flips
// every 4 s through the CLI. The script's own verdict is not taken on trust: its JSON figures are
// asserted here one by one, with the bounds explained.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, canRunKernelTests } from '../helpers/netns.js';

const SECONDS = 20;

function runSoak(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(ROOT, 'scripts', 'soak.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe.runIf(canRunKernelTests(['ip', 'ping', '/usr/bin/python3']))('soak, short form', () => {
  it(`${SECONDS} s of flood ping, ARP churn, flushes and sysctl writes: no lost replies, bounded memory`, async () => {
    const r = await runSoak(['--seconds', String(SECONDS), '--interval', '2', '--flush-every', '7', '--sysctl-every', '4', '--json']);
    const lines = r.out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const v = lines.at(-1);
    expect(v?.type, `${r.out}\n${r.err}`).toBe('verdict');
    const samples = lines.filter((l) => l.type === 'sample');
    console.log(`soak_short: ${JSON.stringify({ pass: v.pass, reasons: v.reasons, ping: v.ping, rss: v.rss, heap: v.heap, table: v.table, actions: { ...v.actions, flushIncomplete: v.actions.flushIncomplete.length } })}`);

    // The stack ran the whole time and stopped cleanly on SIGINT, as `tapstack up` must.
    expect(v.stop).toEqual({ code: 0, signal: null });
    expect(samples.length).toBeGreaterThanOrEqual(SECONDS / 2 - 1);

    // Replies: ping -f keeps one request in flight, and its -w deadline can end the run with
    // that one's reply still on its way; that is the only loss allowed. With the stack's own
    // counters (tapstack stat) it is pinned down: every request reached the stack and every one
    // was answered, so a lost reply can only be one ping stopped waiting for.
    expect(v.ping.transmitted).toBeGreaterThan(10_000);
    expect(v.ping.lost).toBeLessThanOrEqual(1);
    if (v.ping.where) {
      expect(v.ping.where.requestsNeverReachedStack).toBe(0);
      expect(v.ping.where.requestsUnansweredByStack).toBe(0);
      expect(v.ping.where.repliesNotCountedByPing).toBe(v.ping.lost);
    }

    // The table: never above gc_thresh3 at any change (ip monitor neigh), and the churn was
    // enough to make forced GC run.
    expect(v.table.thresh3).toBe(1024);
    expect(v.table.peakEntries).toBeLessThanOrEqual(1024);
    expect(v.table.sampledPeak).toBeLessThanOrEqual(1024);
    expect(v.table.peakEntries).toBeGreaterThan(512);
    expect(v.table.forcedGcRuns).toBeGreaterThan(0);
    expect(v.table.allocs - v.table.destroys).toBeLessThanOrEqual(1024);

    // The management churn happened (flushes may be "not complete" — iproute2 gives up after 10
    // rounds while the scan keeps adding entries — but each removed what it found).
    expect(v.actions.flushes).toBeGreaterThanOrEqual(2);
    expect(v.actions.sysctls).toBeGreaterThanOrEqual(3);
    expect(v.actions.sysctlFailures).toEqual([]);

    // Memory, from the end of a 5 s warm-up (a quarter of the run) to the end, i.e. over
    // 15 s and (at the ~30k echoes/s measured on a 2-core machine) some 450k echo round trips:
    //  - live JS heap (a forced full GC at each sample): ≤ 2 MiB growth. A full table of 1024
    //    entries is about 0.5 MiB and its occupancy swings with the scan and the flushes
    //    (measured growth 0.4–0.75 MiB); a JS leak of 4 bytes per echo would exceed the bound.
    //  - anonymous memory outside V8's heap (RssAnon minus V8's resident heap: the addon,
    //    Buffers' backing stores, malloc): ≤ 8 MiB growth. It still warms up here (measured
    //    +4.1–4.9 MiB in 20 s runs; in the 2-minute soak it levels off at ~10 MiB after ~60 s),
    //    so 8 MiB is that plus 3 MiB; a native leak of 8 bytes per echo would exceed it.
    //  - RSS as a whole: ≤ 48 MiB. Under a flood V8 grows its young generation (towards two
    //    16 MiB semi-spaces), which is resident heap, not a leak (measured +9–10 MiB here,
    //    +24 MiB over 2 minutes, all of it V8's heap); the two bounds above catch leaks.
    expect(v.heap.samples).toBeGreaterThanOrEqual(3);
    expect(v.heap.growthMiB).toBeLessThanOrEqual(2);
    expect(v.rss.offHeapGrowthMiB).toBeLessThanOrEqual(8);
    expect(v.rss.growthAfterWarmMiB).toBeLessThanOrEqual(48);

    expect(v.pass, JSON.stringify(v.reasons)).toBe(true);
    expect(r.code).toBe(0);
  }, 90_000);
});
