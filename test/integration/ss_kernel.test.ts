// `tapstack ss` and `tapstack proc net/tcp{,6}` on a stack holding real connections with the
// kernel through a TAP in a private namespace: every connection tapstack lists is found in the
// kernel's own `ss` (and /proc/net/tcp) with the addresses and ports mirrored and a state that
// pairs with it (ESTAB/ESTAB, FIN-WAIT-2/CLOSE-WAIT), v4-mapped children of a dual-stack listener
// included; the output keeps ss's format (header, columns, timer:, ino:/sk:, the -i line).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { LineChild } from '../helpers/line_child.js';
import { kernelIpv6On } from '../helpers/ipv6_kernel.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** The stack: tap0 (10.0.0.2/24, fd00::2/64), a control server, TCP servers and clients on request. */
const STACK_CHILD = `
import { createInterface } from 'node:readline';
const { Stack, TapDevice, ControlServer, ControlHandler, controlSocketPath } = await import(process.argv[2]);
const name = process.argv[3];
const stack = new Stack();
const tap = stack.addDevice(TapDevice.open('tap0', { mac: Buffer.from('025a00000002', 'hex') }));
stack.addAddress(tap, '10.0.0.2/24');
stack.addAddress(tap, 'fd00::2/64', { nodad: true });
const server = await ControlServer.listen(new ControlHandler(stack), controlSocketPath(name));
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const socks = [];
const ops = {
  async listen({ port, host }) {
    const srv = stack.createServer({ allowHalfOpen: true }, (s) => { s.on('error', () => {}); socks.push(s); });
    await new Promise((res) => srv.listen(port, host, res));
    return srv.address();
  },
  connect({ port, host, end }) {
    return new Promise((resolve) => {
      const s = stack.connect({ port, host, allowHalfOpen: true });
      s.on('error', (e) => resolve({ error: e.message }));
      s.on('connect', () => { socks.push(s); if (end) s.end(); resolve({ localPort: s.localPort }); });
    });
  },
};
createInterface({ input: process.stdin }).on('line', async (line) => {
  const req = JSON.parse(line);
  try { out({ id: req.id, result: await ops[req.op](req) }); } catch (e) { out({ id: req.id, error: String(e && e.stack ? e.stack : e) }); }
});
process.stdin.on('end', async () => { await server.close(); await stack.close(); process.exit(0); });
out({ ready: true });
`;

/** The kernel side: a listener that never closes, and clients that connect and stay. */
const KERNEL_CHILD = `
import socket, sys, json, threading
held = []
def out(o): sys.stdout.write(json.dumps(o) + '\\n'); sys.stdout.flush()
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('10.0.0.1', 7000)); l.listen(16)
def acc():
    while True:
        a, _ = l.accept(); held.append(a)
threading.Thread(target=acc, daemon=True).start()
out({'ready': True})
for line in sys.stdin:
    req = json.loads(line)
    fam = socket.AF_INET6 if ':' in req['host'] else socket.AF_INET
    c = socket.socket(fam); c.connect((req['host'], req['port'])); held.append(c)
    out({'id': req['id'], 'result': {'localPort': c.getsockname()[1]}})
`;

/** One socket line of ss -n output: state, queues, addresses without brackets or ::ffff:, ports. */
interface SsLine {
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  lport: string;
  peer: string;
  pport: string;
  ext: string;
  info: string | null;
}

function parseSs(text: string): SsLine[] {
  const lines = text.split('\n').slice(1, -1);
  const out: SsLine[] = [];
  const unwrap = (a: string): [string, string] => {
    const i = a.lastIndexOf(':');
    return [a.slice(0, i).replace(/^\[|\]$/g, '').replace(/^::ffff:/, ''), a.slice(i + 1)];
  };
  for (const l of lines) {
    if (l.startsWith('\t')) {
      out[out.length - 1].info = l.slice(1).trimEnd();
      continue;
    }
    const [state, rq, wq, loc, peer, ...ext] = l.trim().split(/\s+/);
    const [local, lport] = unwrap(loc);
    const [p, pport] = unwrap(peer);
    out.push({ state, recvQ: Number(rq), sendQ: Number(wq), local, lport, peer: p, pport, ext: ext.join(' '), info: null });
  }
  return out;
}

