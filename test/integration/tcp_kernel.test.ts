// TCP against the kernel's through a TAP in a private namespace, both families: the kernel's curl
// fetching from Node's own http.Server running on tapstack sockets; Node `net` in the namespace as
// client and server in both directions with the data checked by hash; RSTs for closed ports both
// ways; random loss on the kernel side (nftables numgen) and congestion loss (tbf) with integrity
// checked by hash. The kernel's /proc/net/snmp shows no checksum errors in what we sent.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CI, Netns, canRunKernelTests } from '../helpers/netns.js';
import { LineChild } from '../helpers/line_child.js';
import { type ChildPair, PATTERN, kernelSnmp, lineLoop, patternHash, startChildPair } from '../helpers/tcp_kernel.js';
import { kernelIpv6On } from '../helpers/ipv6_kernel.js';


/** The stack side: a Stack on tap0 (10.0.0.2/24, fd00::2/64) with TCP servers and clients, driven by JSON lines. */
const STACK_CHILD = `
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import http from 'node:http';
const { Stack, TapDevice, attachFaults } = await import(process.argv[2]);
const pattern = ${PATTERN};
const stack = new Stack();
const tap = stack.addDevice(TapDevice.open('tap0', { mac: Buffer.from('025a00000002', 'hex') }));
stack.addAddress(tap, '10.0.0.2/24');
stack.addAddress(tap, 'fd00::2/64', { nodad: true });
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const errOf = (e) => ({ code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port, message: e.message });
const servers = [];
let faulty = null;
const ops = {
  /** The TAP driver's counters. */
  tapStats() {
    return tap.tapStats;
  },
  /** Node's own http.Server, fed with the connections of a tapstack server. */
  async http({ port, host, size }) {
    const body = pattern(size);
    const hs = http.createServer((req, res) => { res.setHeader('content-type', 'application/octet-stream'); res.end(req.url === '/big' ? body : 'hello from tapstack\\n'); });
    const srv = stack.createServer((sock) => hs.emit('connection', sock));
    await new Promise((res) => srv.listen(port, host, res));
    servers.push(srv);
    return srv.address();
  },
  /** Hashes what each connection sends and answers with the hash and the byte count, then ends. */
  async sink({ port, host }) {
    const srv = stack.createServer((sock) => {
      const h = createHash('sha256');
      let n = 0;
      sock.on('data', (d) => { h.update(d); n += d.length; });
      sock.on('end', () => { const r = JSON.stringify({ bytes: n, sha: h.digest('hex') }); out({ event: 'sunk', bytes: n }); sock.end(r); });
      sock.on('error', (e) => out({ event: 'sink-error', ...errOf(e) }));
    });
    await new Promise((res) => srv.listen(port, host, res));
    servers.push(srv);
    return srv.address();
  },
  /** Connects, sends \`bytes\` of the pattern, ends, and returns what the peer answered. */
  source({ port, host, bytes }) {
    return new Promise((resolve) => {
      const s = stack.connect(port, host);
      const chunks = [];
      const events = [];
      s.on('connect', () => { events.push('connect'); s.end(pattern(bytes)); });
      s.on('data', (d) => chunks.push(d));
      s.on('error', (e) => { events.push('error'); resolve({ events, error: errOf(e) }); });
      s.on('close', (hadError) => { events.push('close'); if (!hadError) resolve({ events, reply: Buffer.concat(chunks).toString(), local: s.localPort }); });
    });
  },
  /** Connects and reads until the peer ends; returns the count and hash of what arrived. */
  drain({ port, host }) {
    return new Promise((resolve) => {
      const s = stack.connect(port, host);
      const h = createHash('sha256');
      let n = 0;
      s.on('data', (d) => { h.update(d); n += d.length; });
      s.on('error', (e) => resolve({ error: errOf(e) }));
      s.on('end', () => { resolve({ bytes: n, sha: h.digest('hex') }); s.end(); });
    });
  },
  /** http.request over a tapstack connection (createConnection). */
  get({ port, host, path }) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host, port, path, createConnection: () => stack.connect(port, host) }, (res) => {
        const h = createHash('sha256');
        let n = 0;
        res.on('data', (d) => { h.update(d); n += d.length; });
        res.on('end', () => resolve({ status: res.statusCode, bytes: n, sha: h.digest('hex') }));
      });
      req.on('error', (e) => resolve({ error: errOf(e) }));
      req.end();
    });
  },
  /** The fault device in front of the TAP: spec strings per direction, or detach with none. */
  faults({ rx, tx }) {
    let st = null;
    if (faulty) { st = faulty.stats; faulty.detach(); faulty = null; }
    if (!rx && !tx) return st;
    faulty = attachFaults(tap, { rx, tx });
    return faulty.stats;
  },
  stats() {
    const s = stack.stats();
    return { tcp: s.tcp, tcpExt: s.tcpExt };
  },
};
process.stdin.on('end', () => stack.close().then(() => process.exit(0)));
${lineLoop('{ ready: true }')}`;

