// Proxy ARP and forwarding between two kernels: one tapstack (started through the CLI) owns
// tap0, whose kernel side stays in namespace A, and tap1, whose kernel side is moved to B. Both
// kernels believe 10.0.0.0/24 is one link; the stack splits it into two /25s and answers ARP for
// the far half, then forwards the traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';

const MAC0 = '02:5a:00:00:01:00';
const MAC1 = '02:5a:00:00:01:01';

describe.runIf(canRunKernelTests(['ip', 'ping', 'arping']))('proxy ARP and forwarding between two kernels', () => {
  let A: Netns;
  let B: Netns;
  let proc: ChildProcess;
  let out = '';

  beforeAll(async () => {
    A = Netns.create('tsproxyA');
    B = Netns.create('tsproxyB');
    proc = A.spawn(process.execPath, [
      join(ROOT, 'dist', 'cli', 'main.js'), 'up',
      '--dev', 'tap0', '--addr', '10.0.0.2/25', '--mac', MAC0,
      '--dev', 'tap1', '--addr', '10.0.0.130/25', '--mac', MAC1,
      '--forwarding',
      '--sysctl', 'net.ipv4.conf.all.proxy_arp=1',
      '--sysctl', 'net.ipv4.neigh.tap0.proxy_delay=0',
    ]);
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    await waitFor('both status lines', () => out.includes('tap1 created'));
    A.sh(`ip link set tap1 netns ${B.name} && ip addr add 10.0.0.1/24 dev tap0`);
    B.sh('ip link set tap1 up && ip addr add 10.0.0.200/24 dev tap1');
  });

  afterAll(() => {
    proc?.kill('SIGKILL');
    A?.destroy();
    B?.destroy();
  });

  it('prints one status line per device', () => {
    expect(out).toContain(`tapstack: tap0 created lladdr ${MAC0} mtu 1500 inet 10.0.0.2/25\n`);
    expect(out).toContain(`tapstack: tap1 created lladdr ${MAC1} mtu 1500 inet 10.0.0.130/25\n`);
  });

  it('A pings B across the stack: replies come back with TTL 63', () => {
    const r = A.sh('ping -c 3 -i 0.2 -W 3 10.0.0.200');
    expect(r).toContain('3 packets transmitted, 3 received');
    expect(r).toMatch(/64 bytes from 10\.0\.0\.200: icmp_seq=1 ttl=63/);
  });

  it("each kernel resolved the other side's address to the stack's MAC on its own link", () => {
    expect(A.sh('ip neigh show 10.0.0.200 dev tap0')).toContain(`lladdr ${MAC0}`);
    expect(B.sh('ip neigh show 10.0.0.1 dev tap1')).toContain(`lladdr ${MAC1}`);
  });

  it('proxies any address routed through the other device, with proxy_delay (800 ms) on tap1', () => {
    const r = A.try('arping -c 1 -w 3 -I tap0 10.0.0.201', 10000);
    expect(r.out).toContain(`[${MAC0.toUpperCase()}]`);
    const t0 = Date.now();
    const s = B.try('arping -c 1 -w 3 -I tap1 10.0.0.3', 10000);
    expect(s.out).toContain(`[${MAC1.toUpperCase()}]`);
    // a broadcast request waits a random time in [0, proxy_delay) on the proxy queue
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('does not proxy an address on the same side (route back out of the input device)', () => {
    const r = A.try('arping -c 1 -w 2 -I tap0 10.0.0.50', 10000);
    expect(r.out).toContain('Received 0 response(s)');
  });

  it('TTL 1 through the stack: A hears "Time to live exceeded" from the stack', () => {
    const r = A.try('ping -c 1 -t 1 -W 2 10.0.0.200');
    expect(r.out).toMatch(/From 10\.0\.0\.2 icmp_seq=1 Time to live exceeded/);
  });
});
