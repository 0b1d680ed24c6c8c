// UDP (src/ipv4/udp.ts) and its node:dgram-style sockets (src/socket/dgram.ts), between two
// stacks over an in-memory pair with a manual clock: echo, port demultiplexing, broadcast,
// checksum and length validation with their counters, ICMP port unreachable and neighbour
// failure reaching the sender, and Node's argument and state errors.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ETH_HLEN, ETH_P_IP, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { csumFold, csumPartial } from '../../src/core/checksum.js';
import { udpPseudoSum } from '../../src/ipv4/checksum.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { finishIcmpChecksum, writeIcmpHeader } from '../../src/ipv4/icmphdr.js';
import { writeIpHeader } from '../../src/ipv4/iphdr.js';
import type { UdpRemoteInfo, UdpSocket, UdpSocketError } from '../../src/socket/dgram.js';
import { MAC_01, MAC_02, TwoStacks, closeStacks, twoStacks } from '../helpers/two_stacks.js';

const MAC_A = MAC_01;
const MAC_B = MAC_02;
const BCAST = Buffer.alloc(6, 0xff);
const ip = (s: string): number => parseIPv4(s)!;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
  await closeStacks();
});

type Env = TwoStacks;

/** A 10.0.0.1/24 on ea, B 10.0.0.2/24 on eb, wired together (synchronous delivery). */
function setup(): Env {
  return twoStacks({ macs: [MAC_A, MAC_B], randomB: () => 0.25 });
}

/** Resolves with the next 'message' of a socket. */
const nextMessage = async (s: UdpSocket): Promise<[Buffer, UdpRemoteInfo]> => (await once(s, 'message')) as [Buffer, UdpRemoteInfo];
const nextError = async (s: UdpSocket): Promise<UdpSocketError> => (await once(s, 'error'))[0] as UdpSocketError;
/** Lets setImmediate/nextTick work (message delivery, events) run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r)));

/** Collects every message a socket emits. */
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

/** A UDP datagram in an Ethernet frame to B, with the checksum computed unless given. */
function udpFrame(o: {
  saddr?: string; daddr?: string; sport?: number; dport: number; payload?: Buffer; check?: number; ulen?: number; dstMac?: Buffer; cut?: number;
}): Buffer {
  const payload = o.payload ?? Buffer.from('payload');
  const ulen = 8 + payload.length;
  const saddr = ip(o.saddr ?? '10.0.0.1');
  const daddr = ip(o.daddr ?? '10.0.0.2');
  const u = Buffer.alloc(ulen);
  u.writeUInt16BE(o.sport ?? 4000, 0);
  u.writeUInt16BE(o.dport, 2);
  u.writeUInt16BE(ulen, 4);
  payload.copy(u, 8);
  const sum = csumFold(csumPartial(u, 0, ulen, udpPseudoSum(saddr, daddr, 17, ulen))) || 0xffff;
  u.writeUInt16BE(o.check ?? sum, 6);
  if (o.ulen !== undefined) u.writeUInt16BE(o.ulen, 4);
  const body = o.cut !== undefined ? u.subarray(0, o.cut) : u;
  const f = Buffer.alloc(ETH_HLEN + 20 + body.length);
  emitEthHeader(f, 0, o.dstMac ?? MAC_B, 0, MAC_A, 0, ETH_P_IP);
  writeIpHeader(f, ETH_HLEN, 0, 20 + body.length, 1, 0, 64, 17, saddr, daddr);
  body.copy(f, ETH_HLEN + 20);
  return f;
}

