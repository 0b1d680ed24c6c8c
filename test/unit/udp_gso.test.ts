// UDP_SEGMENT (UdpSocket.setUdpSegment): udp_send_skb's rules as measured on Linux 6.18, the
// super-datagram cut by software GSO (__udp_gso_segment through inet/ipv6_gso_segment) on a device
// without USO, local delivery splitting it, net_gso_ok's USO row, and skb_checksum_help's
// CSUM_MANGLED_0 — between two stacks on an in-memory pair with a manual clock.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { csumFold, csumPartial } from '../../src/core/checksum.js';
import { EINVAL, EMSGSIZE } from '../../src/core/errno.js';
import { skbChecksumHelp } from '../../src/core/net.js';
import { NETIF_F_GSO_UDP_L4, NETIF_F_HW_CSUM, NETIF_F_SG, NETIF_F_TSO, netGsoOk } from '../../src/core/netdev_features.js';
import { CHECKSUM_PARTIAL, SKB_GSO_TCPV4, SKB_GSO_UDP_L4, SkBuff } from '../../src/core/skbuff.js';
import { udpPseudoSum } from '../../src/ipv4/checksum.js';
import { ipv6PseudoSum } from '../../src/ipv6/ip6_checksum.js';
import type { UdpRemoteInfo, UdpSocket, UdpSocketError } from '../../src/socket/dgram.js';
import { UDP_MAX_SEGMENTS, udpGsoCheck } from '../../src/udp/udp_offload.js';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(async () => {
  await closeStacks();
});

const settle = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r)));

const sendP = (s: UdpSocket, msg: Buffer, port: number, addr: string): Promise<{ err: UdpSocketError | null; bytes?: number }> =>
  new Promise((res) => s.send(msg, port, addr, (err, bytes) => res({ err, bytes })));

const pattern = (n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + 7) & 0xff;
  return b;
};

/** A on ea (10.0.0.1, fd00::1), B on eb (10.0.0.2, fd00::2), B's socket on port 9 collecting datagrams. */
async function setup() {
  const env = twoStacks({ ipv6: true, record: true });
  env.A.addAddress('ea', 'fd00::1/64', { nodad: true });
  env.B.addAddress('eb', 'fd00::2/64', { nodad: true });
  const rx = env.B.createSocket('udp6');
  const got: { msg: Buffer; from: UdpRemoteInfo }[] = [];
  rx.on('message', (msg, from) => got.push({ msg, from }));
  rx.bind(9);
  await once(rx, 'listening');
  return { ...env, rx, got };
}

describe('udp_send_skb UDP_SEGMENT rules (udpGsoCheck), as Linux 6.18 answers them', () => {
  // [gso, header bytes, datalen, mtu, result] — each measured with python on a veth (see README).
  const rows: [number, number, number, number, number][] = [
    [100, 28, 12800, 1500, 0],
    [100, 28, 12801, 1500, -EINVAL],
    [100, 28, 6401, 1500, 0],
    [1472, 28, 65507, 1500, 0],
    [1473, 28, 1473, 1500, -EMSGSIZE],
    [1473, 28, 3000, 1500, -EMSGSIZE],
    [2000, 28, 1000, 1500, 0],
    [1473, 28, 1472, 1500, 0],
    [1473, 48, 1472, 1500, -EMSGSIZE],
    [1452, 48, 65527, 1500, 0],
    [100, 48, 12801, 0, -EINVAL],
  ];
  it.each(rows)('gso %i, hlen %i, %i bytes, mtu %i → %i', (gso, hlen, len, mtu, want) => {
    expect(udpGsoCheck(gso, hlen, len, mtu)).toBe(want);
  });
  it('UDP_MAX_SEGMENTS is 128', () => expect(UDP_MAX_SEGMENTS).toBe(128));
});

