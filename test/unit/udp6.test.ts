// UDP over IPv6 (src/ipv6/udp.ts) on the port table it shares with IPv4 (src/udp/udp_table.ts),
// and 'udp6' sockets (src/socket/dgram.ts), between two stacks over an in-memory pair with a
// manual clock: echo, dual-stack sockets and v4-mapped addresses, the bind conflicts Linux 6.18
// reports across families (measured with node:dgram on loopback), zones and link-local peers,
// mandatory checksums and length checks with their Udp6 counters, ICMPv6 port unreachable (rate
// limited) and its ECONNREFUSED, packet too big and the path MTU, neighbour failure, multicast
// delivery and membership, hop limits, and Node's error codes and messages.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ETH_HLEN, ETH_P_IPV6, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { icmp6FillChecksum } from '../../src/ipv6/icmp6hdr.js';
import { parseIn6 } from '../../src/ipv6/in6_addr.js';
import { ipv6UpperCsum } from '../../src/ipv6/ip6_checksum.js';
import { writeIpv6Header } from '../../src/ipv6/ipv6hdr.js';
import { udpv6 } from '../../src/ipv6/udp.js';
import type { Stack } from '../../src/stack.js';
import type { UdpRemoteInfo, UdpSocket, UdpSocketError, UdpSocketOptions } from '../../src/socket/dgram.js';
import { MAC_A, MAC_B, TwoStacks, closeStacks, twoStacks } from '../helpers/two_stacks.js';

/** The link-local addresses the MACs give (EUI-64). */
const LL_A = 'fe80::aa:ff:fe00:1';
const LL_B = 'fe80::bb:ff:fe00:2';

afterEach(async () => {
  await closeStacks();
});

/** A 10.0.0.1/24 + fd00::1/64 on ea, B 10.0.0.2/24 + fd00::2/64 on eb; link-locals past DAD. */
function setup(): TwoStacks {
  const env = twoStacks({ ipv6: true, record: true, randomB: () => 0.25 });
  env.A.addAddress('ea', 'fd00::1/64', { nodad: true });
  env.B.addAddress('eb', 'fd00::2/64', { nodad: true });
  env.clock.advance(3000);
  return env;
}

const nextMessage = async (s: UdpSocket): Promise<[Buffer, UdpRemoteInfo]> => (await once(s, 'message')) as [Buffer, UdpRemoteInfo];
const nextError = async (s: UdpSocket): Promise<UdpSocketError> => (await once(s, 'error'))[0] as UdpSocketError;
/** Lets setImmediate/nextTick work (message delivery, events) run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r)));

function collect(s: UdpSocket): { msgs: string[]; from: UdpRemoteInfo[] } {
  const out = { msgs: [] as string[], from: [] as UdpRemoteInfo[] };
  s.on('message', (m: Buffer, r: UdpRemoteInfo) => {
    out.msgs.push(m.toString());
    out.from.push(r);
  });
  return out;
}

const sendP = (s: UdpSocket, msg: string | Buffer, port: number, addr: string): Promise<{ err: UdpSocketError | null; bytes?: number }> =>
  new Promise((res) => s.send(msg, port, addr, (err, bytes) => res({ err, bytes })));

const bound = async (s: UdpSocket, port = 0, address?: string): Promise<UdpSocket> => {
  s.bind(port, address);
  await once(s, 'listening');
  return s;
};

/** The bind error of a socket, or null when it bound. */
const bindResult = (s: UdpSocket, port: number, address?: string): Promise<UdpSocketError | null> =>
  new Promise((res) => {
    s.once('error', (e) => res(e as UdpSocketError));
    s.bind(port, address, () => res(null));
  });

const a6 = (s: string): Buffer => parseIn6(s)!;

/** A UDP datagram in an IPv6 packet in an Ethernet frame to B, with the checksum computed unless given. */
function udp6Frame(o: {
  saddr?: string; daddr?: string; sport?: number; dport: number; payload?: Buffer; check?: number; ulen?: number; dstMac?: Buffer; pad?: number;
}): Buffer {
  const payload = o.payload ?? Buffer.from('payload');
  const ulen = 8 + payload.length;
  const s = a6(o.saddr ?? 'fd00::1');
  const d = a6(o.daddr ?? 'fd00::2');
  const u = Buffer.alloc(ulen + (o.pad ?? 0));
  u.writeUInt16BE(o.sport ?? 4000, 0);
  u.writeUInt16BE(o.dport, 2);
  u.writeUInt16BE(ulen, 4);
  payload.copy(u, 8);
  const sum = ipv6UpperCsum(u, 0, ulen, s, 0, d, 0, 17) || 0xffff;
  u.writeUInt16BE(o.check ?? sum, 6);
  if (o.ulen !== undefined) u.writeUInt16BE(o.ulen, 4);
  const f = Buffer.alloc(ETH_HLEN + 40 + u.length);
  emitEthHeader(f, 0, o.dstMac ?? MAC_B, 0, MAC_A, 0, ETH_P_IPV6);
  writeIpv6Header(f, ETH_HLEN, 0, 0, u.length, 17, 64, s, 0, d, 0);
  u.copy(f, ETH_HLEN + 40);
  return f;
}

