// The neighbour table against the real kernel through a TAP in a private namespace: the stack
// resolves the kernel by ARP, walks the NUD states under short timers, and fails an address
// nobody owns after exactly ucast/mcast_probes broadcasts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcess } from 'node:child_process';
import { Netns, StackChild, canRunKernelTests, waitFor } from '../helpers/netns.js';

describe.runIf(canRunKernelTests(['ip', 'tcpdump']))('neighbour subsystem against the kernel', () => {
  let ns: Netns;
  let stack: StackChild;
  let kernelMac: string;

  beforeAll(async () => {
    ns = Netns.create('tsneigh');
    stack = StackChild.start(ns);
    await stack.call('start', {
      dev: 'tap0',
      addrs: ['10.0.0.2/24'],
      mac: '02:5a:00:00:00:02',
      parms: { baseReachableTime: 2000, delayProbeTime: 1000 },
    });
    ns.sh('ip addr add 10.0.0.1/24 dev tap0');
    kernelMac = JSON.parse(ns.sh('ip -j link show tap0'))[0].address;
  });

  afterAll(() => {
    stack?.kill();
    ns?.destroy();
  });

  it('pings the kernel from an empty table: the first packet waits for ARP, 5/5 replies', async () => {
    expect(await stack.call('neigh')).toEqual([]);
    const r = await stack.call('ping', { dst: '10.0.0.1', count: 5, interval: 0.2 });
    expect(r.transmitted).toBe(5);
    expect(r.received).toBe(5);
    expect(r.replies.map((x: { seq: number }) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(r.lines[0]).toBe('PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.');
    expect(r.lines[1]).toMatch(/^64 bytes from 10\.0\.0\.1: icmp_seq=1 ttl=64 time=[0-9.]+ ms$/);
    expect(r.lines.at(-2)).toMatch(/^5 packets transmitted, 5 received, 0% packet loss, time \d+ms$/);
    const n = (await stack.call('neigh')).find((e: { dst: string }) => e.dst === '10.0.0.1');
    expect(n.lladdr).toBe(kernelMac);
    expect(n.stateNames).toEqual(['REACHABLE']);
    // The kernel learned us from our request (neigh_event_ns) and from nothing else.
    expect(ns.sh('ip neigh show 10.0.0.2 dev tap0')).toMatch(/lladdr 02:5a:00:00:00:02/);
    const st = await stack.call('stats');
    expect(st.neigh.unresDiscards).toBe(0);
    expect(st.arp.txRequests).toBeGreaterThanOrEqual(1);
  });

  it('walks REACHABLE → STALE → DELAY → PROBE → REACHABLE under short timers', async () => {
    const since = stack.events.length;
    const states = () =>
      stack.events.slice(since).filter((e) => e.neigh.dst === '10.0.0.1').map((e) => e.neigh.stateNames.join(' '));
    const current = async () =>
      (await stack.call('neigh')).find((e: { dst: string }) => e.dst === '10.0.0.1').stateNames.join(' ');
    // reachable_time is random in [1, 3) s for base 2 s; with no traffic the entry goes stale.
    await waitFor('STALE', () => states().includes('STALE'), 8000);
    expect(await current()).toBe('STALE');
    // STALE + a packet → DELAY (neigh_event_send; like the kernel, no notification for this step).
    const r = await stack.call('ping', { dst: '10.0.0.1', count: 1 });
    expect(r.received).toBe(1);
    expect(await current()).toBe('DELAY');
    // No confirmation within delay_probe (1 s) → PROBE: a unicast request to the known MAC, which
    // the kernel answers → REACHABLE. Both steps are notified.
    await waitFor('PROBE then REACHABLE', () => states().join(',').endsWith('STALE,PROBE,REACHABLE'), 8000);
    expect(states()).toEqual(['STALE', 'PROBE', 'REACHABLE']);
    expect(await current()).toBe('REACHABLE');
  });

  it('fails an address nobody owns after exactly 3 broadcast requests 1 s apart', async () => {
    const cap: ChildProcess = ns.spawn('tcpdump', ['-i', 'tap0', '-n', '-e', '-l', '-tt', 'arp and host 10.0.0.99']);
    let dump = '';
    let dumpErr = '';
    cap.stdout!.on('data', (d) => (dump += d));
    cap.stderr!.on('data', (d) => (dumpErr += d));
    try {
      await waitFor('tcpdump to listen', () => dumpErr.includes('listening on'), 10000);
      const r = await stack.call('ping', { dst: '10.0.0.99', count: 1, timeout: 4.5 });
      expect(r.received).toBe(0);
      expect(r.errors).toBe(1);
      expect(r.lines).toContain('From 10.0.0.2 icmp_seq=1 Destination Host Unreachable');
      await new Promise((res) => setTimeout(res, 500));
    } finally {
      cap.kill('SIGINT');
    }
    const reqs = dump.split('\n').filter((l) => l.includes('Request who-has 10.0.0.99'));
    expect(reqs).toHaveLength(3);
    for (const l of reqs) expect(l).toMatch(/02:5a:00:00:00:02 > ff:ff:ff:ff:ff:ff.*tell 10\.0\.0\.2/);
    const t = reqs.map((l) => Number(l.split(' ')[0]));
    expect(t[1] - t[0]).toBeGreaterThan(0.85);
    expect(t[1] - t[0]).toBeLessThan(1.3);
    expect(t[2] - t[1]).toBeGreaterThan(0.85);
    expect(t[2] - t[1]).toBeLessThan(1.3);
    const n = (await stack.call('neigh')).find((e: { dst: string }) => e.dst === '10.0.0.99');
    expect(n.stateNames).toEqual(['FAILED']);
    expect(n.lladdr).toBeNull();
    const st = await stack.call('stats');
    expect(st.neigh.resFailed).toBe(1);
  });
});