describe('UDP between two stacks', () => {
  it('echoes a datagram: message, rinfo, send callback, counters', async () => {
    const { A, B } = setup();
    const echo = B.createSocket('udp4', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
    await bound(echo, 7);
    expect(echo.address()).toEqual({ address: '0.0.0.0', family: 'IPv4', port: 7 });
    const c = A.createSocket({ type: 'udp4' });
    const got = nextMessage(c);
    const r = await sendP(c, 'hello', 7, '10.0.0.2');
    expect(r).toEqual({ err: null, bytes: 5 });
    const [msg, rinfo] = await got;
    expect(msg.toString()).toBe('hello');
    expect(rinfo).toEqual({ address: '10.0.0.2', family: 'IPv4', port: 7, size: 5 });
    // The implicit bind picked an ephemeral port from ip_local_port_range.
    const port = c.address().port;
    expect(port).toBeGreaterThanOrEqual(32768);
    expect(port).toBeLessThanOrEqual(60999);
    expect(A.inet.udp.stats).toMatchObject({ outDatagrams: 1, inDatagrams: 1, inErrors: 0, noPorts: 0 });
    expect(B.inet.udp.stats).toMatchObject({ outDatagrams: 1, inDatagrams: 1, inErrors: 0, noPorts: 0 });
  });

  it('sends strings, Buffers, Uint8Arrays, arrays and (offset, length) slices; empty datagrams too', async () => {
    const { A, B } = setup();
    const rx = collect(await bound(B.createSocket('udp4'), 9000));
    const s = A.createSocket('udp4');
    s.send('str', 9000, '10.0.0.2');
    s.send(new Uint8Array([0x75, 0x38]), 9000, '10.0.0.2');
    s.send(['a', Buffer.from('b'), new Uint8Array([0x63])], 9000, '10.0.0.2');
    s.send(Buffer.from('0123456789'), 2, 3, 9000, '10.0.0.2');
    s.send('', 9000, '10.0.0.2');
    await settle();
    expect(rx.msgs).toEqual(['str', 'u8', 'abc', '234', '']);
    expect(rx.from.map((f) => f.size)).toEqual([3, 2, 3, 3, 0]);
  });

  it('an exact local address beats the wildcard; distinct addresses share a port; connected beats unconnected', async () => {
    const { A, B, eb } = setup();
    B.addAddress(eb, '10.0.0.3/24');
    // 0.0.0.0:5000 and 10.0.0.3:5000 clash unless both set SO_REUSEADDR.
    const exact = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 5000, '10.0.0.3'));
    const wild = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 5000));
    const s = A.createSocket('udp4');
    s.send('to-3', 5000, '10.0.0.3');
    s.send('to-2', 5000, '10.0.0.2');
    await settle();
    expect(exact.msgs).toEqual(['to-3']);
    expect(wild.msgs).toEqual(['to-2']);

    // Without SO_REUSEADDR: two unicast addresses may share a port, the wildcard may not join them.
    const s2 = collect(await bound(B.createSocket('udp4'), 6000, '10.0.0.2'));
    const s3 = collect(await bound(B.createSocket('udp4'), 6000, '10.0.0.3'));
    const w = B.createSocket('udp4');
    w.bind(6000);
    expect((await nextError(w)).code).toBe('EADDRINUSE');
    s.send('six-2', 6000, '10.0.0.2');
    s.send('six-3', 6000, '10.0.0.3');
    await settle();
    expect(s2.msgs).toEqual(['six-2']);
    expect(s3.msgs).toEqual(['six-3']);

    // compute_score: a socket connected to the sender wins over an unconnected one on the same port.
    const peerA = await bound(A.createSocket('udp4'), 7100);
    const other = await bound(A.createSocket('udp4'), 7200);
    const plain = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 7000));
    const conn = B.createSocket({ type: 'udp4', reuseAddr: true });
    const connRx = collect(conn);
    await bound(conn, 7000);
    conn.connect(7100, '10.0.0.1');
    await once(conn, 'connect');
    peerA.send('from-7100', 7000, '10.0.0.2');
    other.send('from-7200', 7000, '10.0.0.2');
    await settle();
    expect(connRx.msgs).toEqual(['from-7100']);
    expect(plain.msgs).toEqual(['from-7200']);
  });

  it('SO_REUSEADDR: unicast goes to the most recently bound socket', async () => {
    const { A, B } = setup();
    const first = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 5353));
    const second = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 5353));
    A.createSocket('udp4').send('x', 5353, '10.0.0.2');
    await settle();
    expect(second.msgs).toEqual(['x']);
    expect(first.msgs).toEqual([]);
  });

  it('broadcast: EACCES without setBroadcast; then every wildcard socket on the port gets it, the sender too', async () => {
    const { A, B } = setup();
    const rxWild = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 6767));
    const rxWild2 = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 6767));
    // A socket bound to a unicast address does not see broadcasts (__udp_is_mcast_sock).
    const rxUnicast = collect(await bound(B.createSocket({ type: 'udp4', reuseAddr: true }), 6767, '10.0.0.2'));
    const s = await bound(A.createSocket('udp4'), 6767);
    const own = collect(s);
    const r1 = await sendP(s, 'nope', 6767, '10.0.0.255');
    expect(r1.err).toMatchObject({ code: 'EACCES', errno: -13, syscall: 'send', address: '10.0.0.255', port: 6767 });
    expect(r1.err?.message).toBe('send EACCES 10.0.0.255:6767');
    s.setBroadcast(true);
    expect(await sendP(s, 'all', 6767, '10.0.0.255')).toEqual({ err: null, bytes: 3 });
    await settle();
    expect(rxWild.msgs).toEqual(['all']);
    expect(rxWild2.msgs).toEqual(['all']);
    expect(rxUnicast.msgs).toEqual([]);
    // Linux loops a broadcast back to the sending host (ip_mc_output).
    expect(own.msgs).toEqual(['all']);
    expect(own.from[0]).toMatchObject({ address: '10.0.0.1', port: 6767 });
    expect(B.inet.udp.stats.inDatagrams).toBe(2);

    // 255.255.255.255 leaves by the device of the bound address, to the broadcast MAC.
    const lb = await bound(A.createSocket('udp4'), 0, '10.0.0.1');
    lb.setBroadcast(true);
    expect((await sendP(lb, 'limited', 6767, '255.255.255.255')).err).toBeNull();
    await settle();
    expect(rxWild.msgs).toEqual(['all', 'limited']);
    // Without a bound address or a default route there is no way out (as in Linux).
    const nb = await bound(A.createSocket('udp4'));
    nb.setBroadcast(true);
    expect((await sendP(nb, 'x', 6767, '255.255.255.255')).err?.code).toBe('ENETUNREACH');

    // A broadcast to a port nobody listens on: IgnoredMulti, never an ICMP error.
    const icmpOut = B.inet.icmp.stats.outMsgs;
    expect((await sendP(s, 'void', 6868, '10.0.0.255')).err).toBeNull();
    await settle();
    expect(B.inet.udp.stats.ignoredMulti).toBe(1);
    expect(B.inet.udp.stats.noPorts).toBe(0);
    expect(B.inet.icmp.stats.outMsgs).toBe(icmpOut);
  });

  it('connect to a broadcast address needs setBroadcast too (EACCES)', async () => {
    const { A } = setup();
    const s = await bound(A.createSocket('udp4'));
    const err = await new Promise<UdpSocketError | undefined>((res) => s.connect(9, '10.0.0.255', res));
    expect(err).toMatchObject({ code: 'EACCES', syscall: 'connect', address: '10.0.0.255', port: 9 });
    s.setBroadcast(true);
    expect(await new Promise((res) => s.connect(9, '10.0.0.255', res))).toBeUndefined();
  });
});

