// `tapstack ethtool` and `up --ethtool` against the kernel through a TAP in a private namespace:
// TSO switched off at start leaves every frame tapstack writes a plain one, switched on the HTTP
// replies leave as super-frames; rx-gro-hw and rx switched off reach the kernel (TUNSETOFFLOAD),
// as the kernel's own `ethtool -k tap0` and tapstack's receive counters show. Data hashed both ways.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargenBytes } from '../../src/cli/services.js';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');

describe.runIf(canRunKernelTests(['ip', 'curl', 'ethtool', 'sha256sum']))('tapstack ethtool against the kernel', () => {
  let ns: Netns;
  let up: ChildProcess;
  let out = '';
  let dir: string;
  const name = `ethtool${process.pid}`;
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, '--name', name, ...args], { encoding: 'utf8' });
  const stat = (key: string): number => {
    const m = new RegExp(`^${key.replace(/\./g, '\\.')}\\s+(\\d+)$`, 'm').exec(cli('stat', '-a', key).stdout);
    if (!m) throw new Error(`no counter ${key}`);
    return Number(m[1]);
  };
  const kernelK = (): string => ns.sh('ethtool -k tap0');
  const get = (n: number): string => ns.sh(`curl -s --max-time 10 http://10.0.0.2/bytes/${n} | sha256sum`).split(' ')[0];
  const post = (file: string): string => ns.sh(`curl -s --max-time 10 --data-binary @${file} http://10.0.0.2/`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapstack-ethtool-'));
    ns = Netns.create('tseth');
    up = ns.spawn(process.execPath, [CLI, '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--serve', 'http', '--ethtool', 'tso off']);
    up.stdout!.on('data', (d) => (out += d));
    up.stderr!.on('data', (d) => (out += d));
    await waitFor('the stack', () => out.includes('serving'));
    ns.sh('ip addr add 10.0.0.1/24 dev tap0');
  }, 20000);

  afterAll(() => {
    up?.kill('SIGKILL');
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("--ethtool 'tso off': -k shows it off (switchable), and 4 MB leave in plain frames only", () => {
    const k = cli('ethtool', '-k', 'tap0');
    expect(k.status).toBe(0);
    expect(k.stdout).toContain('tcp-segmentation-offload: off\n\ttx-tcp-segmentation: off\n\ttx-tcp-ecn-segmentation: off [fixed]\n\ttx-tcp-mangleid-segmentation: off [fixed]\n\ttx-tcp6-segmentation: off\n');
    expect(k.stdout).toContain('tx-checksumming: on\n');
    const n = 4_000_000;
    const g0 = stat('dev.tap0.txGso');
    expect(get(n)).toBe(createHash('sha256').update(chargenBytes(n)).digest('hex'));
    expect(stat('dev.tap0.txGso')).toBe(g0);
    expect(stat('dev.tap0.txCsumOffload')).toBeGreaterThan(0); // the checksum is still the kernel's to finish
  });

  it('-K tso on: the next 4 MB leave as super-frames, intact', async () => {
    expect(cli('ethtool', '-K', 'tap0', 'tso', 'on')).toMatchObject({ status: 0, stdout: 'Actual changes:\ntx-tcp-segmentation: on\ntx-tcp-ecn-segmentation: off [requested on]\ntx-tcp-mangleid-segmentation: off [requested on]\ntx-tcp6-segmentation: on\ntx-tcp-accecn-segmentation: off [requested on]\n', stderr: '' });
    const g0 = stat('dev.tap0.txGso');
    const snmp0 = ns.sh('cat /proc/net/snmp');
    // The kernel's side of the TAP sees the super-frames whole (tcpdump reads them before GRO or
    // segmentation would matter): longer than any 1514-byte frame.
    const dump = ns.spawn('tcpdump', ['-i', 'tap0', '-nn', '-l', '-c', '5', 'tcp and src host 10.0.0.2 and greater 3000']);
    let lines = '';
    dump.stdout!.on('data', (d) => (lines += d));
    dump.stderr!.on('data', () => {});
    const closed = new Promise((r) => dump.on('close', r));
    const n = 4_000_000;
    try {
      ns.sh('sleep 0.5');
      expect(get(n)).toBe(createHash('sha256').update(chargenBytes(n)).digest('hex'));
      ns.sh('sleep 0.3');
    } finally {
      dump.kill('SIGINT');
    }
    await closed;
    expect(stat('dev.tap0.txGso')).toBeGreaterThan(g0);
    const lens = [...lines.matchAll(/length (\d+)/g)].map((m) => Number(m[1]));
    expect(lens.length).toBeGreaterThan(0);
    for (const l of lens) expect(l).toBeGreaterThan(1448);
    // ... and finds every checksum right once it completes them (Tcp InCsumErrors unchanged).
    const inCsum = (t: string): number => {
      const [h, v] = t.split('\n').filter((l) => l.startsWith('Tcp:'));
      return Number(v.split(' ')[h.split(' ').indexOf('InCsumErrors')]);
    };
    expect(inCsum(ns.sh('cat /proc/net/snmp'))).toBe(inCsum(snmp0));
  });

  it("rx-gro-hw off reaches the kernel: its tap0 stops TSO towards us, and what it sends arrives in plain frames", () => {
    const file = join(dir, 'body.bin');
    const body = randomBytes(3_000_000);
    writeFileSync(file, body);
    const sha = createHash('sha256').update(body).digest('hex');
    expect(kernelK()).toMatch(/^tcp-segmentation-offload: on$/m);
    const r0 = stat('dev.tap0.rxGso');
    expect(post(file)).toContain(sha);
    expect(stat('dev.tap0.rxGso')).toBeGreaterThan(r0);
    expect(cli('ethtool', '-K', 'tap0', 'rx-gro-hw', 'off')).toMatchObject({ status: 0, stderr: '' });
    const k = kernelK();
    expect(k).toMatch(/^tcp-segmentation-offload: off$/m);
    expect(k).toMatch(/^tx-checksumming: on$/m);
    const r1 = stat('dev.tap0.rxGso');
    expect(post(file)).toContain(sha);
    expect(stat('dev.tap0.rxGso')).toBe(r1);
  });

  it('rx off: the kernel computes checksums itself again (TUNSETOFFLOAD 0), and tapstack verifies them', () => {
    expect(cli('ethtool', '-K', 'tap0', 'rx', 'off')).toMatchObject({ status: 0, stderr: '' });
    expect(kernelK()).toMatch(/^tx-checksumming: off$/m);
    const file = join(dir, 'body2.bin');
    const body = randomBytes(1_000_000);
    writeFileSync(file, body);
    const c0 = stat('dev.tap0.rxCsumOffload');
    expect(post(file)).toContain(createHash('sha256').update(body).digest('hex'));
    expect(stat('dev.tap0.rxCsumOffload')).toBe(c0);
    expect(stat('tcp.inCsumErrors')).toBe(0);
    // Back on: rx-gro-hw was wanted all along, so it returns with rx.
    expect(cli('ethtool', '-K', 'tap0', 'rx', 'on')).toMatchObject({ status: 0 });
    expect(kernelK()).toMatch(/^tx-checksumming: on$/m);
  });
});