/** The kernel side: Node's net module in the namespace (the kernel's TCP), same commands. */
const KERNEL_CHILD = `
import net from 'node:net';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
const pattern = ${PATTERN};
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const errOf = (e) => ({ code: e.code, errno: e.errno, syscall: e.syscall, message: e.message });
const ops = {
  async sink({ port, host }) {
    const srv = net.createServer((sock) => {
      const h = createHash('sha256');
      let n = 0;
      sock.on('data', (d) => { h.update(d); n += d.length; });
      sock.on('end', () => sock.end(JSON.stringify({ bytes: n, sha: h.digest('hex') })));
      sock.on('error', () => {});
    });
    await new Promise((res) => srv.listen(port, host, res));
    return srv.address();
  },
  async source({ port, host, bytes }) {
    const srv = net.createServer((sock) => { sock.on('error', () => {}); sock.end(pattern(bytes)); });
    await new Promise((res) => srv.listen(port, host, res));
    return srv.address();
  },
  connect({ port, host, bytes }) {
    return new Promise((resolve) => {
      const s = net.connect(port, host);
      const chunks = [];
      s.on('connect', () => s.end(pattern(bytes)));
      s.on('data', (d) => chunks.push(d));
      s.on('error', (e) => resolve({ error: errOf(e) }));
      s.on('close', (hadError) => { if (!hadError) resolve({ reply: Buffer.concat(chunks).toString() }); });
    });
  },
};
${lineLoop("{ event: 'ready' }")}`;

function kernelTcp(ns: Netns): Record<string, number> {
  return kernelSnmp(ns, 'snmp', 'Tcp');
}

