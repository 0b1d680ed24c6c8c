// `tapstack up --dad` against the kernel: an address the kernel already holds is refused with
// the kernel's MAC named; a free one is claimed, announced, and then answers ping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');

describe.runIf(canRunKernelTests(['ip', 'ping']))('tapstack up --dad against the kernel', () => {
  let ns: Netns;
  let kernelMac: string;

  beforeEach(() => {
    ns = Netns.create('tsdad');
    // A persistent TAP the kernel already uses, so its address exists before tapstack attaches.
    ns.sh('ip tuntap add tap0 mode tap && ip link set tap0 up && ip addr add 10.0.0.1/24 dev tap0');
    kernelMac = JSON.parse(ns.sh('ip -j link show tap0'))[0].address;
  });

  afterEach(() => ns?.destroy());

  it('refuses an address the kernel holds: exit 1, the conflict and the MAC on stderr', () => {
    const r = spawnSync('ip', ['netns', 'exec', ns.name, process.execPath, CLI, 'up', '--dev', 'tap0', '--addr', '10.0.0.1/24', '--dad'], {
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tapstack: 10.0.0.1 on tap0 is in use by ${kernelMac} (address conflict detected)\n`);
    // what it was doing during those seconds was said at once
    expect(r.stdout).toBe('tapstack: tap0: claiming 10.0.0.1/24 (duplicate address detection: 3 ARP probes and 2 announcements, about 6 s)\n');
    // the persistent TAP is left in place
    expect(ns.sh('ip -br link show tap0')).toContain('tap0');
  });

  it('claims a free address after the probes, announces it, and answers ping', async () => {
    const tcpdump = ns.spawn('tcpdump', ['-l', '-n', '-e', '-i', 'tap0', 'arp']);
    let arp = '';
    tcpdump.stdout!.on('data', (d) => (arp += d));
    await new Promise((r) => setTimeout(r, 500));
    const proc = ns.spawn(process.execPath, [CLI, 'up', '--dev', 'tap0', '--addr', '10.0.0.7/24', '--dad']);
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    try {
      await waitFor('the claiming line at once', () => out.includes('claiming'), 3000);
      expect(out).toBe('tapstack: tap0: claiming 10.0.0.7/24 (duplicate address detection: 3 ARP probes and 2 announcements, about 6 s)\n');
      await waitFor('status line after DAD', () => out.includes('lladdr'), 15000);
      expect(ns.sh('ping -c 1 -W 2 10.0.0.7')).toContain('1 received');
      await waitFor('two announcements', () => (arp.match(/Request who-has 10\.0\.0\.7 tell 10\.0\.0\.7/g) ?? []).length >= 2, 5000);
      // RFC 5227 probes: sender 0.0.0.0, three of them
      expect((arp.match(/Request who-has 10\.0\.0\.7 tell 0\.0\.0\.0/g) ?? []).length).toBe(3);
    } finally {
      proc.kill('SIGTERM');
      tcpdump.kill('SIGTERM');
    }
  });
});