describe('UDP receive validation and counters', () => {
  it('a bad checksum is dropped and counted; a zero checksum means none and is accepted', async () => {
    const { B, eb } = setup();
    const rx = collect(await bound(B.createSocket('udp4'), 5000));
    eb.receiveFrame(udpFrame({ dport: 5000, payload: Buffer.from('good') }));
    eb.receiveFrame(udpFrame({ dport: 5000, payload: Buffer.from('bad'), check: 0x1234 }));
    eb.receiveFrame(udpFrame({ dport: 5000, payload: Buffer.from('none'), check: 0 }));
    // A bad checksum to a closed port is dropped silently: no NoPorts, no ICMP.
    eb.receiveFrame(udpFrame({ dport: 5001, check: 0x4321 }));
    await settle();
    expect(rx.msgs).toEqual(['good', 'none']);
    expect(B.inet.udp.stats).toMatchObject({ inDatagrams: 2, inCsumErrors: 2, inErrors: 2, noPorts: 0 });
    expect(B.inet.icmp.stats.outDestUnreachs).toBe(0);
  });

  it('a checksum that computes to 0 is sent as 0xffff and accepted', async () => {
    const { A, B, ea } = setup();
    const rx = collect(await bound(B.createSocket('udp4'), 5000));
    const s = await bound(A.createSocket('udp4'), 4000);
    // Two payload bytes chosen so that the ones' complement sum is 0xffff (checksum 0).
    const ulen = 10;
    const base = Buffer.alloc(ulen);
    base.writeUInt16BE(4000, 0);
    base.writeUInt16BE(5000, 2);
    base.writeUInt16BE(ulen, 4);
    const partial = csumPartial(base, 0, ulen, udpPseudoSum(ip('10.0.0.1'), ip('10.0.0.2'), 17, ulen));
    const w = 0xffff - partial;
    const payload = Buffer.from([w >>> 8, w & 0xff]);
    ea.record = true;
    s.send(payload, 5000, '10.0.0.2');
    await settle();
    const f = ea.sent.find((x) => x.readUInt16BE(12) === ETH_P_IP && x[23] === 17)!;
    expect(f.readUInt16BE(ETH_HLEN + 20 + 6)).toBe(0xffff);
    expect(rx.from).toHaveLength(1);
    expect(B.inet.udp.stats.inCsumErrors).toBe(0);
  });

  it('short, truncated and over-long length fields are InErrors; link padding past the UDP length is trimmed', async () => {
    const { B, eb } = setup();
    const rx = collect(await bound(B.createSocket('udp4'), 5000));
    eb.receiveFrame(udpFrame({ dport: 5000, cut: 4 })); // 4 bytes of UDP header
    eb.receiveFrame(udpFrame({ dport: 5000, ulen: 200, check: 0 })); // claims more than the packet holds
    eb.receiveFrame(udpFrame({ dport: 5000, ulen: 7, check: 0 })); // below the header size
    eb.receiveFrame(udpFrame({ dport: 5000, payload: Buffer.from('abcdef'), ulen: 11, check: 0 })); // 3 bytes of payload, 3 of padding
    await settle();
    expect(rx.msgs).toEqual(['abc']);
    expect(B.inet.udp.stats).toMatchObject({ inErrors: 3, inDatagrams: 1, noPorts: 0, inCsumErrors: 0 });
    expect(B.inet.udp.stats.drops).toMatchObject({ tooShort: 1, badLength: 2 });
    // Every one of them reached UDP: IPv4 delivered all four.
    expect(B.inet.stats.inDelivers).toBe(4);
    expect(B.inet.stats.inUnknownProtos).toBe(0);
  });

  it('a full receive buffer drops and counts RcvbufErrors (and InErrors)', async () => {
    const { B, eb } = setup();
    const s = await bound(B.createSocket({ type: 'udp4', recvBufferSize: 1 }), 5000);
    expect(s.getRecvBufferSize()).toBe(4608);
    const rx = collect(s);
    // Arrivals within one turn of the event loop queue up before any is emitted.
    for (let i = 0; i < 10; i++) eb.receiveFrame(udpFrame({ dport: 5000, payload: Buffer.alloc(1000, 0x41 + i) }));
    await settle();
    const st = B.inet.udp.stats;
    expect(st.rcvbufErrors).toBeGreaterThan(0);
    expect(rx.msgs.length + st.rcvbufErrors).toBe(10);
    expect(st.inErrors).toBe(st.rcvbufErrors);
    expect(st.inDatagrams).toBe(rx.msgs.length);
    s.setRecvBufferSize(1 << 20);
    expect(s.getRecvBufferSize()).toBe(2 * 212992);
  });

  it('datagrams still queued when the socket closes are counted', async () => {
    const { B, eb } = setup();
    const s = await bound(B.createSocket('udp4'), 5000);
    const rx = collect(s);
    eb.receiveFrame(udpFrame({ dport: 5000 }));
    eb.receiveFrame(udpFrame({ dport: 5000 }));
    s.close();
    await settle();
    expect(rx.msgs).toEqual([]);
    expect(B.inet.udp.stats.drops.closedQueue).toBe(2);
    expect(B.inet.udp.stats.inDatagrams).toBe(0);
  });
});