/** IPv6 UDP frames a device sent. */
const udp6Sent = (frames: Buffer[]): Buffer[] => frames.filter((f) => f.readUInt16BE(12) === ETH_P_IPV6 && f[ETH_HLEN + 6] === 17);

describe('UDP over IPv6 between two stacks', () => {
  it('echoes a datagram: rinfo, address(), send callback, Udp6 counters (Udp untouched)', async () => {
    const { A, B } = setup();
    const echo = B.createSocket('udp6', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
    await bound(echo, 7);
    expect(echo.address()).toEqual({ address: '::', family: 'IPv6', port: 7 });
    const c = A.createSocket({ type: 'udp6' });
    expect(c.type).toBe('udp6');
    const got = nextMessage(c);
    expect(await sendP(c, 'hello', 7, 'fd00::2')).toEqual({ err: null, bytes: 5 });
    const [msg, rinfo] = await got;
    expect(msg.toString()).toBe('hello');
    expect(rinfo).toEqual({ address: 'fd00::2', family: 'IPv6', port: 7, size: 5 });
    const port = c.address().port;
    expect(port).toBeGreaterThanOrEqual(32768);
    expect(c.address()).toEqual({ address: '::', family: 'IPv6', port });
    expect(A.stats().udp6).toMatchObject({ outDatagrams: 1, inDatagrams: 1, inErrors: 0, noPorts: 0, inCsumErrors: 0 });
    expect(B.stats().udp6).toMatchObject({ outDatagrams: 1, inDatagrams: 1, inErrors: 0, noPorts: 0 });
    expect(B.stats().udp).toMatchObject({ outDatagrams: 0, inDatagrams: 0 });
    expect(udpv6(B.inet6).sockets()).toHaveLength(1);
    // The checksum went out non-zero and the frame carries the device's hop limit.
    const f = udp6Sent(setupFrames(A))[0];
    expect(f.readUInt16BE(ETH_HLEN + 40 + 6)).not.toBe(0);
    expect(f[ETH_HLEN + 7]).toBe(64);
  });

  it('a dual-stack socket on :: takes IPv4 from ::ffff:a.b.c.d and answers over IPv4; counters by packet family', async () => {
    const { A, B } = setup();
    const echo = B.createSocket('udp6', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
    const rx = collect(echo);
    await bound(echo, 7);
    const c = A.createSocket('udp4');
    const got = nextMessage(c);
    c.send('v4', 7, '10.0.0.2');
    const [msg, rinfo] = await got;
    expect(msg.toString()).toBe('v4');
    expect(rinfo).toEqual({ address: '10.0.0.2', family: 'IPv4', port: 7, size: 2 });
    expect(rx.from[0]).toEqual({ address: '::ffff:10.0.0.1', family: 'IPv6', port: c.address().port, size: 2 });
    // IPv4 datagrams count in Udp even on a 'udp6' socket (udpv6_recvmsg's is_udp4).
    expect(B.stats().udp).toMatchObject({ inDatagrams: 1, outDatagrams: 1 });
    expect(B.stats().udp6).toMatchObject({ inDatagrams: 0, outDatagrams: 0 });
    // An IPv4 broadcast reaches it too.
    const bc = await bound(A.createSocket('udp4'));
    bc.setBroadcast(true);
    bc.send('all', 7, '10.0.0.255');
    await settle();
    expect(rx.msgs).toEqual(['v4', 'all']);
    expect(rx.from[1].address).toBe('::ffff:10.0.0.1');
  });

  it('ipv6Only: IPv4 is left to others (port unreachable, or a udp4 socket on the same port); v4-mapped is ENETUNREACH', async () => {
    const { A, B } = setup();
    const only = collect(await bound(B.createSocket({ type: 'udp6', ipv6Only: true }), 7));
    const c4 = A.createSocket('udp4');
    const refused = nextError(c4);
    c4.send('v4', 7, '10.0.0.2');
    expect((await refused).code).toBe('ECONNREFUSED');
    expect(B.stats().udp.noPorts).toBe(1);
    expect(only.msgs).toEqual([]);
    // A udp4 socket may take 0.0.0.0:7 beside it; each family goes to its own.
    const v4 = collect(await bound(B.createSocket('udp4'), 7));
    c4.send('to-v4', 7, '10.0.0.2');
    A.createSocket('udp6').send('to-v6', 7, 'fd00::2');
    await settle();
    expect(v4.msgs).toEqual(['to-v4']);
    expect(only.msgs).toEqual(['to-v6']);
    const s = await bound(A.createSocket({ type: 'udp6', ipv6Only: true }));
    const r = await sendP(s, 'x', 7, '::ffff:10.0.0.2');
    expect(r.err).toMatchObject({ code: 'ENETUNREACH', errno: -101, syscall: 'send', address: '::ffff:10.0.0.2', port: 7, message: 'send ENETUNREACH ::ffff:10.0.0.2:7' });
    const mapped = await bindResult(A.createSocket({ type: 'udp6', ipv6Only: true }), 0, '::ffff:10.0.0.1');
    expect(mapped).toMatchObject({ code: 'EINVAL', message: 'bind EINVAL ::ffff:10.0.0.1' });
    // ipv6Only on a 'udp4' socket: libuv refuses the bind.
    expect(await bindResult(A.createSocket({ type: 'udp4', ipv6Only: true }), 0)).toMatchObject({ code: 'EINVAL', message: 'bind EINVAL 0.0.0.0' });
  });

  it('v4-mapped destinations and binds go over IPv4; a mapped-bound socket cannot reach IPv6 (EAFNOSUPPORT)', async () => {
    const { A, B } = setup();
    const echo4 = B.createSocket('udp4', (msg, rinfo) => echo4.send(msg, rinfo.port, rinfo.address));
    const seen = collect(echo4);
    await bound(echo4, 9);
    const c = A.createSocket('udp6');
    const got = nextMessage(c);
    expect(await sendP(c, 'm', 9, '::ffff:10.0.0.2')).toEqual({ err: null, bytes: 1 });
    expect((await got)[1]).toEqual({ address: '::ffff:10.0.0.2', family: 'IPv6', port: 9, size: 1 });
    expect(seen.from[0].address).toBe('10.0.0.1');
    expect(A.stats().udp.outDatagrams).toBe(1);
    expect(A.stats().udp6.outDatagrams).toBe(0);

    const m = await bound(A.createSocket('udp6'), 0, '::ffff:10.0.0.1');
    expect(m.address().address).toBe('::ffff:10.0.0.1');
    expect((await sendP(m, 'x', 9, 'fd00::2')).err).toMatchObject({ code: 'EAFNOSUPPORT', errno: -97, message: 'send EAFNOSUPPORT fd00::2:9' });
    expect((await sendP(m, 'y', 9, '::ffff:10.0.0.2')).err).toBeNull();
    // Bound to an IPv6 address the socket is v6-only (as __inet6_bind makes it).
    const v6 = await bound(A.createSocket('udp6'), 0, 'fd00::1');
    expect((await sendP(v6, 'z', 9, '::ffff:10.0.0.2')).err).toMatchObject({ code: 'ENETUNREACH' });
    // A mapped address that is not ours: EADDRNOTAVAIL.
    expect(await bindResult(A.createSocket('udp6'), 0, '::ffff:10.9.9.9')).toMatchObject({ code: 'EADDRNOTAVAIL', message: 'bind EADDRNOTAVAIL ::ffff:10.9.9.9' });
  });

  it('connect to a v4-mapped address: addresses shown mapped, the peer heard over IPv4', async () => {
    const { A, B } = setup();
    const echo4 = B.createSocket('udp4', (msg, rinfo) => echo4.send(msg, rinfo.port, rinfo.address));
    await bound(echo4, 9);
    const c = A.createSocket('udp6');
    await new Promise<void>((res) => c.connect(9, '::ffff:10.0.0.2', () => res()));
    expect(c.remoteAddress()).toEqual({ address: '::ffff:10.0.0.2', family: 'IPv6', port: 9 });
    expect(c.address().address).toBe('::ffff:10.0.0.1');
    const got = nextMessage(c);
    c.send('hi');
    expect((await got)[0].toString()).toBe('hi');
    const only = A.createSocket({ type: 'udp6', ipv6Only: true });
    const err = await new Promise<UdpSocketError | undefined>((res) => only.connect(5999, '::ffff:10.0.0.2', res));
    expect(err).toMatchObject({ code: 'ENETUNREACH', syscall: 'connect', message: 'connect ENETUNREACH ::ffff:10.0.0.2:5999' });
  });

  it('compute_score: an IPv4 datagram prefers a udp4 socket to a dual-stack one; exact addresses beat ::', async () => {
    const { A, B } = setup();
    const v4 = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 6000));
    const dual = collect(await bound(B.createSocket({ type: 'udp6', reuseAddr: true }), 6000));
    const exact = collect(await bound(B.createSocket({ type: 'udp6', reuseAddr: true }), 6000, 'fd00::2'));
    A.createSocket('udp4').send('four', 6000, '10.0.0.2');
    A.createSocket('udp6').send('six', 6000, 'fd00::2');
    A.createSocket('udp6').send('ll', 6000, `${LL_B}%ea`);
    await settle();
    expect(v4.msgs).toEqual(['four']);
    expect(exact.msgs).toEqual(['six']);
    expect(dual.msgs).toEqual(['ll']);
  });
});

