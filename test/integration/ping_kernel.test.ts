// The kernel pings tapstack through a TAP in a private namespace (what `npm run demo` shows),
// driving the stack only through its CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';

describe.runIf(canRunKernelTests(['ip', 'ping']))('kernel pings the stack (CLI `tapstack up`)', () => {
  let ns: Netns;
  let proc: ChildProcess;
  let out = '';
  const MAC = '02:5a:00:00:00:02';

  beforeAll(async () => {
    ns = Netns.create('tsping');
    proc = ns.spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', MAC, '--via', '10.0.0.1']);
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    await waitFor('the status line', () => out.includes('lladdr'));
    ns.sh('ip addr add 10.0.0.1/24 dev tap0');
  });

  afterAll(() => {
    proc?.kill('SIGKILL');
    ns?.destroy();
  });

  it('prints one status line naming device, MAC and addresses', () => {
    expect(out).toMatch(/^tapstack: tap0 created lladdr 02:5a:00:00:00:02 mtu 1500 inet 10\.0\.0\.2\/24 via 10\.0\.0\.1\n$/);
  });

  it('answers 5 of 5 pings from the kernel', () => {
    const r = ns.sh('ping -c 5 -i 0.2 -W 2 10.0.0.2');
    expect(r).toMatch(/5 packets transmitted, 5 received, 0% packet loss/);
    expect(r).toMatch(/64 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64/);
  });

  it("leaves the kernel with the stack's MAC, learned by ARP", () => {
    const n = ns.sh('ip neigh show 10.0.0.2 dev tap0');
    expect(n).toMatch(new RegExp(`^10\\.0\\.0\\.2 lladdr ${MAC} (REACHABLE|STALE|DELAY)`));
  });

  it('answers pings with payloads of 0 and 1472 bytes (full MTU)', () => {
    expect(ns.sh('ping -c 2 -i 0.2 -W 2 -s 0 10.0.0.2')).toMatch(/2 received/);
    expect(ns.sh('ping -c 2 -i 0.2 -W 2 -s 1472 10.0.0.2')).toMatch(/2 received/);
  });

  it('exits cleanly on SIGTERM and removes the TAP it created', async () => {
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped \(SIGTERM\), tap0 removed/);
    expect(ns.try('ip link show tap0').status).not.toBe(0);
  });
});