describe('errors reaching the sender', () => {
  it('a closed port: NoPorts and ICMP port unreachable at the receiver, ECONNREFUSED at the sender', async () => {
    const { A, B } = setup();
    const s = await bound(A.createSocket('udp4'), 4444);
    const err = nextError(s);
    expect((await sendP(s, 'anyone?', 9, '10.0.0.2')).err).toBeNull();
    const e = await err;
    expect(e).toMatchObject({ code: 'ECONNREFUSED', errno: -111, syscall: 'recvmsg', address: '10.0.0.2', port: 9 });
    // Node's ErrnoException text (no address in the message); the destination is in the properties.
    expect(e.message).toBe('recvmsg ECONNREFUSED');
    expect(B.inet.udp.stats.noPorts).toBe(1);
    expect(B.inet.icmp.stats.outDestUnreachs).toBe(1);
    expect(A.inet.icmp.stats.inDestUnreachs).toBe(1);
    expect(A.inet.icmp.stats.inErrors).toBe(0);
  });

  it('a connected socket gets ECONNREFUSED the same way; without an error listener nothing is thrown', async () => {
    const { A } = setup();
    const c = A.createSocket('udp4');
    c.connect(9, '10.0.0.2');
    await once(c, 'connect');
    const err = nextError(c);
    c.send('x');
    expect((await err).code).toBe('ECONNREFUSED');
    // No listener: dropped (the socket keeps working).
    const quiet = await bound(A.createSocket('udp4'));
    quiet.send('x', 9, '10.0.0.2');
    await settle();
    expect(A.inet.icmp.stats.inDestUnreachs).toBe(2);
  });

  it('an ICMP error about a datagram no socket sent any more is counted in icmp.inErrors', async () => {
    const { A, B, ea, eb } = setup();
    const s = await bound(A.createSocket('udp4'));
    // B's side of the wire holds its frames: the ARP reply (delivered), then the ICMP error.
    eb.deferred = true;
    s.send('x', 9, '10.0.0.2');
    for (const f of eb.pending.splice(0)) ea.receiveFrame(f);
    expect(eb.pending).toHaveLength(1);
    s.close();
    eb.deliverPending();
    await settle();
    expect(B.inet.icmp.stats.outDestUnreachs).toBe(1);
    expect(A.inet.icmp.stats.inErrors).toBe(1);
  });

  it('ICMP errors from a router map as icmp_err_convert does; source quench is ignored; a mangled quote is icmp.inErrors', async () => {
    const { A, ea } = setup();
    const s = await bound(A.createSocket('udp4'), 4000);
    const errors: UdpSocketError[] = [];
    s.on('error', (e: UdpSocketError) => errors.push(e));
    // A host that exists only as a static entry: B drops the frame (not its MAC), nobody answers.
    A.neighAdd({ dst: '10.0.0.50', dev: 'ea', lladdr: '02:00:00:00:00:50' });
    ea.record = true;
    s.send('probe', 33434, '10.0.0.50');
    await settle();
    const sent = ea.sent.find((x) => x.readUInt16BE(12) === ETH_P_IP && x[23] === 17)!;
    const quote = sent.subarray(ETH_HLEN, ETH_HLEN + 28);
    const icmpFrom = (type: number, code: number, q: Buffer = quote): Buffer => {
      const f = Buffer.alloc(ETH_HLEN + 20 + 8 + q.length);
      emitEthHeader(f, 0, MAC_A, 0, MAC_B, 0, ETH_P_IP);
      writeIpHeader(f, ETH_HLEN, 0xc0, 20 + 8 + q.length, 7, 0, 64, 1, ip('10.0.0.2'), ip('10.0.0.1'));
      writeIcmpHeader(f, ETH_HLEN + 20, type, code, code === 4 ? 1400 : 0);
      q.copy(f, ETH_HLEN + 28);
      finishIcmpChecksum(f, ETH_HLEN + 20, 8 + q.length);
      return f;
    };
    for (const [t, c] of [[3, 1], [3, 0], [3, 4], [11, 0], [12, 0], [4, 0], [5, 1], [3, 3]]) ea.receiveFrame(icmpFrom(t, c));
    await settle();
    expect(errors.map((e) => e.code)).toEqual(['EHOSTUNREACH', 'ENETUNREACH', 'EMSGSIZE', 'EHOSTUNREACH', 'EPROTO', 'ECONNREFUSED']);
    expect(errors.every((e) => e.address === '10.0.0.50' && e.port === 33434 && e.syscall === 'recvmsg')).toBe(true);
    expect(errors[4].errno).toBe(-71);
    expect(A.inet.icmp.stats.inErrors).toBe(0);
    const mangled = Buffer.from(quote);
    mangled[0] = 0x44; // ihl 4
    ea.receiveFrame(icmpFrom(3, 3, mangled));
    await settle();
    expect(A.inet.icmp.stats.inErrors).toBe(1);
    expect(errors).toHaveLength(6);
  });

  it('no ICMP for a unicast datagram that came as a link-layer broadcast', async () => {
    const { B, eb } = setup();
    eb.receiveFrame(udpFrame({ dport: 9, dstMac: BCAST }));
    await settle();
    expect(B.inet.udp.stats.noPorts).toBe(1);
    expect(B.inet.icmp.stats.outMsgs).toBe(0);
  });

  it('a neighbour that never answers ARP: EHOSTUNREACH to the sender after 3 probes', async () => {
    const { A, clock } = setup();
    const s = await bound(A.createSocket('udp4'), 4000);
    const errors: UdpSocketError[] = [];
    s.on('error', (e: UdpSocketError) => errors.push(e));
    s.send('lost', 5000, '10.0.0.77', () => {});
    await settle();
    expect(errors).toEqual([]);
    for (let i = 0; i < 4; i++) clock.advance(1000);
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'EHOSTUNREACH', errno: -113, syscall: 'recvmsg', address: '10.0.0.77', port: 5000 });
    expect(A.neighbours().find((n) => n.dst === '10.0.0.77')?.stateNames).toEqual(['FAILED']);
  });

  it('EMSGSIZE above the MTU (no fragmentation) and above 65507 bytes', async () => {
    const { A, B } = setup();
    const rx = collect(await bound(B.createSocket('udp4'), 5000));
    const s = A.createSocket('udp4');
    const r1 = await sendP(s, Buffer.alloc(1473), 5000, '10.0.0.2');
    expect(r1.err).toMatchObject({ code: 'EMSGSIZE', errno: -90, syscall: 'send', address: '10.0.0.2', port: 5000 });
    expect((await sendP(s, Buffer.alloc(65508), 5000, '10.0.0.2')).err?.code).toBe('EMSGSIZE');
    expect(await sendP(s, Buffer.alloc(1472), 5000, '10.0.0.2')).toEqual({ err: null, bytes: 1472 });
    await settle();
    expect(rx.from.map((f) => f.size)).toEqual([1472]);
    expect(A.inet.udp.stats.outDatagrams).toBe(1);
  });

  it('ENETUNREACH without a route, 127.0.0.1 (Node\'s default address) included; EINVAL for a non-address', async () => {
    const { A } = setup();
    const s = A.createSocket('udp4');
    expect((await sendP(s, 'x', 9, '192.168.7.7')).err).toMatchObject({ code: 'ENETUNREACH', address: '192.168.7.7' });
    const dflt = await new Promise<UdpSocketError | null>((res) => s.send('x', 9, (err) => res(err)));
    expect(dflt).toMatchObject({ code: 'ENETUNREACH', address: '127.0.0.1', port: 9 });
    expect((await sendP(s, 'x', 9, 'example.com')).err).toMatchObject({ code: 'EINVAL', syscall: 'send' });
  });
});