describe('bind conflicts across families', () => {
  // Linux 6.18 through node:dgram (first bound socket: row; second: column), with 127.0.0.1/::1 in
  // place of the stack's 10.0.0.2/fd00::2. 'udp6only' is { type: 'udp6', ipv6Only: true }.
  const specs: [string, string][] = [
    ['udp4', '0.0.0.0'], ['udp4', '10.0.0.2'], ['udp6', '::'], ['udp6only', '::'],
    ['udp6', 'fd00::2'], ['udp6', '::ffff:10.0.0.2'], ['udp6', '::ffff:0.0.0.0'], ['udp6only', 'fd00::2'],
  ];
  const measured = [
    'INUSE INUSE INUSE ok ok INUSE INUSE ok',
    'INUSE INUSE INUSE ok ok INUSE INUSE ok',
    'INUSE INUSE INUSE INUSE INUSE INUSE INUSE INUSE',
    'ok ok INUSE INUSE INUSE ok ok INUSE',
    'ok ok INUSE INUSE INUSE ok ok INUSE',
    'INUSE INUSE INUSE ok ok INUSE INUSE ok',
    'INUSE INUSE INUSE ok ok INUSE INUSE ok',
    'ok ok INUSE INUSE INUSE ok ok INUSE',
  ];
  const mk = (B: Stack, t: string): UdpSocket =>
    B.createSocket(t === 'udp6only' ? { type: 'udp6', ipv6Only: true } : ({ type: t } as UdpSocketOptions));

  it('every pair as Linux measures it (inet_rcv_saddr_equal / ipv6_rcv_saddr_equal)', async () => {
    const { B } = setup();
    let port = 7100;
    const rows: string[] = [];
    for (const a of specs) {
      const row: string[] = [];
      for (const b of specs) {
        port++;
        const s1 = mk(B, a[0]);
        expect(await bindResult(s1, port, a[1])).toBeNull();
        const s2 = mk(B, b[0]);
        const e = await bindResult(s2, port, b[1]);
        row.push(e === null ? 'ok' : e.code === 'EADDRINUSE' ? 'INUSE' : e.code);
        s1.close();
        s2.close();
      }
      rows.push(row.join(' '));
    }
    expect(rows).toEqual(measured);
  });

  it("Node's messages: bind EADDRINUSE :::53 and 0.0.0.0:53; reuseAddr on both shares the port", async () => {
    const { B } = setup();
    await bound(B.createSocket('udp4'), 53);
    expect(await bindResult(B.createSocket('udp6'), 53)).toMatchObject({
      code: 'EADDRINUSE', errno: -98, syscall: 'bind', address: '::', port: 53, message: 'bind EADDRINUSE :::53',
    });
    await bound(B.createSocket('udp6'), 54);
    expect(await bindResult(B.createSocket('udp4'), 54)).toMatchObject({ message: 'bind EADDRINUSE 0.0.0.0:54' });
    await bound(B.createSocket({ type: 'udp6', reuseAddr: true }), 55);
    expect(await bindResult(B.createSocket({ type: 'udp4', reuseAddr: true }), 55)).toBeNull();
  });
});

