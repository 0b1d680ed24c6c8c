// The kernel pings tapstack through a TAP in a private namespace (what `npm run demo` shows),
// driving the stack only through its CLI; and tapstack's ping next to iputils ping in one
// namespace when nobody answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { SocketChannel } from '../../src/control/channel.js';
import { bufferIO } from '../../src/cli/io.js';
import { pingCommand } from '../../src/cli/ping_cmd.js';
import { Netns, ROOT, RUN_DIR, canRunKernelTests, waitFor } from '../helpers/netns.js';

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

/** A command's status, output and how long it ran from its first output to its exit. */
interface Timed {
  status: number | null;
  out: string;
  err: string;
  /** Seconds from the first byte on stdout (the header) to the exit: start-up costs left out. */
  secs: number;
}

function runTimed(cmd: string, args: string[]): Promise<Timed> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let first = 0;
    const t0 = Date.now();
    p.stdout.on('data', (d) => {
      if (!first) first = Date.now();
      out += d;
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (status) => resolve({ status, out, err, secs: (Date.now() - (first || t0)) / 1000 }));
  });
}

describe.runIf(canRunKernelTests(['ip', 'ping', 'setpriv', 'stdbuf']))('tapstack ping next to iputils ping, nobody answering (same namespace)', () => {
  let ns: Netns;
  let proc: ChildProcess;
  let out = '';
  const name = `tspu${process.pid}`;
  const CLI = join(ROOT, 'dist', 'cli', 'main.js');

  beforeAll(async () => {
    ns = Netns.create('tspingu');
    proc = ns.spawn(process.execPath, [CLI, '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '02:5a:00:00:00:03']);
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    await waitFor('the status line', () => out.includes('lladdr'));
    ns.sh('ip addr add 10.0.0.1/24 dev tap0');
  });

  afterAll(() => {
    proc?.kill('SIGKILL');
    ns?.destroy();
  });

  /** Output with the times (checked apart) and each side's own source address taken out. */
  const norm = (s: string, self: string): string => s.replace(/time \d+ms/g, 'time Nms').replaceAll(`From ${self} `, 'From SELF ');
  const times = (s: string): number[] => [...s.matchAll(/time (\d+)ms/g)].map((m) => Number(m[1]));

  // Each case runs iputils (the kernel, 10.0.0.1) and tapstack (the stack, 10.0.0.2) at once, to
  // an address of the subnet nobody owns: both neighbour layers give up after 3 probes 1 s apart.
  it.each([
    [['-c', '1'], '10.0.0.97'],
    [['-c', '1', '-W', '5'], '10.0.0.96'],
    [['-c', '1', '-w', '2'], '10.0.0.95'],
    [['-c', '3', '-i', '0.2'], '10.0.0.94'],
    [['-w', '3'], '10.0.0.93'],
    // (-w 5 at 1 s is a race in Linux itself: its 4th request, due at ~3.03 s, and the failure.)
    [['-w', '5', '-i', '0.7'], '10.0.0.91'],
    [['-q', '-c', '2', '-i', '0.5'], '10.0.0.92'],
  ])('ping %j %s: the same lines, counts, status and duration', async (args, dst) => {
    const [k, t] = await Promise.all([
      // Line-buffered, so that its header arrives when it is printed.
      runTimed('ip', ['netns', 'exec', ns.name, 'stdbuf', '-oL', 'ping', ...args, dst]),
      runTimed(process.execPath, [CLI, '--name', name, 'ping', ...args, dst]),
    ]);
    expect(k.status).toBe(1);
    expect({ status: t.status, out: norm(t.out, '10.0.0.2'), err: t.err }).toEqual({ status: k.status, out: norm(k.out, '10.0.0.1'), err: k.err });
    const [kt, tt] = [times(k.out), times(t.out)];
    expect(tt.length).toBe(kt.length);
    for (let i = 0; i < kt.length; i++) expect(Math.abs(tt[i] - kt[i])).toBeLessThan(100);
    expect(Math.abs(t.secs - k.secs)).toBeLessThan(0.4);
  }, 20000);

  it('as root, -i 0.001 is taken by both; a user other than root gets iputils\' refusal from both', async () => {
    const k = await runTimed('ip', ['netns', 'exec', ns.name, 'ping', '-c', '3', '-i', '0.001', '10.0.0.2']);
    const t = await runTimed(process.execPath, [CLI, '--name', name, 'ping', '-c', '3', '-i', '0.001', '10.0.0.1']);
    expect([k.status, t.status]).toEqual([0, 0]);
    expect(t.out).toContain('3 packets transmitted, 3 received, 0% packet loss');
    // iputils as nobody; tapstack's CLI as another uid (only root and the stack's user reach the socket).
    const ku = await runTimed('ip', ['netns', 'exec', ns.name, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'ping', '-c', '1', '-i', '0.001', '10.0.0.2']);
    const ch = await SocketChannel.open(join(RUN_DIR, `${name}.sock`));
    const io = bufferIO();
    const code = await pingCommand(['-c', '1', '-i', '0.001', '10.0.0.1'], ch, io, { uid: 65534 });
    ch.close();
    expect({ status: code, out: io.stdout.replace('10.0.0.1', '10.0.0.2').replace('10.0.0.1', '10.0.0.2'), err: io.stderr }).toEqual({ status: ku.status, out: ku.out, err: ku.err });
    expect(ku).toMatchObject({ status: 2, err: 'ping: cannot flood; minimal interval allowed for user is 2ms\n' });
  }, 20000);
});

describe.runIf(canRunKernelTests(['ip', 'ping']))('a jumbo MTU (`tapstack up --mtu 9000`)', () => {
  let ns: Netns;
  let proc: ChildProcess;
  let out = '';

  beforeAll(async () => {
    ns = Netns.create('tsjumbo');
    proc = ns.spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mtu', '9000']);
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    await waitFor('the status line', () => out.includes('lladdr'));
    ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ip link set tap0 mtu 9000');
  });

  afterAll(() => {
    proc?.kill('SIGKILL');
    ns?.destroy();
  });

  it('sets the MTU on both sides and answers a full 9000-byte ping unfragmented; one byte more is refused by the kernel (DF)', () => {
    expect(out).toContain(' mtu 9000 ');
    expect(ns.sh('cat /sys/class/net/tap0/mtu').trim()).toBe('9000');
    const r = ns.sh('ping -c 2 -i 0.2 -W 2 -s 8972 -M do 10.0.0.2');
    expect(r).toMatch(/8980 bytes from 10\.0\.0\.2: icmp_seq=1/);
    expect(r).toMatch(/2 received/);
    const big = ns.try('ping -c 1 -W 1 -s 8973 -M do 10.0.0.2');
    expect(big.out + big.err).toMatch(/message too long, mtu=9000/);
  });
});