describe('socket API and state', () => {
  it('EADDRINUSE for a taken port, usable again after close; EADDRNOTAVAIL and EINVAL for bad addresses', async () => {
    const { B } = setup();
    const a = await bound(B.createSocket('udp4'), 5000);
    const b = B.createSocket('udp4');
    let listened = false;
    b.bind(5000, () => (listened = true));
    const e = await nextError(b);
    expect(e).toMatchObject({ code: 'EADDRINUSE', errno: -98, syscall: 'bind', address: '0.0.0.0', port: 5000 });
    expect(e.message).toBe('bind EADDRINUSE 0.0.0.0:5000');
    expect(() => b.address()).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'getsockname' }));
    a.close();
    await once(a, 'close');
    // The failed bind left b unbound: it may try again.
    await bound(b, 5000);
    expect(listened).toBe(true);
    expect(b.address().port).toBe(5000);

    const c = B.createSocket('udp4');
    c.bind(5001, '10.0.0.99');
    expect(await nextError(c)).toMatchObject({ code: 'EADDRNOTAVAIL', address: '10.0.0.99', port: 5001 });
    const d = B.createSocket('udp4');
    d.bind({ port: 5002, address: 'not-an-ip' });
    expect(await nextError(d)).toMatchObject({ code: 'EINVAL', syscall: 'bind' });
    // Binding to our subnet's broadcast address is allowed (it then receives only broadcasts).
    await bound(B.createSocket('udp4'), 5003, '10.0.0.255');
    expect(() => b.bind(0)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_ALREADY_BOUND' }));
  });

  it('ERR_SOCKET_BAD_PORT, ERR_SOCKET_BAD_TYPE, ERR_INVALID_ARG_TYPE and setTTL/setBroadcast as Node checks them', async () => {
    const { A } = setup();
    const s = A.createSocket('udp4');
    expect(() => s.send('x', 0, '10.0.0.2')).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT', message: 'Port should be > 0 and < 65536. Received type number (0).' }));
    expect(() => s.send('x', 70000, '10.0.0.2')).toThrow(RangeError);
    expect(() => s.bind(70000)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    expect(() => s.connect(0, '10.0.0.2')).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    expect(() => s.send(42 as unknown as string, 9, '10.0.0.2')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => A.createSocket('udp5' as 'udp4')).toThrow(
      expect.objectContaining({ code: 'ERR_SOCKET_BAD_TYPE', message: 'Bad socket type specified. Valid types are: udp4, udp6' }),
    );
    // Before bind, as Node: EBADF.
    expect(() => s.setBroadcast(true)).toThrow(expect.objectContaining({ code: 'EBADF', errno: -9, syscall: 'setBroadcast' }));
    expect(() => s.setTTL(5)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'setTTL' }));
    await bound(s);
    expect(() => s.setTTL(0)).toThrow(expect.objectContaining({ code: 'EINVAL', errno: -22, syscall: 'setTTL', message: 'setTTL EINVAL' }));
    expect(() => s.setTTL(256)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => s.setTTL('5' as unknown as number)).toThrow(TypeError);
    expect(s.ref()).toBe(s);
    expect(s.unref()).toBe(s);
  });

  it('setTTL reaches the wire', async () => {
    const { A, ea } = setup();
    const s = await bound(A.createSocket('udp4'));
    expect(s.setTTL(7)).toBe(7);
    ea.record = true;
    s.send('x', 9, '10.0.0.2');
    await settle();
    const f = ea.sent.find((x) => x.readUInt16BE(12) === ETH_P_IP && x[23] === 17)!;
    expect(f[ETH_HLEN + 8]).toBe(7);
    // DF set (no fragmentation), as a Linux UDP socket with IP_PMTUDISC_WANT sends.
    expect(f.readUInt16BE(ETH_HLEN + 6) & 0x4000).toBe(0x4000);
  });

  it('after close: ERR_SOCKET_DGRAM_NOT_RUNNING; close emits close once and frees the port', async () => {
    const { B } = setup();
    const s = await bound(B.createSocket('udp4'), 5000);
    let closes = 0;
    s.on('close', () => closes++);
    const closed = new Promise<void>((res) => s.close(res));
    for (const f of [() => s.send('x', 9, '10.0.0.1'), () => s.close(), () => s.bind(0), () => s.address(), () => s.connect(9, '10.0.0.1'), () => s.setBroadcast(true)]) {
      expect(f).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_RUNNING', message: 'Not running' }));
    }
    await closed;
    await settle();
    expect(closes).toBe(1);
    expect(B.inet.udp.sockets()).toEqual([]);
  });

  it('connect: remote address, source address chosen, sends without destination, only the peer is heard; disconnect undoes it', async () => {
    const { A, B } = setup();
    const peer = collect(await bound(B.createSocket('udp4'), 7000));
    const stranger = await bound(B.createSocket('udp4'), 7001);
    const c = A.createSocket('udp4');
    const rx = collect(c);
    expect(() => c.remoteAddress()).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' }));
    expect(() => c.disconnect()).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' }));
    let listening = false;
    c.on('listening', () => (listening = true));
    await new Promise<void>((res) => c.connect(7000, '10.0.0.2', () => res()));
    expect(listening).toBe(true);
    expect(c.remoteAddress()).toEqual({ address: '10.0.0.2', family: 'IPv4', port: 7000 });
    expect(c.address().address).toBe('10.0.0.1');
    expect(() => c.connect(7000, '10.0.0.2')).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' }));
    expect(() => c.send(Buffer.from('x'), 0, 1, 7000, '10.0.0.2')).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' }));
    expect(await new Promise((res) => c.send('hi', (err, n) => res([err, n])))).toEqual([null, 2]);
    await settle();
    expect(peer.msgs).toEqual(['hi']);
    const port = c.address().port;
    // The peer is heard, a stranger is not (and, no other socket being there, draws NoPorts).
    stranger.send('psst', port, '10.0.0.1');
    await settle();
    expect(rx.msgs).toEqual([]);
    expect(A.inet.udp.stats.noPorts).toBe(1);

    c.disconnect();
    expect(() => c.remoteAddress()).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' }));
    // __udp_disconnect gives back a port bind() did not choose (connect's implicit bind to port 0):
    // Node on Linux shows { address: '0.0.0.0', port: 0 } here, and the next send binds another.
    expect(c.address()).toEqual({ address: '0.0.0.0', family: 'IPv4', port: 0 });
    stranger.send('gone', port, '10.0.0.1');
    await settle();
    expect(rx.msgs).toEqual([]);
    expect(A.inet.udp.stats.noPorts).toBe(2);
    expect(await new Promise((res) => c.send('again', 7001, '10.0.0.2', (err) => res(err)))).toBeNull();
    const port2 = c.address().port;
    expect(port2).toBeGreaterThanOrEqual(32768);
    stranger.send('now', port2, '10.0.0.1');
    await settle();
    expect(rx.msgs).toEqual(['now']);
    // Unconnected again: a destination is required (the callback is taken for the port, as Node does).
    expect(() => c.send('x', () => {})).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
  });

  it('connect without a route reports ENETUNREACH to the callback, or as an error event', async () => {
    const { A } = setup();
    const s = A.createSocket('udp4');
    expect(await new Promise((res) => s.connect(9, '192.168.1.1', res))).toMatchObject({ code: 'ENETUNREACH', syscall: 'connect' });
    const t = A.createSocket('udp4');
    t.connect(9, '192.168.1.1');
    expect(await nextError(t)).toMatchObject({ code: 'ENETUNREACH', address: '192.168.1.1', port: 9 });
  });

  it('stack.close() closes every socket; an aborted signal closes one', async () => {
    const { A } = setup();
    const s1 = await bound(A.createSocket('udp4'), 5000);
    const ac = new AbortController();
    const s2 = await bound(A.createSocket({ type: 'udp4', signal: ac.signal }), 5001);
    ac.abort();
    await once(s2, 'close');
    expect(() => s2.address()).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }));
    const closed = once(s1, 'close');
    await A.close();
    await closed;
    expect(A.inet.udp.sockets()).toEqual([]);
    expect(() => A.createSocket('udp4')).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('to one of our own addresses: delivered locally (no device involved)', async () => {
    const { A } = setup();
    const rx = collect(await bound(A.createSocket('udp4'), 5000));
    const s = A.createSocket('udp4');
    s.send('self', 5000, '10.0.0.1');
    await settle();
    expect(rx.msgs).toEqual(['self']);
    expect(rx.from[0].address).toBe('10.0.0.1');
    // And a closed local port answers the sender with ECONNREFUSED.
    const err = nextError(s);
    s.send('x', 5999, '10.0.0.1');
    expect((await err).code).toBe('ECONNREFUSED');
  });
});
