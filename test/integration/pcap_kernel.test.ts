// Packet capture against the kernel: `tapstack up --pcap FILE` records every frame of a ping from
// the kernel exactly as tcpdump on the kernel's side of the TAP sees it (byte for byte, in the same
// order), tshark finds nothing malformed, and `tapstack capture` streams frames from a running
// stack to a file or through a pipe into tcpdump.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { PCAP_SNAPLEN, parsePcap } from '../../src/core/pcap.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const MAC = '02:5a:00:00:00:02';
const TOOLS = ['ip', 'ping', 'tcpdump', 'tshark'];

function exited(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((r) => p.on('exit', (code) => r(code)));
}

/** `tshark -r FILE -T fields ...`: one row of fields per frame. */
function tsharkFields(file: string, fields: string[], filter?: string): string[][] {
  const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  if (filter) args.push('-Y', filter);
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark -r ${file}: exit ${r.status}\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

describe.runIf(canRunKernelTests(TOOLS))('tapstack up --pcap: what the kernel saw on the TAP, byte for byte', () => {
  let ns: Netns;
  let dir: string;
  let up: ChildProcess;
  let tcpdump: ChildProcess;
  let upOut = '';
  let tdErr = '';
  const name = `pcap${process.pid}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapstack-pcap-it-'));
    ns = Netns.create('tspcap');
    // IPv4 only: the file must hold exactly the ARP exchange and the echoes (no MLD, DAD or RS).
    up = ns.spawn(process.execPath, [CLI, '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', MAC, '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1', '--pcap', join(dir, 'stack.pcap')]);
    up.stdout!.on('data', (d) => (upOut += d));
    up.stderr!.on('data', (d) => (upOut += d));
    await waitFor('the status line', () => upOut.includes('lladdr'));
    // The kernel's side of the same link: every packet written as it comes (--immediate-mode -U;
    // otherwise the ring holds packets for up to a second), -Z root to write into our directory.
    tcpdump = ns.spawn('tcpdump', ['-i', 'tap0', '-n', '--immediate-mode', '-U', '-Z', 'root', '-s', String(PCAP_SNAPLEN), '-w', join(dir, 'kernel.pcap')]);
    tcpdump.stderr!.on('data', (d) => (tdErr += d));
    await waitFor('tcpdump to listen', () => tdErr.includes('listening on tap0'));
    ns.sh('ip addr add 10.0.0.1/24 dev tap0');
  });

  afterAll(() => {
    up?.kill('SIGKILL');
    tcpdump?.kill('SIGKILL');
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the kernel pings 3 times; the stack stops and its file holds the ARP exchange and 3 echo requests and replies', async () => {
    expect(ns.sh('ping -c 3 -i 0.2 -W 2 10.0.0.2')).toMatch(/3 packets transmitted, 3 received/);
    // Everything on the wire is in tcpdump's file before both captures stop.
    await waitFor("tcpdump's 8 frames", () => parsePcap(readFileSync(join(dir, 'kernel.pcap')), { allowTruncated: true }).frames.length >= 8);
    await new Promise((r) => setTimeout(r, 200));
    // tcpdump first: it fails when the stack removes the TAP under it.
    tcpdump.kill('SIGINT');
    expect([await exited(tcpdump), tdErr]).toEqual([0, expect.stringContaining('8 packets captured')]);
    up.kill('SIGTERM');
    expect(await exited(up)).toBe(0);
    expect(upOut).toMatch(new RegExp(`tapstack ${name}: ${join(dir, 'stack.pcap').replace(/[.]/g, '\\.')}: 8 packets written\\n$`));
    expect(statSync(join(dir, 'stack.pcap')).mode & 0o777).toBe(0o600);

    const file = join(dir, 'stack.pcap');
    expect(tsharkFields(file, ['frame.number'], '_ws.malformed || _ws.expert.severity >= "error"')).toEqual([]);
    expect(tsharkFields(file, ['frame.len', 'eth.type', 'arp.opcode', 'icmp.type'])).toEqual([
      ['42', '0x0806', '1', ''],
      ['42', '0x0806', '2', ''],
      ['98', '0x0800', '', '8'],
      ['98', '0x0800', '', '0'],
      ['98', '0x0800', '', '8'],
      ['98', '0x0800', '', '0'],
      ['98', '0x0800', '', '8'],
      ['98', '0x0800', '', '0'],
    ]);
    // Who sent what: the kernel asks, the stack (MAC) answers.
    expect(tsharkFields(file, ['eth.src']).map((r) => r[0] === MAC)).toEqual([false, true, false, true, false, true, false, true]);
    // tcpdump can read it too.
    const td = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8' });
    expect(td.status).toBe(0);
    expect(td.stdout.trim().split('\n')).toHaveLength(8);
  });

  it('byte for byte and in order what tcpdump captured on the kernel side of the TAP; timestamps agree', () => {
    const ours = parsePcap(readFileSync(join(dir, 'stack.pcap')));
    const theirs = parsePcap(readFileSync(join(dir, 'kernel.pcap')));
    expect(ours.header).toMatchObject({ versionMajor: 2, versionMinor: 4, snaplen: PCAP_SNAPLEN, linktype: 1, nanosecond: false });
    expect(theirs.header.linktype).toBe(1);
    expect(ours.frames.map((f) => f.data.toString('hex'))).toEqual(theirs.frames.map((f) => f.data.toString('hex')));
    expect(ours.frames.map((f) => f.origLen)).toEqual(theirs.frames.map((f) => f.origLen));
    for (let i = 0; i < ours.frames.length; i++) {
      expect(Math.abs(ours.frames[i].tsUsec - theirs.frames[i].tsUsec)).toBeLessThan(500_000);
      if (i > 0) expect(ours.frames[i].tsUsec).toBeGreaterThanOrEqual(ours.frames[i - 1].tsUsec);
    }
  });
});

describe.runIf(canRunKernelTests(TOOLS))('tapstack capture against a running stack', () => {
  let ns: Netns;
  let dir: string;
  let up: ChildProcess;
  let upOut = '';
  const name = `cap${process.pid}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapstack-capture-it-'));
    ns = Netns.create('tscap');
    // IPv6 off, as above: its DAD and MLD frames would land among the captured ping at random.
    up = ns.spawn(process.execPath, [CLI, '--name', name, 'up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', MAC, '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1']);
    up.stdout!.on('data', (d) => (upOut += d));
    up.stderr!.on('data', (d) => (upOut += d));
    await waitFor('the status line', () => upOut.includes('lladdr'));
    ns.sh('ip addr add 10.0.0.1/24 dev tap0');
  });

  afterAll(() => {
    up?.kill('SIGKILL');
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `tapstack --name NAME capture ARGS` (through `sh -c` when it is a pipeline). */
  async function startCapture(cmd: string): Promise<{ proc: ChildProcess; out: () => string; err: () => string }> {
    const proc = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (err += d));
    await waitFor('capture to start', () => err.includes('capture: listening on') || proc.exitCode !== null);
    return { proc, out: () => out, err: () => err };
  }
  const ts = `'${process.execPath}' '${CLI}' --name ${name}`;

  it('capture -c 4 -w FILE: the first ping from the kernel (ARP exchange, request, reply), then it exits 0', async () => {
    const file = join(dir, 'c4.pcap');
    const c = await startCapture(`${ts} capture -c 4 -w '${file}'`);
    expect(c.err()).toBe('capture: listening on all devices, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n');
    expect(ns.sh('ping -c 2 -i 0.2 -W 2 10.0.0.2')).toMatch(/2 received/);
    expect(await exited(c.proc)).toBe(0);
    expect(c.err()).toContain('\n4 packets captured\n0 packets dropped by the stack\n');
    expect(tsharkFields(file, ['frame.number'], '_ws.malformed')).toEqual([]);
    expect(tsharkFields(file, ['frame.len', 'eth.type', 'arp.opcode', 'icmp.type'])).toEqual([
      ['42', '0x0806', '1', ''],
      ['42', '0x0806', '2', ''],
      ['98', '0x0800', '', '8'],
      ['98', '0x0800', '', '0'],
    ]);
    // The request the kernel sent and the reply the stack sent: same id and sequence.
    const p = parsePcap(readFileSync(file));
    expect(p.frames[3].data.subarray(38, 42)).toEqual(p.frames[2].data.subarray(38, 42));
  });

  it('capture -w - | tcpdump -r -: a live savefile through a pipe', async () => {
    const c = await startCapture(`${ts} capture -c 2 -i tap0 -w - | tcpdump -nn -r -`);
    expect(ns.sh('ping -c 1 -W 2 10.0.0.2')).toMatch(/1 received/);
    expect(await exited(c.proc)).toBe(0);
    const lines = c.out().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/IP 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, id \d+, seq 1, length 64$/);
    expect(lines[1]).toMatch(/IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id \d+, seq 1, length 64$/);
    expect(c.err()).toContain('reading from file -, link-type EN10MB (Ethernet), snapshot length 262144');
  });

  it('no capture left behind: the stack still answers, and stops cleanly', async () => {
    expect(ns.sh('ping -c 1 -W 2 10.0.0.2')).toMatch(/1 received/);
    up.kill('SIGTERM');
    expect(await exited(up)).toBe(0);
  });
});