describe('net_gso_ok: which super-packets a device takes whole', () => {
  const rows: [string, number, number, boolean][] = [
    ['USO with USO and csum', NETIF_F_GSO_UDP_L4 | NETIF_F_HW_CSUM, SKB_GSO_UDP_L4, true],
    ['USO without csum', NETIF_F_GSO_UDP_L4, SKB_GSO_UDP_L4, false],
    ['USO on a TSO-only device', NETIF_F_TSO | NETIF_F_HW_CSUM | NETIF_F_SG, SKB_GSO_UDP_L4, false],
    ['TSO on a USO-only device', NETIF_F_GSO_UDP_L4 | NETIF_F_HW_CSUM, SKB_GSO_TCPV4, false],
  ];
  it.each(rows)('%s', (_n, features, type, want) => expect(netGsoOk(features, type)).toBe(want));
});

describe.each([
  { fam: 'IPv4', type: 'udp4' as const, dst: '10.0.0.2', nhl: 20, ethertype: 0x0800 },
  { fam: 'IPv6', type: 'udp6' as const, dst: 'fd00::2', nhl: 40, ethertype: 0x86dd },
])('UDP_SEGMENT over $fam', ({ type, dst, nhl, ethertype }) => {
  it('a send of 3500 bytes at 1000 leaves as 4 datagrams of 1000, 1000, 1000, 500, cut in software, valid each', async () => {
    const env = await setup();
    const tx = env.A.createSocket(type);
    expect(tx.setUdpSegment(1000)).toBe(1000);
    expect(tx.getUdpSegment()).toBe(1000);
    const soft0 = env.A.stats().core.txGsoSoftware;
    const out0 = (type === 'udp4' ? env.A.stats().udp : env.A.stats().udp6).outDatagrams;
    env.ea.sent.length = 0;
    const payload = pattern(3500);
    expect(await sendP(tx, payload, 9, dst)).toEqual({ err: null, bytes: 3500 });
    await settle();
    expect(env.got.map((g) => g.msg.length)).toEqual([1000, 1000, 1000, 500]);
    expect(Buffer.concat(env.got.map((g) => g.msg)).equals(payload)).toBe(true);
    expect(new Set(env.got.map((g) => g.from.port)).size).toBe(1);
    expect(env.A.stats().core.txGsoSoftware).toBe(soft0 + 1);
    // One send, one OutDatagram (measured: Linux counts the send, not its segments).
    expect((type === 'udp4' ? env.A.stats().udp : env.A.stats().udp6).outDatagrams).toBe(out0 + 1);
    const udpFrames = env.ea.sent.filter((f) => f.readUInt16BE(12) === ethertype && f[14 + (nhl === 20 ? 9 : 6)] === 17);
    expect(udpFrames.map((f) => f.length)).toEqual([1000, 1000, 1000, 500].map((n) => 14 + nhl + 8 + n));
    const ids: number[] = [];
    for (const f of udpFrames) {
      const th = 14 + nhl;
      const ulen = f.readUInt16BE(th + 4);
      expect(ulen).toBe(f.length - th);
      // The checksum is complete on the wire: pseudo header + datagram sum to 0xffff.
      const ps = nhl === 20 ? udpPseudoSum(f.readUInt32BE(26), f.readUInt32BE(30), 17, ulen) : ipv6PseudoSum(f, 22, f, 38, ulen, 17);
      expect(csumFold(csumPartial(f, th, ulen, ps))).toBe(0);
      if (nhl === 20) ids.push(f.readUInt16BE(18));
      else expect(f.readUInt16BE(18)).toBe(ulen);
    }
    if (nhl === 20) expect(ids.map((i) => (i - ids[0]) & 0xffff)).toEqual([0, 1, 2, 3]);
    expect(env.B.stats().udp.inErrors + env.B.stats().udp6.inErrors).toBe(0);
    tx.close();
  });

  it('a send no longer than the segment size is one ordinary datagram', async () => {
    const env = await setup();
    const tx = env.A.createSocket(type);
    tx.setUdpSegment(1000);
    const soft0 = env.A.stats().core.txGsoSoftware;
    expect(await sendP(tx, pattern(1000), 9, dst)).toEqual({ err: null, bytes: 1000 });
    await settle();
    expect(env.got.map((g) => g.msg.length)).toEqual([1000]);
    expect(env.A.stats().core.txGsoSoftware).toBe(soft0);
    tx.close();
  });

  it('more than 128 datagrams is EINVAL, a segment beyond the MTU EMSGSIZE, 0 turns it off', async () => {
    const env = await setup();
    const tx = env.A.createSocket(type);
    tx.setUdpSegment(100);
    const e1 = await sendP(tx, pattern(12801), 9, dst);
    expect(e1.err?.code).toBe('EINVAL');
    expect(e1.err?.message).toBe(`send EINVAL ${dst}:9`);
    expect((await sendP(tx, pattern(12800), 9, dst)).bytes).toBe(12800);
    await settle();
    expect(env.got.length).toBe(128);
    const big = 1500 - nhl - 8 + 1;
    tx.setUdpSegment(big);
    expect((await sendP(tx, pattern(3000), 9, dst)).err?.code).toBe('EMSGSIZE');
    tx.setUdpSegment(0);
    expect(tx.getUdpSegment()).toBe(0);
    expect((await sendP(tx, pattern(3000), 9, dst)).err?.code).toBe('EMSGSIZE');
    tx.close();
  });

  it('to an address of the stack itself the super-datagram is split on delivery', async () => {
    const env = await setup();
    const rx = env.A.createSocket('udp6');
    const got: number[] = [];
    rx.on('message', (m) => got.push(m.length));
    rx.bind(7);
    await once(rx, 'listening');
    const tx = env.A.createSocket(type);
    tx.setUdpSegment(600);
    expect((await sendP(tx, pattern(2000), 7, type === 'udp4' ? '10.0.0.1' : 'fd00::1')).bytes).toBe(2000);
    await settle();
    await settle();
    expect(got).toEqual([600, 600, 600, 200]);
    tx.close();
    rx.close();
  });
});