describe('zones and link-local addresses', () => {
  it('a link-local sender is shown with the receiving device; bind and connect need a zone', async () => {
    const { A, B } = setup();
    const rx = collect(await bound(B.createSocket('udp6'), 5357));
    const s = A.createSocket('udp6');
    expect((await sendP(s, 'hi', 5357, `${LL_B}%ea`)).err).toBeNull();
    await settle();
    expect(rx.from[0]).toEqual({ address: `${LL_A}%eb`, family: 'IPv6', port: s.address().port, size: 2 });
    // Bound to the link-local with its zone: address() shows the zone.
    const ll = await bound(A.createSocket('udp6'), 0, `${LL_A}%ea`);
    expect(ll.address()).toEqual({ address: `${LL_A}%ea`, family: 'IPv6', port: ll.address().port });
    // No zone (or one naming no device, which if_nametoindex makes 0): EINVAL, as Linux.
    expect(await bindResult(A.createSocket('udp6'), 0, LL_A)).toMatchObject({ code: 'EINVAL', message: `bind EINVAL ${LL_A}` });
    expect(await bindResult(A.createSocket('udp6'), 0, `${LL_A}%nosuch`)).toMatchObject({ code: 'EINVAL' });
    // A zone on a global address is ignored; a link-local of another device is not ours.
    expect(await bindResult(A.createSocket('udp6'), 0, 'fd00::1%ea')).toBeNull();
    expect(await bindResult(A.createSocket('udp6'), 0, 'fe80::99%ea')).toMatchObject({ code: 'EADDRNOTAVAIL', message: 'bind EADDRNOTAVAIL fe80::99%ea' });
    const noZone = A.createSocket('udp6');
    expect(await new Promise((res) => noZone.connect(5999, 'fe80::1', res))).toMatchObject({ code: 'EINVAL', message: 'connect EINVAL fe80::1:5999' });
    const c = A.createSocket('udp6');
    await new Promise<void>((res) => c.connect(5357, `${LL_B}%ea`, () => res()));
    expect(c.remoteAddress()).toEqual({ address: `${LL_B}%ea`, family: 'IPv6', port: 5357 });
    expect(c.address().address).toBe(`${LL_A}%ea`);
    c.send('conn');
    await settle();
    expect(rx.msgs).toEqual(['hi', 'conn']);
  });
});

