// Faults from the kernel side of the TAP: set down (carrier off: a log line, NETDEV_CHANGE and
// the arp_evict_nocarrier flush, refused frames counted), up again (carrier on, traffic resumes),
// and deleted (a log line and exit status 1, nothing left behind).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChildProcess, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');

describe.runIf(canRunKernelTests(['ip', 'ping']))('faults on the kernel side of the TAP', () => {
  let ns: Netns;
  let up: ChildProcess;
  let out = '';
  let exit: number | string | null | undefined;
  const name = `faults${process.pid}`;
  const ts = (...args: string[]): string => spawnSync(process.execPath, [CLI, '--name', name, ...args], { encoding: 'utf8' }).stdout;

  beforeEach(async () => {
    out = '';
    exit = undefined;
    ns = Netns.create('tsfault');
    // IPv4 only: the table must be empty after the carrier goes (no IPv6 multicast entries from MLD).
    const me = ns.spawn(process.execPath, [CLI, '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1']);
    up = me;
    // Only this test's stack: the previous one, killed in afterEach, may still report its exit.
    me.stdout!.on('data', (d) => (out += d));
    me.stderr!.on('data', (d) => (out += d));
    me.on('exit', (code, sig) => {
      if (up === me) exit = code ?? `signal ${sig}`;
    });
    await waitFor('status line', () => out.includes('lladdr'));
    ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ping -c 1 -W 2 10.0.0.2');
  });

  afterEach(() => {
    up?.kill('SIGKILL');
    ns?.destroy();
  });

  it('kernel side down: carrier off, log line, entries evicted, stack pings fail; up: carrier on, ping works again', async () => {
    expect(ts('ip', 'neigh')).toContain('10.0.0.1 dev tap0 lladdr');
    ns.sh('ip link set tap0 down');
    await waitFor('carrier off line', () => out.includes('tap0: kernel side down: carrier off'), 5000);
    expect(ts('ip', 'neigh', 'show', 'nud', 'all')).toBe('');
    const r = spawnSync(process.execPath, [CLI, '--name', name, 'ping', '-c', '1', '-W', '1', '10.0.0.1'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(ts('stat', 'dev.tap0.txLinkDown')).toMatch(/^dev\.tap0\.txLinkDown\s+[1-9]\d*\n$/);
    ns.sh('ip link set tap0 up && ip addr add 10.0.0.1/24 dev tap0 2>/dev/null; true');
    await waitFor('carrier on line', () => out.includes('tap0: kernel side up: carrier on'), 5000);
    await waitFor('ping after up', () => ns.try('ping -c 1 -W 1 10.0.0.2').status === 0, 8000);
    expect(exit).toBeUndefined();
  });

  it('TAP deleted from the kernel side: one log line naming the device, exit status 1', async () => {
    ns.sh('ip link del tap0');
    await waitFor('exit', () => exit !== undefined, 8000);
    expect(exit, out).toBe(1);
    expect(out).toMatch(/tapstack: tap0: .+\n/);
    expect(out).toContain('stopped (device error)');
  });
});