describe('setUdpSegment arguments', () => {
  it('accepts 0–65535, refuses others with EINVAL and non-numbers with a TypeError, and a closed socket', async () => {
    const env = await setup();
    const s = env.A.createSocket('udp4');
    expect(s.setUdpSegment(65535)).toBe(65535);
    expect(() => s.setUdpSegment(65536)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'setUdpSegment' }));
    expect(() => s.setUdpSegment(-1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => s.setUdpSegment(1.5)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => s.setUdpSegment('9' as unknown as number)).toThrow(TypeError);
    expect(s.getUdpSegment()).toBe(65535);
    s.close();
    expect(() => s.setUdpSegment(10)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }));
  });
});

describe('skb_checksum_help', () => {
  it('writes a sum that folds to 0 as 0xffff (CSUM_MANGLED_0), so a UDP checksum never reads as none', () => {
    const b = Buffer.alloc(8 + 4);
    b.writeUInt16BE(1000, 0);
    b.writeUInt16BE(9, 2);
    b.writeUInt16BE(12, 4);
    const ps = udpPseudoSum(0x0a000001, 0x0a000002, 17, 12);
    b.writeUInt16BE(ps, 6);
    // Choose the last word so that the whole sums to 0xffff: its complement folds to 0.
    const partial = csumPartial(b, 0, 12);
    const s = csumFold(partial) ^ 0xffff; // the folded sum so far
    b.writeUInt16BE((0xffff - s) & 0xffff, 10);
    expect(csumFold(csumPartial(b, 0, 12))).toBe(0);
    const skb = new SkBuff(b, 0, 12);
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = 0;
    skb.csumOffset = 6;
    skbChecksumHelp(skb);
    expect(b.readUInt16BE(6)).toBe(0xffff);
  });
});