describe('UDPv6 receive validation and counters', () => {
  it('the checksum is mandatory: zero and bad checksums are dropped and counted, a good one delivered', async () => {
    const { B, eb } = setup();
    const rx = collect(await bound(B.createSocket('udp6'), 5000));
    const icmpOut = B.stats().icmp6.outMsgs;
    eb.receiveFrame(udp6Frame({ dport: 5000, payload: Buffer.from('good') }));
    eb.receiveFrame(udp6Frame({ dport: 5000, payload: Buffer.from('bad'), check: 0x1234 }));
    eb.receiveFrame(udp6Frame({ dport: 5000, payload: Buffer.from('none'), check: 0 }));
    // To a closed port: the same, and no port unreachable.
    eb.receiveFrame(udp6Frame({ dport: 5001, check: 0 }));
    eb.receiveFrame(udp6Frame({ dport: 5001, check: 0x4321 }));
    await settle();
    expect(rx.msgs).toEqual(['good']);
    const st = B.stats().udp6;
    expect(st).toMatchObject({ inDatagrams: 1, inCsumErrors: 4, inErrors: 4, noPorts: 0 });
    expect(st.drops.zeroChecksum).toBe(2);
    expect(B.stats().icmp6.outMsgs).toBe(icmpOut);
    // IPv4 is another MIB: a zero checksum there means "none".
    expect(B.stats().udp.inCsumErrors).toBe(0);
  });

  it('length: too short and inconsistent lengths are InErrors; padding is trimmed; a length of 0 means the whole payload', async () => {
    const { B, eb } = setup();
    const rx = collect(await bound(B.createSocket('udp6'), 5000));
    const f = udp6Frame({ dport: 5000 });
    // 4 bytes of UDP header only.
    const short = Buffer.from(f.subarray(0, ETH_HLEN + 44));
    short.writeUInt16BE(4, ETH_HLEN + 4);
    eb.receiveFrame(short);
    eb.receiveFrame(udp6Frame({ dport: 5000, ulen: 200 }));
    eb.receiveFrame(udp6Frame({ dport: 5000, ulen: 7 }));
    // The UDP length says 9 (one payload byte) inside a longer IPv6 payload: the rest is padding.
    const padded = udp6Frame({ dport: 5000, payload: Buffer.from('p'), pad: 3 });
    eb.receiveFrame(padded);
    // Length 0 with a checksum over the whole payload (the jumbogram rule, taken for any packet).
    const zero = udp6Frame({ dport: 5000, payload: Buffer.from('jumbo-ish'), ulen: 0 });
    const u = zero.subarray(ETH_HLEN + 40);
    u.writeUInt16BE(0, 6);
    u.writeUInt16BE(ipv6UpperCsum(u, 0, u.length, a6('fd00::1'), 0, a6('fd00::2'), 0, 17) || 0xffff, 6);
    eb.receiveFrame(zero);
    await settle();
    expect(rx.msgs).toEqual(['p', 'jumbo-ish']);
    const st = B.stats().udp6;
    expect(st).toMatchObject({ inErrors: 3, inDatagrams: 2, inCsumErrors: 0 });
    expect(st.drops).toMatchObject({ tooShort: 1, badLength: 2 });
  });

  it('a full receive buffer drops and counts Udp6RcvbufErrors', async () => {
    const { A, B } = setup();
    const s = B.createSocket({ type: 'udp6', recvBufferSize: 1 });
    const rx = collect(s);
    await bound(s, 5000);
    const c = A.createSocket('udp6');
    for (let i = 0; i < 5; i++) c.send(Buffer.alloc(1000), 5000, 'fd00::2');
    await settle();
    const st = B.stats().udp6;
    // SO_RCVBUF 4608: the first few fit (a datagram is let in while the queue is at or below it).
    expect(rx.msgs.length + st.rcvbufErrors).toBe(5);
    expect(st.rcvbufErrors).toBeGreaterThan(0);
    expect(st.inErrors).toBe(st.rcvbufErrors);
  });
});

