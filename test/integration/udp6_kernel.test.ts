// UDP over IPv6 against the kernel's through a TAP in a private namespace (IPv6 switched back on
// for tap0): datagrams both ways between 'udp6' stack sockets and kernel node:dgram sockets over
// global and link-local addresses (each side showing the other's link-local with the zone), a
// dual-stack stack socket answering a kernel IPv4 client as ::ffff:10.0.0.1, ICMPv6 port
// unreachable both ways (ECONNREFUSED), multicast to ff02::1 both ways, and zero checksums both
// ways: the kernel's /proc/net/snmp6 counts ours as Udp6InCsumErrors, as we count its.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, ROOT, canRunKernelTests, waitFor } from '../helpers/netns.js';
import { LineChild } from '../helpers/line_child.js';

/** The stack side: a Stack with IPv6 on tap0 (10.0.0.2/24, fd00::2/64), UDP sockets driven by JSON lines. */
const STACK_CHILD = `
import { createInterface } from 'node:readline';
const root = process.argv[2];
const { Stack, TapDevice } = await import(root + '/index.js');
const { allocSkb } = await import(root + '/core/skbuff.js');
const stack = new Stack({ ipv6: true });
const tap = stack.addDevice(TapDevice.open('tap0', { mac: Buffer.from('025a00000002', 'hex') }));
stack.addAddress(tap, '10.0.0.2/24');
stack.addAddress(tap, 'fd00::2/64', { nodad: true });
const socks = [];
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const ops = {
  async open({ type, port, address, echo, ipv6Only, connect }) {
    const s = stack.createSocket({ type: type ?? 'udp6', ipv6Only });
    const sock = socks.push(s) - 1;
    s.on('message', (msg, rinfo) => {
      out({ event: 'message', sock, msg: msg.toString(), rinfo });
      if (echo) s.send(msg, rinfo.port, rinfo.address);
    });
    s.on('error', (e) => out({ event: 'error', sock, code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port, message: e.message }));
    await new Promise((res) => s.bind(port ?? 0, address, res));
    if (connect) await new Promise((res, rej) => s.connect(connect[0], connect[1], (err) => (err ? rej(err) : res())));
    return { sock, ...s.address() };
  },
  send({ sock, msg, size, port, address, segment }) {
    const data = size !== undefined ? Buffer.alloc(size, 0x61) : msg;
    if (segment !== undefined) socks[sock].setUdpSegment(segment);
    return new Promise((res) => {
      const cb = (err, bytes) => res(err ? { code: err.code, message: err.message } : { bytes });
      if (port) socks[sock].send(data, port, address, cb);
      else socks[sock].send(data, cb);
    });
  },
  /** A hand-made frame straight to the driver (a datagram with a zero checksum). */
  raw({ hex }) {
    const f = Buffer.from(hex, 'hex');
    const skb = allocSkb(f.length);
    skb.buf.set(f, skb.put(f.length));
    return tap.xmit(skb);
  },
  addrs() {
    return stack.addresses('inet6').map((a) => ({ local: a.local, scope: a.scope, flags: a.flagWords }));
  },
  stats() {
    const st = stack.stats();
    return { udp: st.udp, udp6: st.udp6, icmp6: st.icmp6, core: st.core, tap: tap.tapStats, dev: tap.stats };
  },
};
createInterface({ input: process.stdin }).on('line', async (line) => {
  const req = JSON.parse(line);
  try {
    out({ id: req.id, result: await ops[req.op](req) });
  } catch (e) {
    out({ id: req.id, error: String(e && e.stack ? e.stack : e) });
  }
});
process.stdin.on('end', () => stack.close().then(() => process.exit(0)));
out({ ready: true });
`;

/**
 * The kernel side: node:dgram sockets in the namespace. Commands on stdin, events on stdout:
 * {op:'open', name, type?, port, address?, echo?, connect?: [port, addr]}, {op:'send', name, msg, port?, address?}.
 */
