// A running stack managed only through the command line, with the kernel as its peer: every
// client command goes through the control socket of `tapstack up --name`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Netns, ROOT, RUN_DIR, canRunKernelTests, waitFor } from '../helpers/netns.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const MAC = '02:5a:00:00:00:02';

describe.runIf(canRunKernelTests(['ip', 'ping', 'arping']))('managing a running stack through the CLI', () => {
  let ns: Netns;
  let up: ChildProcess;
  let upOut = '';
  let kmac: string;
  const name = `e2e${process.pid}`;

  /** Runs `tapstack --name NAME ARGS` (no namespace needed: the socket is a file). */
  const ts = (...args: string[]): { status: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [CLI, '--name', name, ...args], { encoding: 'utf8', timeout: 20000 });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(async () => {
    ns = Netns.create('tscli');
    up = ns.spawn(process.execPath, [CLI, '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', MAC]);
    up.stdout!.on('data', (d) => (upOut += d));
    up.stderr!.on('data', (d) => (upOut += d));
    await waitFor('status line', () => upOut.includes('lladdr'));
    ns.sh('ip addr add 10.0.0.1/24 dev tap0');
    kmac = JSON.parse(ns.sh('ip -j link show tap0'))[0].address;
    ns.sh('ping -c 1 -W 2 10.0.0.2');
  });

  afterAll(() => {
    up?.kill('SIGTERM');
    ns?.destroy();
  });

  it('the control socket exists with mode 0600 under the run directory', () => {
    const st = spawnSync('stat', ['-c', '%a %F', join(RUN_DIR, `${name}.sock`)], { encoding: 'utf8' });
    expect(st.stdout.trim()).toBe('600 socket');
  });

  it('ip neigh show lists what the kernel taught the stack, like iproute2', () => {
    const r = ts('ip', 'neigh', 'show');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(new RegExp(`^10\\.0\\.0\\.1 dev tap0 lladdr ${kmac} (STALE|REACHABLE|DELAY) \\n$`));
  });

  it('ip neigh add / add again / del of a missing entry: iproute2 messages and exit codes', () => {
    expect(ts('ip', 'neigh', 'add', '10.0.0.50', 'lladdr', '02:00:00:00:00:50', 'dev', 'tap0').status).toBe(0);
    const again = ts('ip', 'neigh', 'add', '10.0.0.50', 'lladdr', '02:00:00:00:00:50', 'dev', 'tap0');
    expect([again.status, again.err]).toEqual([2, 'RTNETLINK answers: File exists\n']);
    const del = ts('ip', 'neigh', 'del', '10.0.0.99', 'dev', 'tap0');
    expect([del.status, del.err]).toEqual([2, 'RTNETLINK answers: No such file or directory\n']);
    const nodev = ts('ip', 'neigh', 'add', '10.0.0.51', 'lladdr', '02:00:00:00:00:51', 'dev', 'nope0');
    expect(nodev.err).toBe('Cannot find device "nope0"\n');
    const j = JSON.parse(ts('ip', '-j', 'neigh', 'show', '10.0.0.50').out);
    expect(j).toEqual([{ dst: '10.0.0.50', dev: 'tap0', lladdr: '02:00:00:00:00:50', state: ['PERMANENT'] }]);
  });

  it('a static entry added by the CLI carries the kernel\'s traffic: ping from the stack uses it', () => {
    expect(ts('ip', 'neigh', 'replace', '10.0.0.1', 'lladdr', kmac, 'dev', 'tap0', 'nud', 'permanent').status).toBe(0);
    const r = ts('ping', '-c', '2', '-i', '0.2', '10.0.0.1');
    expect(r.status).toBe(0);
    expect(r.out).toContain('2 packets transmitted, 2 received, 0% packet loss');
    expect(ts('ip', 'neigh', 'show', 'dev', 'tap0', 'nud', 'permanent').out).toContain(`10.0.0.1 lladdr ${kmac} PERMANENT`);
  });

  it('ip ntable change reaches the device parms; ip ntable show prints them', () => {
    expect(ts('ip', 'ntable', 'change', 'name', 'arp_cache', 'dev', 'tap0', 'queue', '20').status).toBe(0);
    const r = ts('ip', 'ntable', 'show', 'dev', 'tap0');
    expect(r.out).toMatch(/^inet arp_cache \n {4}dev tap0 \n/);
    expect(r.out).toContain('queue 20 ');
  });

  it('arp -s / arp -n / proc net/arp agree, like net-tools and procfs', () => {
    expect(ts('arp', '-s', '10.0.0.60', '02:00:00:00:00:60').status).toBe(0);
    expect(ts('arp', '-n').out).toMatch(/^10\.0\.0\.60\s+ether\s+02:00:00:00:00:60\s+CM\s+tap0$/m);
    expect(ts('proc', 'net/arp').out).toMatch(/^10\.0\.0\.60\s+0x1\s+0x6\s+02:00:00:00:00:60\s+\*\s+tap0$/m);
    expect(ts('arp', '-d', '10.0.0.60').status).toBe(0);
    expect(ts('proc', 'net/arp').out).not.toContain('10.0.0.60 ');
  });

  it('sysctl -w arp_ignore=8 silences the stack for the kernel\'s arping; back to 0 it answers', () => {
    expect(ts('sysctl', '-w', 'net.ipv4.conf.tap0.arp_ignore=8').out).toBe('net.ipv4.conf.tap0.arp_ignore = 8\n');
    expect(ns.try('arping -c 1 -w 2 -I tap0 10.0.0.2').out).toContain('Received 0 response(s)');
    expect(ts('sysctl', 'net.ipv4.conf.tap0.arp_ignore=0').status).toBe(0);
    expect(ns.try('arping -c 1 -w 2 -I tap0 10.0.0.2').out).toContain('Received 1 response(s)');
    expect(ts('sysctl', '-n', 'net.ipv4.neigh.tap0.unres_qlen').out).toBe('20\n');
  });

  it('ip monitor neigh prints events as they happen, in iproute2\'s format', async () => {
    const mon = monitor(name);
    try {
      await new Promise((r) => setTimeout(r, 300));
      ts('ip', 'neigh', 'add', '10.0.0.70', 'lladdr', '02:00:00:00:00:70', 'dev', 'tap0');
      ts('ip', 'neigh', 'del', '10.0.0.70', 'dev', 'tap0');
      await waitFor('three lines', () => mon.out().split('\n').length > 3, 5000);
      expect(mon.out()).toBe(
        '10.0.0.70 dev tap0 lladdr 02:00:00:00:00:70 PERMANENT \n10.0.0.70 dev tap0 FAILED \nDeleted 10.0.0.70 dev tap0 FAILED \n',
      );
    } finally {
      mon.proc.kill('SIGINT');
    }
  });

  it('ip link set address / arp off reach the device events: the table is flushed', () => {
    expect(ts('ip', 'neigh', 'show').out).not.toBe('');
    expect(ts('ip', '-6', 'neigh', 'add', 'fe80::99', 'lladdr', '02:00:00:00:00:99', 'dev', 'tap0').status).toBe(0);
    expect(ts('ip', 'link', 'set', 'dev', 'tap0', 'arp', 'off').status).toBe(0);
    expect(ts('ip', '-4', 'neigh', 'show', 'nud', 'all').out).toBe('');
    // nd_tbl is flushed too, and then, as on Linux (measured on a veth: the entries are deleted,
    // then addrconf's NETDEV_CHANGE sends its RS and MLD report again), multicast NOARP entries such
    // as ff02::2 may come straight back. No unicast IPv6 entry survives the flush.
    const v6 = ts('ip', '-6', 'neigh', 'show', 'nud', 'all').out;
    expect(v6.split('\n').filter((l) => l !== '' && !/^ff02::\S+ dev tap0 lladdr 33:33:\S+ NOARP $/.test(l))).toEqual([]);
    expect(ts('ip', 'link', 'set', 'dev', 'tap0', 'arp', 'on').status).toBe(0);
    expect(ts('ip', 'link', 'set', 'dev', 'tap0', 'address', '02:5a:00:00:00:99').status).toBe(0);
    ns.sh('ip neigh flush dev tap0; ping -c 1 -W 2 10.0.0.2');
    expect(ns.sh('ip neigh show 10.0.0.2 dev tap0')).toContain('lladdr 02:5a:00:00:00:99');
  });

  it("ip -d link shows the TAP as the kernel's iproute2 does; ip -s link counts what tapstack stat counts", () => {
    const d = ts('ip', '-d', 'link', 'show', 'tap0');
    expect(d.status).toBe(0);
    // The kernel's own view of the same TAP has the same tun line (vnet_hdr follows TAPSTACK_OFFLOAD).
    const kernelTun = /\n    (tun type tap pi off vnet_hdr (?:on|off) persist off) /.exec(ns.sh('ip -d link show tap0'))![1];
    expect(d.out).toContain(`\n    ${kernelTun} addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 `);
    expect(kernelTun).toContain(process.env.TAPSTACK_OFFLOAD === '0' ? 'vnet_hdr off' : 'vnet_hdr on');
    const st = Object.fromEntries(
      ts('stat', 'dev.tap0.rxPackets', 'dev.tap0.txPackets').out.trim().split('\n').map((l) => l.split(/\s+/)),
    );
    const lines = ts('ip', '-s', 'link', 'show', 'tap0').out.split('\n');
    expect(lines[2]).toBe('    RX:  bytes packets errors dropped  missed   mcast           ');
    const rx = lines[3].trim().split(/\s+/).map(Number);
    const tx = lines[5].trim().split(/\s+/).map(Number);
    // Counted a moment apart: the link may have moved a frame or two in between.
    expect(rx[1]).toBeGreaterThanOrEqual(Number(st['dev.tap0.rxPackets']));
    expect(rx[1] - Number(st['dev.tap0.rxPackets'])).toBeLessThan(5);
    expect(tx[1]).toBeGreaterThanOrEqual(Number(st['dev.tap0.txPackets']));
    expect(rx[0]).toBeGreaterThan(rx[1] * 42);
  });

  it('a client for a stack that is not running says so', () => {
    const r = spawnSync(process.execPath, [CLI, '--name', 'nobody-here', 'ip', 'neigh'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tapstack: cannot connect to ${join(RUN_DIR, 'nobody-here.sock')}: No such file or directory (is the stack running?)\n`);
  });
});

/** `tapstack ip monitor neigh` in the background. */
function monitor(name: string): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, [CLI, '--name', name, 'ip', 'monitor', 'neigh']);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  return { proc, out: () => out };
}