describe('errors reaching the sender', () => {
  it('a closed port: Udp6NoPorts and ICMPv6 port unreachable, ECONNREFUSED at the sender (Node\'s message)', async () => {
    const { A, B } = setup();
    const s = await bound(A.createSocket('udp6'), 4444);
    const err = nextError(s);
    expect((await sendP(s, 'anyone?', 9, 'fd00::2')).err).toBeNull();
    const e = await err;
    expect(e).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'recvmsg', address: 'fd00::2', port: 9, message: 'recvmsg ECONNREFUSED' });
    expect(B.stats().udp6.noPorts).toBe(1);
    expect(B.stats().icmp6.outDestUnreachs).toBe(1);
    expect(A.stats().icmp6.inDestUnreachs).toBe(1);
    expect(A.stats().icmp6.inErrors).toBe(0);
    // A connected socket gets it too.
    const c = A.createSocket('udp6');
    await new Promise<void>((res) => c.connect(9, 'fd00::2', () => res()));
    const cerr = nextError(c);
    c.send('x');
    expect((await cerr).code).toBe('ECONNREFUSED');
  });

  it('port unreachable is rate limited per peer (net.ipv6.icmp.ratelimit scaled by the /64 route: 6 at once, then one per 250 ms)', async () => {
    const { A, B, clock } = setup();
    const s = await bound(A.createSocket('udp6'));
    const errors: UdpSocketError[] = [];
    s.on('error', (e) => errors.push(e));
    for (let i = 0; i < 8; i++) s.send('x', 9, 'fd00::2');
    await settle();
    expect(B.stats().udp6.noPorts).toBe(8);
    expect(B.stats().icmp6.outDestUnreachs).toBe(6);
    expect(B.stats().icmp6.outRateLimitHost).toBe(2);
    expect(errors).toHaveLength(6);
    clock.advance(250);
    s.send('x', 9, 'fd00::2');
    await settle();
    expect(B.stats().icmp6.outDestUnreachs).toBe(7);
  });

  it('packet too big: EMSGSIZE on the socket and a path MTU for the destination (later sends above it are EMSGSIZE)', async () => {
    const { A, B, ea } = setup();
    await bound(B.createSocket('udp6'), 9999);
    const s = await bound(A.createSocket('udp6'), 4000);
    const errors: UdpSocketError[] = [];
    s.on('error', (e) => errors.push(e));
    expect((await sendP(s, Buffer.alloc(1400), 9999, 'fd00::2')).err).toBeNull();
    const sent = udp6Sent(ea.sent).pop()!;
    // A router (here: B's address) says 1280.
    const quoted = sent.subarray(ETH_HLEN, ETH_HLEN + 1000);
    const icmp = Buffer.alloc(8 + quoted.length);
    icmp[0] = 2;
    icmp.writeUInt32BE(1280, 4);
    quoted.copy(icmp, 8);
    icmp6FillChecksum(icmp, 0, icmp.length, a6('fd00::2'), 0, a6('fd00::1'), 0);
    const f = Buffer.alloc(ETH_HLEN + 40 + icmp.length);
    emitEthHeader(f, 0, MAC_A, 0, MAC_B, 0, ETH_P_IPV6);
    writeIpv6Header(f, ETH_HLEN, 0, 0, icmp.length, 58, 64, a6('fd00::2'), 0, a6('fd00::1'), 0);
    icmp.copy(f, ETH_HLEN + 40);
    ea.receiveFrame(f);
    await settle();
    expect(errors.map((e) => [e.code, e.address, e.port])).toEqual([['EMSGSIZE', 'fd00::2', 9999]]);
    expect(A.inet6.fib.lookup(a6('fd00::2'), 0, null)?.mtu).toBe(1280);
    expect((await sendP(s, Buffer.alloc(1400), 9999, 'fd00::2')).err).toMatchObject({ code: 'EMSGSIZE', message: 'send EMSGSIZE fd00::2:9999' });
    expect((await sendP(s, Buffer.alloc(1232), 9999, 'fd00::2')).err).toBeNull();
  });

  it('a next hop that never answers neighbour solicitations: EHOSTUNREACH about the datagram', async () => {
    const { A, clock } = setup();
    const s = await bound(A.createSocket('udp6'));
    const errors: UdpSocketError[] = [];
    s.on('error', (e) => errors.push(e));
    expect((await sendP(s, 'x', 5000, 'fd00::77')).err).toBeNull();
    clock.advance(4000);
    await settle();
    expect(errors.map((e) => [e.code, e.syscall, e.address, e.port])).toEqual([['EHOSTUNREACH', 'recvmsg', 'fd00::77', 5000]]);
  });
});