const KERNEL_CHILD = `
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
const socks = new Map();
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  if (c.op === 'open') {
    const s = dgram.createSocket(c.type ?? 'udp6');
    socks.set(c.name, s);
    s.on('message', (msg, rinfo) => {
      out({ event: 'message', name: c.name, msg: msg.toString(), rinfo });
      if (c.echo) s.send(msg, rinfo.port, rinfo.address);
    });
    s.on('error', (e) => out({ event: 'error', name: c.name, code: e.code, syscall: e.syscall, message: e.message }));
    s.bind(c.port ?? 0, c.address, () => {
      if (c.connect) s.connect(c.connect[0], c.connect[1], () => out({ event: 'open', name: c.name, ...s.address() }));
      else out({ event: 'open', name: c.name, ...s.address() });
    });
  } else if (c.op === 'send') {
    const s = socks.get(c.name);
    const cb = (err, bytes) => out({ event: 'sent', name: c.name, err: err ? err.code : null, bytes });
    if (c.port) s.send(c.msg, c.port, c.address, cb);
    else s.send(c.msg, cb);
  }
});
out({ event: 'ready' });
`;

/** The kernel sends a UDPv6 datagram with a zero checksum through a raw socket (IPV6_CHECKSUM is off for UDP). */
const RAW_ZERO_CSUM = `
import socket, struct, sys
dst, dport, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.sendto(struct.pack('!HHHH', 40000, dport, 8 + len(payload), 0) + payload, (dst, 0))
`;

