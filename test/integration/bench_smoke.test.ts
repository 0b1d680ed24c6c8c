// Every benchmark runs in its tiny smoke mode, so none of them can rot unnoticed. Figures are not
// checked here (speed lives in the benchmarks, not in tests); each benchmark verifies its own
// results (reply contents, frames counted by the kernel) and exits non-zero when one is wrong.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, canRunKernelTests } from '../helpers/netns.js';

const run = (script: string, timeoutMs: number): { status: number | null; out: string } => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', ...script.split('/')), '--smoke'], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('benchmark smoke runs', () => {
  it('micro benchmarks (benny)', () => {
    const r = run('micro.mjs', 120_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/neigh_output|neighOutput/);
    expect(r.out, 'the spread over samples beside each figure').toMatch(/ops\/s \(median\)\s+min–max/);
    // The IPv6 twins ran in the same run as their IPv4 cases, and their ratio is reported.
    for (const c of ['nd_tbl, 100k entries (key read in place)', 'ip6FinishOutput2', 'ndisc_recv_ns → ndisc_send_na', 'icmpv6_echo_reply']) expect(r.out).toContain(c);
    expect(r.out).toContain('# IPv6 against its IPv4 twin');
    for (const pair of ['lookup hit, 100k entries', 'ip_finish_output2 / ip6_finish_output2', 'ARP request answered / multicast NS answered', 'ICMP echo / ICMPv6 echo']) {
      expect(r.out, pair).toMatch(new RegExp(`^${pair}.*\\d+\\.\\d\\d \\[\\d+\\.\\d\\d–\\d+\\.\\d\\d\\]`, 'm'));
    }
  }, 150_000);

  it('memory benchmark', () => {
    const r = run('memory.mjs', 120_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('per neighbour entry');
    expect(r.out).toContain('heap per neighbour entry, nd_tbl (IPv6, 16-byte Buffer keys)');
    for (const path of ['ip6_finish_output2', 'lookupNoref, 100k nd_tbl', 'ICMPv6 echo in → reply out', 'NS in → NA out']) expect(r.out).toContain(`allocation: ${path}`);
  }, 150_000);

  it.runIf(canRunKernelTests(['ip', 'ping', 'cc', 'tcpdump']))('TAP benchmark against the C responder', () => {
    const r = run('tap/run.mjs', 170_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('flood round trips/s');
    // Every row the README quotes is measured, for both sides (a '-' is a figure that is missing).
    for (const row of ['flood (-l 32) avg RTT', 'ping -f RTT p99', 'tx frames/s', 'UDP send datagrams/s', 'UDP receive datagrams/s',
      'IPv6 flood round trips/s (ping -6 -f -l 32)', 'IPv6 latency avg RTT']) {
      const line = r.out.split('\n').find((l) => l.startsWith(row));
      expect(line, `${row} in\n${r.out}`).toBeDefined();
      expect(line!.split(/\s{2,}/).slice(1, 3), line).not.toContain('-');
    }
  }, 180_000);
});