describe('multicast', () => {
  it('ff02::1 reaches every socket on the port bound to ::, not one bound to a unicast address; hop limit 1, then IPV6_MULTICAST_HOPS', async () => {
    const { A, B, ea } = setup();
    const wild = collect(await bound(B.createSocket({ type: 'udp6', reuseAddr: true }), 5000));
    const wild2 = collect(await bound(B.createSocket({ type: 'udp6', reuseAddr: true }), 5000));
    const uni = collect(await bound(B.createSocket({ type: 'udp6', reuseAddr: true }), 5000, 'fd00::2'));
    const s = await bound(A.createSocket('udp6'));
    expect((await sendP(s, 'all', 5000, 'ff02::1%ea')).err).toBeNull();
    await settle();
    expect(wild.msgs).toEqual(['all']);
    expect(wild2.msgs).toEqual(['all']);
    expect(uni.msgs).toEqual([]);
    // Source selection picks the link-local for a link-scope group (RFC 6724 rule 2), shown with its zone.
    expect(wild.from[0].address).toBe(`${LL_A}%eb`);
    expect(udp6Sent(ea.sent).pop()![ETH_HLEN + 7]).toBe(1);
    expect(s.setMulticastTTL(5)).toBe(5);
    s.send('again', 5000, 'ff02::1%ea');
    expect(udp6Sent(ea.sent).pop()![ETH_HLEN + 7]).toBe(5);
    // Nobody on the port: Udp6IgnoredMulti, never an ICMPv6 error.
    const icmpOut = B.stats().icmp6.outMsgs;
    s.send('void', 5999, 'ff02::1%ea');
    await settle();
    expect(B.stats().udp6.ignoredMulti).toBe(1);
    expect(B.stats().udp6.noPorts).toBe(0);
    expect(B.stats().icmp6.outMsgs).toBe(icmpOut);
    // setMulticastInterface('::%ea') picks the device for a destination without a zone.
    s.setMulticastInterface('::%ea');
    expect((await sendP(s, 'iface', 5000, 'ff02::1')).err).toBeNull();
    await settle();
    expect(wild.msgs).toEqual(['all', 'again', 'iface']);
  });

  it('addMembership joins the group on the device (MLD report), dropMembership leaves it; close leaves the rest', async () => {
    const { A, B, clock } = setup();
    const r = B.createSocket('udp6');
    const rx = collect(r);
    await bound(r, 5000);
    const s = await bound(A.createSocket('udp6'));
    s.send('before', 5000, 'ff02::1:2:3%ea');
    await settle();
    expect(rx.msgs).toEqual([]);
    expect(B.stats().ip6.drops.mcastNotJoined).toBeGreaterThan(0);
    const reports = B.stats().mld.txReports;
    r.addMembership('ff02::1:2:3', '::%eb');
    expect(() => r.addMembership('ff02::1:2:3')).toThrow(expect.objectContaining({ code: 'EADDRINUSE', syscall: 'addMembership', message: 'addMembership EADDRINUSE' }));
    clock.advance(2000);
    expect(B.stats().mld.txReports).toBeGreaterThan(reports);
    s.send('member', 5000, 'ff02::1:2:3%ea');
    await settle();
    expect(rx.msgs).toEqual(['member']);
    r.dropMembership('ff02::1:2:3');
    expect(() => r.dropMembership('ff02::1:2:3')).toThrow(expect.objectContaining({ code: 'EADDRNOTAVAIL', message: 'dropMembership EADDRNOTAVAIL' }));
    s.send('after', 5000, 'ff02::1:2:3%ea');
    await settle();
    expect(rx.msgs).toEqual(['member']);
    expect(() => r.addMembership('fd00::1')).toThrow(expect.objectContaining({ code: 'EINVAL', message: 'addMembership EINVAL' }));
    expect(() => r.addMembership('ff02::1:2:3', 'eb')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => r.addMembership('224.1.1.1')).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
    expect(() => (r as unknown as { dropMembership(): void }).dropMembership()).toThrow(
      expect.objectContaining({ code: 'ERR_MISSING_ARGS', message: 'The "multicastAddress" argument must be specified' }),
    );
    r.addMembership('ff02::1:2:4');
    const idev = B.inet6.devices()[0];
    expect(idev.mc.has(a6('ff02::1:2:4'), 0)).toBe(true);
    r.close();
    expect(idev.mc.has(a6('ff02::1:2:4'), 0)).toBe(false);
  });

  it('addMembership on an unbound socket binds it (libuv deferred bind): bind() then fails with EINVAL, as in Node', async () => {
    const { B } = setup();
    const r = B.createSocket('udp6');
    r.addMembership('ff02::1:2:5', '::%eb');
    expect(r.address()).toEqual({ address: '::', family: 'IPv6', port: r.address().port });
    expect(r.address().port).toBeGreaterThan(0);
    expect(await bindResult(r, 7300)).toMatchObject({ code: 'EINVAL', message: 'bind EINVAL :::7300' });
  });
});