/** /proc/net/snmp6's Udp6 lines in the namespace, as name → value. */
function kernelUdp6(ns: Netns): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of ns.sh('cat /proc/net/snmp6').split('\n')) {
    const m = /^(Udp6\w+)\s+(\d+)/.exec(l);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The 16 bytes of an IPv6 address. */
function in6(s: string): Buffer {
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(words.map((w) => w.padStart(4, '0')).join(''), 'hex');
}

describe.runIf(canRunKernelTests(['ip', 'python3']))('UDP over IPv6 against the kernel', () => {
  let ns: Netns;
  let dir: string;
  let stack: LineChild;
  let kernel: LineChild;
  /** The kernel's and the stack's link-local addresses on tap0. */
  let kernelLl: string;
  let stackLl: string;
  let kernelMac: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapstack-udp6-'));
    writeFileSync(join(dir, 'stack.mjs'), STACK_CHILD);
    writeFileSync(join(dir, 'kernel.mjs'), KERNEL_CHILD);
    writeFileSync(join(dir, 'raw.py'), RAW_ZERO_CSUM);
    ns = Netns.create('tsudp6');
    stack = new LineChild(ns.spawn(process.execPath, [join(dir, 'stack.mjs'), pathToFileURL(join(ROOT, 'dist')).href]));
    await stack.event('the stack', (e) => e.ready === true);
    // Netns.create switched IPv6 off: on again for tap0, without DAD so its link-local is usable at once.
    ns.sh(
      'sysctl -qw net.ipv6.conf.tap0.accept_dad=0 net.ipv6.conf.tap0.router_solicitations=0 ' +
        'net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.tap0.disable_ipv6=0',
    );
    ns.sh('ip addr add 10.0.0.1/24 dev tap0 && ip -6 addr add fd00::1/64 dev tap0 nodad');
    kernelLl = await waitFor('the kernel link-local', () => /inet6 (fe80::[0-9a-f:]+)\/64/.exec(ns.sh('ip -6 addr show dev tap0 scope link'))?.[1]);
    kernelMac = Buffer.from(ns.sh('cat /sys/class/net/tap0/address').trim().replace(/:/g, ''), 'hex');
    // The stack's link-local finishes DAD (one NS, then retrans_time).
    stackLl = await waitFor('the stack link-local', async () => {
      const a = (await stack.call('addrs')).find((x: any) => x.scope === 'link' && !x.flags.includes('tentative'));
      return a?.local as string | undefined;
    });
    kernel = new LineChild(ns.spawn(process.execPath, [join(dir, 'kernel.mjs')]));
    await kernel.event('the kernel-side sockets', (e) => e.event === 'ready');
  }, 30000);

  afterAll(() => {
    stack?.proc.kill('SIGKILL');
    kernel?.proc.kill('SIGKILL');
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stack → kernel → stack over fd00::/64: a kernel echo server answers; full-MTU datagrams; the kernel finds no error', async () => {
    const before = kernelUdp6(ns);
    kernel.write({ op: 'open', name: 'echo', port: 7777, address: 'fd00::1', echo: true });
    await kernel.event('echo server', (e) => e.event === 'open' && e.name === 'echo');
    const s = await stack.call('open', {});
    expect(s).toMatchObject({ address: '::', family: 'IPv6' });
    const since = stack.events.length;
    // The first datagram waits for neighbour discovery, then leaves.
    expect(await stack.call('send', { sock: s.sock, msg: 'ping-1', port: 7777, address: 'fd00::1' })).toEqual({ bytes: 6 });
    const got = await stack.event('the echo', (e) => e.event === 'message' && e.sock === s.sock, since);
    expect(got.msg).toBe('ping-1');
    expect(got.rinfo).toEqual({ address: 'fd00::1', family: 'IPv6', port: 7777, size: 6 });
    const k = await kernel.event('the kernel saw it', (e) => e.event === 'message' && e.name === 'echo');
    expect(k.rinfo).toMatchObject({ address: 'fd00::2', family: 'IPv6', port: s.port, size: 6 });
    // 1500 − 40 − 8 = 1452 bytes fit; one more would need fragmentation, which the stack refuses.
    const since2 = stack.events.length;
    expect(await stack.call('send', { sock: s.sock, size: 1452, port: 7777, address: 'fd00::1' })).toEqual({ bytes: 1452 });
    expect((await stack.event('the big echo', (e) => e.event === 'message' && e.sock === s.sock, since2)).rinfo.size).toBe(1452);
    expect(await stack.call('send', { sock: s.sock, size: 1453, port: 7777, address: 'fd00::1' })).toMatchObject({ code: 'EMSGSIZE' });
    const after = kernelUdp6(ns);
    expect(after.Udp6InDatagrams - before.Udp6InDatagrams).toBe(2);
    expect(after.Udp6InErrors - before.Udp6InErrors).toBe(0);
    expect(after.Udp6InCsumErrors - before.Udp6InCsumErrors).toBe(0);
  });

  it('our UDP_SEGMENT send over IPv6: 5000 bytes at 1452 are 4 datagrams on the kernel socket (USO where the kernel takes it)', async () => {
    kernel.write({ op: 'open', name: 'gso6', port: 7791, address: 'fd00::1' });
    await kernel.event('kernel gso socket', (e) => e.event === 'open' && e.name === 'gso6');
    const s = await stack.call('open', {});
    const parts = [1452, 1452, 1452, 644].map((n, i) => String.fromCharCode(97 + i).repeat(n));
    const k0 = kernelUdp6(ns);
    const st0 = await stack.call('stats');
    const since = kernel.events.length;
    expect(await stack.call('send', { sock: s.sock, msg: parts.join(''), port: 7791, address: 'fd00::1', segment: 1452 })).toEqual({ bytes: 5000 });
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push((await kernel.event(`datagram ${i}`, (e) => e.event === 'message' && e.name === 'gso6', since + i)).msg);
    expect(got).toEqual(parts);
    const k1 = kernelUdp6(ns);
    expect(k1.Udp6InDatagrams - k0.Udp6InDatagrams).toBe(4);
    expect(k1.Udp6InCsumErrors - k0.Udp6InCsumErrors).toBe(0);
    const st1 = await stack.call('stats');
    expect(st1.udp6.outDatagrams - st0.udp6.outDatagrams).toBe(1);
    const uso = st1.tap.offloadFlags > 0 && (st1.tap.offloadFlags & 0x40) !== 0;
    // (A neighbour probe may leave in the same moment: frames are counted with room for it.)
    const frames = st1.dev.txPackets - st0.dev.txPackets;
    if (uso) expect(frames).toBeLessThan(4);
    else expect(frames).toBeGreaterThanOrEqual(4);
    expect(st1.tap.txGso - st0.tap.txGso).toBe(uso ? 1 : 0);
    expect(st1.core.txGsoSoftware - st0.core.txGsoSoftware).toBe(uso ? 0 : 1);
    // One byte more per datagram would not fit the link: EMSGSIZE, as Linux.
    expect(await stack.call('send', { sock: s.sock, msg: parts.join(''), port: 7791, address: 'fd00::1', segment: 1453 })).toMatchObject({ code: 'EMSGSIZE' });
  });

  it('kernel → stack → kernel: our echo socket on :: answers a kernel client; we find no error in its datagrams', async () => {
    await stack.call('open', { port: 5555, echo: true });
    kernel.write({ op: 'open', name: 'client', port: 40000, address: 'fd00::1' });
    await kernel.event('client', (e) => e.event === 'open' && e.name === 'client');
    const since = stack.events.length;
    kernel.write({ op: 'send', name: 'client', msg: 'hello, stack', port: 5555, address: 'fd00::2' });
    const k = await kernel.event('the reply', (e) => e.event === 'message' && e.name === 'client');
    expect(k.msg).toBe('hello, stack');
    expect(k.rinfo).toMatchObject({ address: 'fd00::2', port: 5555 });
    const m = await stack.event('our socket got it', (e) => e.event === 'message' && e.rinfo.port === 40000, since);
    expect(m.rinfo).toEqual({ address: 'fd00::1', family: 'IPv6', port: 40000, size: 12 });
    const st = await stack.call('stats');
    expect(st.udp6.inErrors).toBe(0);
    expect(st.udp6.inCsumErrors).toBe(0);
  });

  it('a dual-stack socket answers a kernel IPv4 client; it sees ::ffff:10.0.0.1, the kernel sees 10.0.0.2', async () => {
    const s = await stack.call('open', { port: 5556, echo: true });
    kernel.write({ op: 'open', name: 'v4client', type: 'udp4', port: 40001, address: '10.0.0.1' });
    await kernel.event('v4 client', (e) => e.event === 'open' && e.name === 'v4client');
    const since = stack.events.length;
    kernel.write({ op: 'send', name: 'v4client', msg: 'over v4', port: 5556, address: '10.0.0.2' });
    const k = await kernel.event('the v4 reply', (e) => e.event === 'message' && e.name === 'v4client');
    expect(k.rinfo).toMatchObject({ address: '10.0.0.2', family: 'IPv4', port: 5556 });
    const m = await stack.event('the v4 datagram', (e) => e.event === 'message' && e.sock === s.sock, since);
    expect(m.rinfo).toEqual({ address: '::ffff:10.0.0.1', family: 'IPv6', port: 40001, size: 7 });
    const st = await stack.call('stats');
    expect(st.udp.inDatagrams).toBeGreaterThanOrEqual(1);
  });

  it('link-local both ways: each side shows the other with its zone (%tap0)', async () => {
    kernel.write({ op: 'open', name: 'll', port: 7778, echo: true });
    await kernel.event('link-local echo', (e) => e.event === 'open' && e.name === 'll');
    const s = await stack.call('open', {});
    const since = stack.events.length;
    expect(await stack.call('send', { sock: s.sock, msg: 'll', port: 7778, address: `${kernelLl}%tap0` })).toEqual({ bytes: 2 });
    const got = await stack.event('the link-local echo', (e) => e.event === 'message' && e.sock === s.sock, since);
    expect(got.rinfo).toEqual({ address: `${kernelLl}%tap0`, family: 'IPv6', port: 7778, size: 2 });
    const k = await kernel.event('the kernel saw our link-local', (e) => e.event === 'message' && e.name === 'll');
    expect(k.rinfo).toMatchObject({ address: `${stackLl}%tap0`, family: 'IPv6', port: s.port });
    // Bound to the link-local with its zone, as Node shows it.
    const b = await stack.call('open', { address: `${stackLl}%tap0` });
    expect(b.address).toBe(`${stackLl}%tap0`);
  });

  it("the kernel's ICMPv6 port unreachable reaches our socket as ECONNREFUSED", async () => {
    const before = kernelUdp6(ns);
    const s = await stack.call('open', {});
    const since = stack.events.length;
    expect(await stack.call('send', { sock: s.sock, msg: 'anyone?', port: 9, address: 'fd00::1' })).toEqual({ bytes: 7 });
    const e = await stack.event('ECONNREFUSED', (x) => x.event === 'error' && x.sock === s.sock, since);
    expect(e).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'recvmsg', address: 'fd00::1', port: 9, message: 'recvmsg ECONNREFUSED' });
    expect(kernelUdp6(ns).Udp6NoPorts - before.Udp6NoPorts).toBe(1);
    expect((await stack.call('stats')).icmp6.inDestUnreachs).toBeGreaterThanOrEqual(1);
  });

  it('our ICMPv6 port unreachable reaches a connected kernel socket as ECONNREFUSED', async () => {
    kernel.write({ op: 'open', name: 'conn', connect: [6666, 'fd00::2'] });
    await kernel.event('connected client', (e) => e.event === 'open' && e.name === 'conn');
    const before = (await stack.call('stats')).udp6.noPorts;
    kernel.write({ op: 'send', name: 'conn', msg: 'closed?' });
    const e = await kernel.event('ECONNREFUSED in the kernel', (x) => x.event === 'error' && x.name === 'conn');
    expect(e).toMatchObject({ code: 'ECONNREFUSED', syscall: 'recvmsg', message: 'recvmsg ECONNREFUSED' });
    const st = await stack.call('stats');
    expect(st.udp6.noPorts).toBe(before + 1);
    expect(st.icmp6.outDestUnreachs).toBeGreaterThanOrEqual(1);
  });

  it('multicast to ff02::1 both ways', async () => {
    kernel.write({ op: 'open', name: 'mc', port: 6001 });
    await kernel.event('kernel multicast socket', (e) => e.event === 'open' && e.name === 'mc');
    const s = await stack.call('open', { port: 6000 });
    expect(await stack.call('send', { sock: s.sock, msg: 'to-all', port: 6001, address: 'ff02::1%tap0' })).toEqual({ bytes: 6 });
    const k = await kernel.event('the kernel got our multicast', (e) => e.event === 'message' && e.name === 'mc');
    expect(k).toMatchObject({ msg: 'to-all', rinfo: { address: `${stackLl}%tap0`, port: 6000 } });
    const since = stack.events.length;
    kernel.write({ op: 'send', name: 'mc', msg: 'from-kernel', port: 6000, address: 'ff02::1%tap0' });
    const m = await stack.event('we got the kernel multicast', (e) => e.event === 'message' && e.sock === s.sock && e.msg === 'from-kernel', since);
    expect(m.rinfo).toMatchObject({ address: `${kernelLl}%tap0`, port: 6001, family: 'IPv6' });
  });

  it('a zero checksum is an error both ways: the kernel counts ours in Udp6InCsumErrors, we count its', async () => {
    // Ours: a hand-made frame to the kernel's socket on 7777 (the echo server of the first test).
    const before = kernelUdp6(ns);
    const payload = Buffer.from('zero');
    const f = Buffer.alloc(14 + 40 + 8 + payload.length);
    kernelMac.copy(f, 0);
    Buffer.from('025a00000002', 'hex').copy(f, 6);
    f.writeUInt16BE(0x86dd, 12);
    f.writeUInt32BE(0x60000000, 14);
    f.writeUInt16BE(8 + payload.length, 18);
    f[20] = 17;
    f[21] = 64;
    in6('fd00::2').copy(f, 22);
    in6('fd00::1').copy(f, 38);
    f.writeUInt16BE(40002, 54);
    f.writeUInt16BE(7777, 56);
    f.writeUInt16BE(8 + payload.length, 58);
    payload.copy(f, 62);
    await stack.call('raw', { hex: f.toString('hex') });
    await waitFor('the kernel to count it', () => kernelUdp6(ns).Udp6InCsumErrors > before.Udp6InCsumErrors);
    const after = kernelUdp6(ns);
    expect(after.Udp6InCsumErrors - before.Udp6InCsumErrors).toBe(1);
    expect(after.Udp6InErrors - before.Udp6InErrors).toBe(1);
    expect(after.Udp6InDatagrams - before.Udp6InDatagrams).toBe(0);
    // Theirs: a raw socket's datagram to our echo socket on 5555.
    const st0 = (await stack.call('stats')).udp6;
    const since = stack.events.length;
    ns.sh(`python3 ${join(dir, 'raw.py')} fd00::2 5555 zero`);
    const st1 = await waitFor('our counters', async () => {
      const st = (await stack.call('stats')).udp6;
      return st.inCsumErrors > st0.inCsumErrors ? st : null;
    });
    expect(st1.inCsumErrors - st0.inCsumErrors).toBe(1);
    expect(st1.inErrors - st0.inErrors).toBe(1);
    expect(st1.drops.zeroChecksum - st0.drops.zeroChecksum).toBe(1);
    expect(stack.events.slice(since).filter((e) => e.event === 'message' && e.msg === 'zero')).toEqual([]);
  });
});