describe.runIf(canRunKernelTests(['ip', 'curl']))('TCP against the kernel', () => {
  let pair: ChildPair;
  let ns: Netns;
  let stack: LineChild;
  let kernel: LineChild;
  let dir: string;

  beforeAll(async () => {
    pair = await startChildPair({
      prefix: 'tstcp',
      stackChild: STACK_CHILD,
      kernelChild: KERNEL_CHILD,
      kernelSide: (ns) => {
        kernelIpv6On(ns, 'tap0', { accept_dad: 0 });
        ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ip addr add fd00::1/64 dev tap0 nodad');
        // The kernel side's congestion control is pinned to cubic where the namespace allows it.
        ns.try('sysctl -qw net.ipv4.tcp_congestion_control=cubic');
      },
    });
    ({ ns, stack, kernel, dir } = pair);
    await stack.call('http', { port: 80, host: '::', size: 1 << 20 });
    await stack.call('sink', { port: 9000, host: '::' });
  }, 30000);

  afterAll(() => pair?.close());

  for (const [fam, host, url] of [
    ['IPv4', '10.0.0.2', 'http://10.0.0.2'],
    ['IPv6', 'fd00::2', 'http://[fd00::2]'],
  ] as const) {
    it(`${fam}: the kernel's curl gets a page and 1 MiB from Node's http.Server on tapstack sockets`, () => {
      const before = kernelTcp(ns);
      expect(ns.sh(`curl -sS --max-time 10 ${url}/`)).toBe('hello from tapstack\n');
      const sha = ns.sh(`curl -sS --max-time 20 ${url}/big | sha256sum`).split(' ')[0];
      expect(sha).toBe(patternHash(1 << 20));
      const after = kernelTcp(ns);
      expect(after.InErrs - before.InErrs).toBe(0);
      expect(after.InCsumErrors - before.InCsumErrors).toBe(0);
      expect(after.ActiveOpens - before.ActiveOpens).toBe(2);
      void host;
    }, 30000);

    it(`${fam}: kernel client → tapstack sink, 4 MiB hashed on arrival (in super-frames, or merged by software GRO from plain frames)`, async () => {
      const t0 = await stack.call('tapStats');
      const r = await kernel.call('connect', { port: 9000, host, bytes: 4 << 20 });
      expect(JSON.parse(r.reply)).toEqual({ bytes: 4 << 20, sha: patternHash(4 << 20) });
      const t1 = await stack.call('tapStats');
      if (process.env.TAPSTACK_OFFLOAD === '0') {
        expect(t1.rxGso - t0.rxGso).toBe(0);
        expect(t1.rxGro - t0.rxGro).toBeGreaterThan(0);
        expect(t1.rxGroSegs - t0.rxGroSegs).toBeGreaterThan(2 * (t1.rxGro - t0.rxGro));
      } else {
        expect(t1.rxGso - t0.rxGso).toBeGreaterThan(0);
      }
    }, 30000);

    it(`${fam}: tapstack client → kernel sink, 4 MiB, and the kernel's answer read back`, async () => {
      const port = fam === 'IPv4' ? 7001 : 7002;
      await kernel.call('sink', { port, host: fam === 'IPv4' ? '10.0.0.1' : 'fd00::1' });
      const r = await stack.call('source', { port, host: fam === 'IPv4' ? '10.0.0.1' : 'fd00::1', bytes: 4 << 20 });
      expect(r.events).toEqual(['connect', 'close']);
      expect(JSON.parse(r.reply)).toEqual({ bytes: 4 << 20, sha: patternHash(4 << 20) });
    }, 30000);

    it(`${fam}: tapstack reads 4 MiB a kernel server sends`, async () => {
      const port = fam === 'IPv4' ? 7101 : 7102;
      const kaddr = fam === 'IPv4' ? '10.0.0.1' : 'fd00::1';
      await kernel.call('source', { port, host: kaddr, bytes: 4 << 20 });
      expect(await stack.call('drain', { port, host: kaddr })).toEqual({ bytes: 4 << 20, sha: patternHash(4 << 20) });
    }, 30000);

    it(`${fam}: RST for closed ports both ways, with Node's error shapes`, async () => {
      const kaddr = fam === 'IPv4' ? '10.0.0.1' : 'fd00::1';
      const r = await stack.call('source', { port: 81, host: kaddr, bytes: 1 });
      expect(r.error).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'connect', port: 81 });
      expect(r.error.message).toBe(`connect ECONNREFUSED ${kaddr}:81`);
      const k = await kernel.call('connect', { port: 82, host, bytes: 1 });
      expect(k.error).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
    }, 30000);
  }

  it('http.request({ createConnection }) over tapstack fetches from the kernel\'s python http.server', async () => {
    const proc = ns.spawn('/usr/bin/python3', ['-m', 'http.server', '8080', '--bind', '10.0.0.1', '--directory', dir]);
    try {
      writeFileSync(join(dir, 'page.bin'), Buffer.alloc(300000, 0x41));
      let r: any;
      for (let i = 0; i < 50; i++) {
        r = await stack.call('get', { port: 8080, host: '10.0.0.1', path: '/page.bin' });
        if (!r.error) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(r).toEqual({ status: 200, bytes: 300000, sha: createHash('sha256').update(Buffer.alloc(300000, 0x41)).digest('hex') });
    } finally {
      proc.kill('SIGKILL');
    }
  }, 30000);

  describe.runIf(CI || canRunKernelTests(['nft']))('under loss', () => {
    it('2 % loss each way (every 50th packet): 4 MiB each direction intact, both senders retransmit', async () => {
      // Every 50th packet, not 2 % at random: with offloads 4 MiB are only ~100 super-packets each
      // way, and 2 % of 100 is none often enough to make the test flaky.
      // What the kernel receives is dropped by nftables on its input hook (numgen inc). What
      // the kernel sends cannot be lost there: its output hook sees GSO super-packets, and a drop
      // at that hook is a local send failure the kernel repeats, not a loss. So frames from the
      // kernel are dropped by tapstack's fault device in front of the TAP, after the wire.
      ns.sh('nft add table inet tsloss && nft add chain inet tsloss in "{ type filter hook input priority 0; }" && ' +
        'nft add rule inet tsloss in tcp sport 9000 numgen inc mod 50 == 0 counter drop && ' +
        'nft add rule inet tsloss in tcp dport 7003 numgen inc mod 50 == 0 counter drop');
      await stack.call('faults', { rx: 'drop=50th' });
      try {
        const k0 = kernelTcp(ns);
        const r = await kernel.call('connect', { port: 9000, host: '10.0.0.2', bytes: 4 << 20 });
        expect(JSON.parse(r.reply)).toEqual({ bytes: 4 << 20, sha: patternHash(4 << 20) });
        expect(kernelTcp(ns).RetransSegs - k0.RetransSegs).toBeGreaterThan(0);
        const s0 = await stack.call('stats');
        await kernel.call('sink', { port: 7003, host: '10.0.0.1' });
        const w = await stack.call('source', { port: 7003, host: '10.0.0.1', bytes: 4 << 20 });
        expect(JSON.parse(w.reply)).toEqual({ bytes: 4 << 20, sha: patternHash(4 << 20) });
        const s1 = await stack.call('stats');
        expect(s1.tcp.retransSegs - s0.tcp.retransSegs).toBeGreaterThan(0);
        // Both mechanisms dropped frames: each rule, and the fault device.
        const counts = [...ns.sh('nft list table inet tsloss').matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
        expect(counts).toHaveLength(2);
        for (const c of counts) expect(c).toBeGreaterThan(0);
        const f = await stack.call('faults', {});
        expect(f.rx.dropped).toBeGreaterThan(0);
      } finally {
        ns.try('nft delete table inet tsloss');
        await stack.call('faults', {});
      }
    }, 60000);

    it('congestion loss (tbf 50 Mbit/s, small limit on the kernel side of tap0): 4 MiB intact', async () => {
      ns.sh('tc qdisc add dev tap0 root tbf rate 50mbit burst 16kb limit 30kb');
      try {
        // tbf shapes what the kernel sends, so the data flows kernel → tapstack.
        await kernel.call('source', { port: 7005, host: '10.0.0.1', bytes: 4 << 20 });
        expect(await stack.call('drain', { port: 7005, host: '10.0.0.1' })).toEqual({ bytes: 4 << 20, sha: patternHash(4 << 20) });
      } finally {
        ns.try('tc qdisc del dev tap0 root');
      }
    }, 60000);
  });
});
