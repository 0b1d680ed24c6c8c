// `tapstack up --fault`: the fault device (src/drivers/faulty.ts) between the TAP and the stack,
// per direction, from the command line. The kernel's pings through 50 % receive loss lose about
// half (seeded, so the same every run up to timing); `tapstack stat 'fault.*'` shows the fault
// device's counters; bad specs are usage errors (exit 2, a message naming the item).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('tapstack up --fault: bad specs', () => {
  for (const [arg, msg] of [
    ['drop=150%', `invalid --fault 'drop=150%': fault spec item "drop=150%": expected a percentage 0–100 like 1% or every Nth frame like 100th`],
    ['rx:frob=1', `invalid --fault 'rx:frob=1': fault spec item "frob=1": unknown key "frob" (known: size, drop, corrupt, payload, dup, rate, burst, limit, delay, jitter, reorder, gap, hold, seed)`],
    ['up:drop=1%', `invalid --fault 'up:drop=1%': the direction prefix is rx: or tx: (none: both)`],
    ['tx:', `invalid --fault 'tx:': no faults given (expected KEY=VALUE items like drop=1%)`],
  ] as const) {
    it(`--fault ${arg}: exit 2 and "${msg.slice(0, 40)}..."`, () => {
      const r = cli('up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--fault', arg);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`tapstack: ${msg}\nTry 'tapstack up --help' for more information.\n`);
    });
  }

  it('the same direction twice (rx: and a both-ways spec) is refused', () => {
    const r = cli('up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--fault', 'rx:drop=1%', '--fault', 'dup=1%');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--fault for rx of tap0 given more than once');
  });

  it('up --help documents --fault', () => {
    const r = cli('up', '--help');
    expect(r.stdout).toContain('--fault [rx:|tx:]SPEC');
    expect(r.stdout).toContain("tapstack stat 'fault.*'");
  });
});

describe.runIf(canRunKernelTests(['ip', 'ping']))('tapstack up --fault against the kernel', () => {
  let ns: Netns;
  let up: ChildProcess;
  let out = '';
  const name = `upfault${process.pid}`;

  beforeAll(async () => {
    ns = Netns.create('tsupf');
    up = ns.spawn(process.execPath, [CLI, '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '02:5a:00:00:00:02',
      '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1', '--fault', 'rx:drop=50%,seed=7', '--fault', 'tx:dup=10th']);
    up.stdout!.on('data', (d) => (out += d));
    up.stderr!.on('data', (d) => (out += d));
    await waitFor('status line', () => out.includes('lladdr'));
    // Static entries on both sides: the pings and their replies need no ARP through the lossy
    // receive side, so every echo request the fault device passes is answered at once.
    ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ip neigh replace 10.0.0.2 lladdr 02:5a:00:00:00:02 dev tap0 nud permanent');
    const kmac = ns.sh('cat /sys/class/net/tap0/address').trim();
    const r = cli('--name', name, 'ip', 'neigh', 'add', '10.0.0.1', 'lladdr', kmac, 'dev', 'tap0');
    expect(r.status, r.stderr).toBe(0);
  }, 20000);

  afterAll(() => {
    up?.kill('SIGKILL');
    ns?.destroy();
  });

  it('the status line names the faults, in canonical form', () => {
    expect(out).toContain(`tapstack ${name}: tap0 created lladdr 02:5a:00:00:00:02 mtu 1500 inet 10.0.0.2/24 fault rx:drop=50%,seed=7 fault tx:dup=10th\n`);
  });

  it('60 kernel pings through 50 % receive loss: about half lost, counted by the fault device', () => {
    const r = ns.try('ping -n -c 60 -i 0.05 -W 1 10.0.0.2', 30000);
    const m = /(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?, ([\d.]+)% packet loss/.exec(r.out);
    expect(m, r.out + r.err).not.toBeNull();
    const [, sent, got, dups, loss] = m!.map(Number);
    expect(sent).toBe(60);
    expect(loss).toBeGreaterThanOrEqual(25);
    expect(loss).toBeLessThanOrEqual(75);
    // Every 10th frame the stack sends goes twice: the replies show up as duplicates.
    expect(dups).toBeGreaterThan(0);
    const st = cli('--name', name, 'stat', '-j');
    expect(st.status).toBe(0);
    const f = JSON.parse(st.stdout).fault.tap0;
    // The requests that were not dropped are those answered (static neighbour: no ARP in between).
    expect(f.rx.dropped).toBe(sent - got);
    expect(f.rx.received - f.rx.dropped).toBe(f.rx.passed);
    expect(f.tx.duplicated).toBeGreaterThan(0);
    const text = cli('--name', name, 'stat', 'fault.*');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^fault\\.tap0\\.rx\\.received +${f.rx.received}\\n`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^fault\\.tap0\\.rx\\.dropped +${f.rx.dropped}\\n`, 'm'));
    expect(text.stdout).toMatch(/^fault\.tap0\.tx\.duplicated +\d+\n/m);
  }, 40000);
});