/** The states a connection's two ends can show at the same moment. */
const PAIRS: Record<string, string[]> = {
  ESTAB: ['ESTAB', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSE-WAIT'],
  'FIN-WAIT-2': ['CLOSE-WAIT'],
  'FIN-WAIT-1': ['ESTAB', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK'],
  'CLOSE-WAIT': ['FIN-WAIT-2', 'FIN-WAIT-1'],
};

describe.runIf(canRunKernelTests(['ip', 'ss', 'python3']))('tapstack ss against the kernel\'s ss', () => {
  let ns: Netns;
  let dir: string;
  let stack: LineChild;
  let kernel: LineChild;
  const name = `ss${process.pid}`;
  const ts = (...args: string[]): { status: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [CLI, '--name', name, ...args], { encoding: 'utf8', timeout: 20000 });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapstack-ss-'));
    writeFileSync(join(dir, 'stack.mjs'), STACK_CHILD);
    writeFileSync(join(dir, 'kernel.py'), KERNEL_CHILD);
    ns = Netns.create('tsss');
    stack = new LineChild(ns.spawn(process.execPath, [join(dir, 'stack.mjs'), pathToFileURL(join(ROOT, 'dist', 'index.js')).href, name]));
    await stack.event('the stack', (e) => e.ready === true);
    kernelIpv6On(ns, 'tap0', { accept_dad: 0 });
    ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ip addr add fd00::1/64 dev tap0 nodad');
    kernel = new LineChild(ns.spawn('/usr/bin/python3', ['-u', join(dir, 'kernel.py')]));
    await kernel.event('the kernel side', (e) => e.ready === true);
    await stack.call('listen', { port: 80, host: '::' });
    // The kernel connects over IPv4 (a v4-mapped child on tapstack's side) and over IPv6.
    ports.k4 = (await kernel.call('connect', { host: '10.0.0.2', port: 80 })).localPort;
    ports.k6 = (await kernel.call('connect', { host: 'fd00::2', port: 80 })).localPort;
    // tapstack connects to the kernel: one connection stays open, one is half-closed by tapstack.
    ports.t1 = (await stack.call('connect', { host: '10.0.0.1', port: 7000 })).localPort;
    ports.t2 = (await stack.call('connect', { host: '10.0.0.1', port: 7000, end: true })).localPort;
    await waitFor('FIN-WAIT-2 on tapstack', () => /FIN-WAIT-2/.test(ts('ss', '-tan').out));
  }, 40000);

  afterAll(() => {
    stack?.proc.stdin?.end();
    stack?.proc.kill('SIGKILL');
    kernel?.proc.kill('SIGKILL');
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every tapstack connection is in the kernel\'s ss, mirrored, in a state that pairs with it', () => {
    const mine = ts('ss', '-tanoie');
    expect(mine.status).toBe(0);
    expect(mine.err).toBe('');
    const theirs = parseSs(ns.sh('ss -tanoie 2>/dev/null'));
    const conns = parseSs(mine.out).filter((s) => s.state !== 'LISTEN');
    expect(conns.length).toBe(4);
    for (const s of conns) {
      const k = theirs.find((t) => t.local === s.peer && t.lport === s.pport && t.peer === s.local && t.pport === s.lport);
      expect(k, `kernel socket for ${s.local}:${s.lport} -> ${s.peer}:${s.pport}`).toBeDefined();
      expect(PAIRS[s.state] ?? [s.state]).toContain(k!.state);
    }
    const bySport = (p: number): SsLine => conns.find((c) => c.lport === String(p) || c.pport === String(p))!;
    expect(bySport(ports.t2).state).toBe('FIN-WAIT-2');
    expect(theirs.find((t) => t.pport === String(ports.t2))!.state).toBe('CLOSE-WAIT');
    expect(bySport(ports.t1).state).toBe('ESTAB');
  });

  it('keeps ss\'s format: header, v4-mapped and IPv6 forms, -e and -i fields', () => {
    const out = ts('ss', '-tanoie').out;
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^State +Recv-Q Send-Q +Local Address:Port +Peer Address:Port Process/);
    expect(out).toMatch(/^LISTEN +0 +511 +\*:80 +\*:\* +ino:\d+ sk:[0-9a-f]+ v6only:0 <->\n\t cubic cwnd:10/m);
    expect(out).toContain(`[::ffff:10.0.0.2]:80`);
    expect(out).toContain(`[::ffff:10.0.0.1]:${ports.k4}`);
    expect(out).toMatch(new RegExp(`\\[fd00::2\\]:80 +\\[fd00::1\\]:${ports.k6} +ino:\\d+ sk:[0-9a-f]+ <->\\n\\t ts sack cubic wscale:\\d+,\\d+ rto:\\d+ (rtt:[\\d.]+/[\\d.]+ )?mss:\\d+ `));
    expect(out).toMatch(new RegExp(`10\\.0\\.0\\.2:${ports.t2} +10\\.0\\.0\\.1:7000 +(timer:\\(\\w+,[^)]+\\) )?ino:\\d+ sk:[0-9a-f]+ <--`));
    for (const l of lines.filter((x) => x.startsWith('\t') && x.trim() !== '' && !/cwnd:10$/.test(x.trim()))) {
      expect(l).toMatch(/ mss:\d+ pmtu:1500 rcvmss:\d+ advmss:\d+ cwnd:\d+ /);
      if (/ rtt:/.test(l)) expect(l).toMatch(/ send \d+bps /);
    }
    // One state, no State column; -H no header; -4 / -6 split the families (v4-mapped is IPv6).
    expect(ts('ss', '-tn', 'state', 'fin-wait-2').out).toMatch(new RegExp(`^Recv-Q Send-Q +Local Address:Port +Peer Address:Port ?Process\\n0 +0 +10\\.0\\.0\\.2:${ports.t2} `));
    expect(ts('ss', '-tanH').out.split('\n')[0]).toMatch(/^ESTAB +0 /); // IPv4 first, no header
    expect(ts('ss', '-4tan').out).not.toContain('[');
    expect(parseSs(ts('ss', '-6tan').out).map((s) => s.state).sort()).toEqual(['ESTAB', 'ESTAB', 'LISTEN']);
  });

  it('ss\'s own errors', () => {
    const bad = ts('ss', '-tz9');
    expect(bad.status).toBe(1);
    const inv = ts('ss', '-y');
    expect(inv.status).toBe(255);
    const real = ns.try('ss -y');
    expect(inv.err).toBe(real.err);
  });

  it('proc net/tcp and net/tcp6 hold the same sockets, mirrored in the kernel\'s files', () => {
    const hex4 = (a: string): string => a.split('.').reverse().map((x) => Number(x).toString(16).padStart(2, '0')).join('').toUpperCase();
    const port = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');
    const mine = ts('proc', 'net/tcp');
    expect(mine.status).toBe(0);
    const kern = ns.sh('cat /proc/net/tcp');
    expect(mine.out.split('\n')[0]).toBe(kern.split('\n')[0]);
    for (const l of mine.out.split('\n').slice(1, -1)) expect(l.length).toBe(149);
    for (const p of [ports.t1, ports.t2]) {
      const me = `${hex4('10.0.0.2')}:${port(p)} ${hex4('10.0.0.1')}:${port(7000)}`;
      const them = `${hex4('10.0.0.1')}:${port(7000)} ${hex4('10.0.0.2')}:${port(p)}`;
      const line = mine.out.split('\n').find((l) => l.includes(me));
      expect(line, me).toBeDefined();
      expect(kern).toContain(them);
      expect(line!.split(/\s+/)[4]).toBe(p === ports.t2 ? '05' : '01');
    }
    const six = ts('proc', 'net/tcp6').out;
    expect(six.split('\n')[0]).toBe(ns.sh('cat /proc/net/tcp6').split('\n')[0]);
    expect(six).toContain(`0000000000000000FFFF00000200000A:0050 0000000000000000FFFF00000100000A:${port(ports.k4)} 01 `);
    expect(six).toMatch(/^ +0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A /m);
  });

  it('net/snmp and net/netstat have the kernel\'s lines, names and order', () => {
    const names = (t: string): string[] => t.split('\n').filter((_, i) => i % 2 === 0).map((l) => l.split(' ').slice(0, 3).join(' '));
    const snmp = ts('proc', 'net/snmp').out;
    const ksnmp = ns.sh('cat /proc/net/snmp');
    const hdr = (t: string, g: string): string => t.split('\n').find((l) => l.startsWith(`${g}: `) && !/^\w+: [\d-]/.test(l))!;
    for (const g of ['Ip', 'Icmp', 'Tcp', 'Udp', 'UdpLite']) expect(hdr(snmp, g)).toBe(hdr(ksnmp, g));
    const tcp = snmp.split('\n').filter((l) => l.startsWith('Tcp: '))[1].split(' ');
    expect(Number(tcp[9])).toBe(3); // CurrEstab: ESTABLISHED and CLOSE-WAIT, not FIN-WAIT-2
    const net = ts('proc', 'net/netstat').out;
    expect(names(net)).toEqual(names(ns.sh('cat /proc/net/netstat')));
    expect(hdr(net, 'TcpExt')).toBe(hdr(ns.sh('cat /proc/net/netstat'), 'TcpExt'));
  });
});