describe('socket API and state', () => {
  it('setTTL sets the unicast hop limit; multicast options as Node checks them', async () => {
    const { A, ea } = setup();
    const s = A.createSocket('udp6');
    expect(() => s.setTTL(5)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'setTTL', message: 'setTTL EBADF' }));
    expect(() => s.setMulticastTTL(2)).toThrow(expect.objectContaining({ code: 'EBADF', message: 'setMulticastTTL EBADF' }));
    expect(() => s.setMulticastLoopback(false)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => s.setMulticastInterface('::%ea')).toThrow(expect.objectContaining({ code: 'EBADF', message: 'setMulticastInterface EBADF' }));
    await bound(s);
    expect(s.setTTL(9)).toBe(9);
    expect(() => s.setTTL(0)).toThrow(expect.objectContaining({ code: 'EINVAL', message: 'setTTL EINVAL' }));
    expect(() => s.setTTL(256)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    s.send('x', 5000, 'fd00::2');
    expect(udp6Sent(ea.sent).pop()![ETH_HLEN + 7]).toBe(9);
    expect(s.setMulticastTTL(0)).toBe(0);
    expect(() => s.setMulticastTTL(256)).toThrow(expect.objectContaining({ code: 'EINVAL', message: 'setMulticastTTL EINVAL' }));
    expect(() => s.setMulticastTTL('3' as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: 'The "ttl" argument must be of type number. Received type string (\'3\')' }));
    expect(s.setMulticastLoopback(false)).toBe(false);
    expect(() => s.setMulticastLoopback(true)).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP', syscall: 'setMulticastLoopback' }));
    expect(() => s.setMulticastInterface('ea')).toThrow(expect.objectContaining({ code: 'EINVAL', message: 'setMulticastInterface EINVAL' }));
    s.setMulticastInterface('::%nosuch');
    s.setMulticastInterface('::');
    s.setBroadcast(true);
    const v4 = await bound(A.createSocket('udp4'));
    expect(v4.setMulticastTTL(3)).toBe(3);
    expect(() => v4.setMulticastInterface('10.0.0.1')).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
  });

  it("send and bind errors with Node's codes and messages", async () => {
    const { A } = setup();
    const s = await bound(A.createSocket('udp6'));
    expect((await sendP(s, 'x', 7, '10.0.0.2')).err).toMatchObject({ code: 'EINVAL', errno: -22, message: 'send EINVAL 10.0.0.2:7' });
    expect((await sendP(s, 'x', 7, '2001:db8::1')).err).toMatchObject({ code: 'ENETUNREACH', message: 'send ENETUNREACH 2001:db8::1:7' });
    // Node's default address is ::1, and :: means ::1 too: the stack has no loopback device.
    expect(await new Promise((res) => s.send('x', 7, (err) => res(err)))).toMatchObject({ code: 'ENETUNREACH', message: 'send ENETUNREACH ::1:7' });
    expect((await sendP(s, 'x', 7, '::')).err).toMatchObject({ code: 'ENETUNREACH' });
    expect((await sendP(s, Buffer.alloc(65528), 7, 'fd00::2')).err).toMatchObject({ code: 'EMSGSIZE', message: 'send EMSGSIZE fd00::2:7' });
    // Beyond the link MTU (1500 - 40 - 8): EMSGSIZE, nothing is fragmented.
    expect((await sendP(s, Buffer.alloc(1452), 7, 'fd00::2')).err).toBeNull();
    expect((await sendP(s, Buffer.alloc(1453), 7, 'fd00::2')).err).toMatchObject({ code: 'EMSGSIZE' });
    const v4 = await bound(A.createSocket('udp4'));
    expect((await sendP(v4, 'x', 7, 'fd00::2')).err).toMatchObject({ code: 'EINVAL', message: 'send EINVAL fd00::2:7' });
    expect(await bindResult(A.createSocket('udp6'), 0, '10.0.0.1')).toMatchObject({ code: 'EINVAL', message: 'bind EINVAL 10.0.0.1' });
    expect(await bindResult(A.createSocket('udp4'), 0, 'fd00::1')).toMatchObject({ code: 'EINVAL', message: 'bind EINVAL fd00::1' });
    expect(await bindResult(A.createSocket('udp6'), 0, 'fd00::99')).toMatchObject({ code: 'EADDRNOTAVAIL', errno: -99, message: 'bind EADDRNOTAVAIL fd00::99' });
    expect(await bindResult(A.createSocket('udp6'), 0, 'ff02::1')).toMatchObject({ code: 'EINVAL', message: 'bind EINVAL ff02::1' });
    const g = await bound(A.createSocket('udp6'), 0, 'ff02::1%ea');
    expect(g.address().address).toBe('ff02::1%ea');
    // A connected socket's send errors name no destination (Node passes none).
    const c = A.createSocket('udp6');
    await new Promise<void>((res) => c.connect(7, 'fd00::2', () => res()));
    expect(await new Promise((res) => c.send(Buffer.alloc(70000), (err) => res(err)))).toMatchObject({ code: 'EMSGSIZE', message: 'send EMSGSIZE' });
  });

  it('connect: source chosen, peer only, ENETUNREACH without a route; disconnect gives back the implicit port', async () => {
    const { A, B } = setup();
    const peer = collect(await bound(B.createSocket('udp6'), 7000));
    const stranger = await bound(B.createSocket('udp6'), 7001);
    const c = A.createSocket('udp6');
    const rx = collect(c);
    await new Promise<void>((res) => c.connect(7000, 'fd00::2', () => res()));
    expect(c.remoteAddress()).toEqual({ address: 'fd00::2', family: 'IPv6', port: 7000 });
    expect(c.address().address).toBe('fd00::1');
    c.send('hi');
    await settle();
    expect(peer.msgs).toEqual(['hi']);
    const port = c.address().port;
    stranger.send('psst', port, 'fd00::1');
    await settle();
    expect(rx.msgs).toEqual([]);
    expect(A.stats().udp6.noPorts).toBe(1);
    c.disconnect();
    expect(c.address()).toEqual({ address: '::', family: 'IPv6', port: 0 });
    // Bound explicitly, the port stays.
    const b = await bound(A.createSocket('udp6'), 6001);
    await new Promise<void>((res) => b.connect(7000, 'fd00::2', () => res()));
    b.disconnect();
    expect(b.address()).toEqual({ address: '::', family: 'IPv6', port: 6001 });
    const n = A.createSocket('udp6');
    expect(await new Promise((res) => n.connect(9, '2001:db8::1', res))).toMatchObject({ code: 'ENETUNREACH', syscall: 'connect', message: 'connect ENETUNREACH 2001:db8::1:9' });
  });

  it('createSocket types, close and stack.close()', async () => {
    const { A } = setup();
    expect(() => A.createSocket('udp7' as 'udp6')).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_TYPE', message: 'Bad socket type specified. Valid types are: udp4, udp6' }));
    const s = await bound(A.createSocket('udp6'), 5353);
    const s4 = await bound(A.createSocket({ type: 'udp6', ipv6Only: true }), 5354);
    expect(udpv6(A.inet6).sockets()).toHaveLength(2);
    s.close();
    await once(s, 'close');
    expect(udpv6(A.inet6).sockets()).toHaveLength(1);
    // The port is free at once, for either family.
    expect(await bindResult(A.createSocket('udp4'), 5353)).toBeNull();
    await A.close();
    expect(udpv6(A.inet6).sockets()).toHaveLength(0);
    expect(() => s4.address()).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }));
  });
});

/** A's recorded frames (setup() records both ends). */
function setupFrames(A: Stack): Buffer[] {
  const dev = A.net.deviceList.find((d) => d.name === 'ea') as unknown as { sent: Buffer[] };
  return dev.sent;
}
