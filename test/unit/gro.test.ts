// Software GRO (src/core/gro.ts with inet_gro_receive / ipv6_gro_receive / tcp_gro_receive): a
// table of frame runs (what arrives in one read batch) and the packets that go up, on a real
// Stack's protocol registrations, delivery captured.
import { describe, expect, it } from 'vitest';
import { csumFold, csumPartial } from '../../src/core/checksum.js';
import { GroCell } from '../../src/core/gro.js';
import type { Net } from '../../src/core/net.js';
import type { NetDevice } from '../../src/core/netdevice.js';
import { CHECKSUM_NONE, CHECKSUM_PARTIAL, SKB_GSO_TCPV4, SKB_GSO_TCPV6, SkBuff } from '../../src/core/skbuff.js';
import { skbChecksumHelp } from '../../src/core/net.js';
import { createPair } from '../../src/drivers/pair.js';
import { ethTypeTrans } from '../../src/ethernet/eth.js';
import { ipFastCsum, udpPseudoSum } from '../../src/ipv4/checksum.js';
import { writeIpHeader } from '../../src/ipv4/iphdr.js';
import { ipv6PseudoSum } from '../../src/ipv6/ip6_checksum.js';
import { writeIpv6Header } from '../../src/ipv6/ipv6hdr.js';
import { Stack } from '../../src/stack.js';
import { ManualClock } from '../../src/core/clock.js';
import { NETIF_F_HW_CSUM, NETIF_F_SG, NETIF_F_TSO } from '../../src/core/netdev_features.js';
import { inDevGet } from '../../src/ipv4/devinet.js';
import { NUD_PERMANENT } from '../../src/neighbour/nud.js';

const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const SYN = 0x02;
const MSS = 1000;
const S6 = Buffer.from('fd000000000000000000000000000001', 'hex');
const D6 = Buffer.from('fd000000000000000000000000000002', 'hex');

interface Seg {
  /** Payload bytes (default MSS). */
  len?: number;
  /** Sequence number; default: right after the previous segment. */
  seq?: number;
  flags?: number;
  sport?: number;
  /** TCP option bytes (a multiple of 4); default a timestamp-like 12 bytes. */
  opts?: Buffer;
  window?: number;
  ack?: number;
  /** IPv4: ID (default counting up), options (IHL 6), fragment offset. */
  id?: number;
  ipOpts?: boolean;
  frag?: boolean;
  ttl?: number;
  badCsum?: boolean;
  /** IPv4 destination (default 10.0.0.2). */
  daddr?: number;
}

const TS_OPTS = Buffer.from('0101080a0000000100000002', 'hex');

/** A frame (Ethernet + IPv4/IPv6 + TCP) carrying the payload byte pattern for its sequence range. */
function frame(v6: boolean, s: Seg, seq: number, id: number): Buffer {
  const len = s.len ?? MSS;
  const opts = s.opts ?? TS_OPTS;
  const thl = 20 + opts.length;
  const ihl = !v6 && s.ipOpts ? 24 : 20;
  const nhl = v6 ? 40 : ihl;
  const f = Buffer.alloc(14 + nhl + thl + len);
  Buffer.from('020000000002020000000001', 'hex').copy(f, 0);
  f.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  const nh = 14;
  if (v6) writeIpv6Header(f, nh, 0, 0, thl + len, 6, s.ttl ?? 64, S6, 0, D6, 0);
  else {
    writeIpHeader(f, nh, 0, nhl + thl + len, id, s.frag ? 0x2000 : 0x4000, s.ttl ?? 64, 6, 0x0a000001, s.daddr ?? 0x0a000002);
    if (s.ipOpts) {
      f[nh] = 0x46;
      f.writeUInt32BE(0x01010101, nh + 20);
      f.writeUInt16BE(0, nh + 10);
      f.writeUInt16BE(ipFastCsum(f, nh, 6), nh + 10);
    }
  }
  const th = nh + nhl;
  f.writeUInt16BE(s.sport ?? 40000, th);
  f.writeUInt16BE(80, th + 2);
  f.writeUInt32BE(seq >>> 0, th + 4);
  f.writeUInt32BE(s.ack ?? 7, th + 8);
  f[th + 12] = (thl / 4) << 4;
  f[th + 13] = s.flags ?? ACK;
  f.writeUInt16BE(s.window ?? 501, th + 14);
  opts.copy(f, th + 20);
  for (let i = 0; i < len; i++) f[th + thl + i] = ((seq + i) * 7) & 0xff;
  const ps = v6 ? ipv6PseudoSum(S6, 0, D6, 0, thl + len, 6) : udpPseudoSum(0x0a000001, s.daddr ?? 0x0a000002, 6, thl + len);
  const c = csumFold(csumPartial(f, th, thl + len, ps));
  f.writeUInt16BE(s.badCsum ? c ^ 0x0101 : c, th + 16);
  return f;
}

/**
 * One read batch: the frames laid one after the other in one buffer, as the receive ring holds
 * them, each offered to the cell; `notTaken` gets those it did not take. The cell is flushed at
 * the end, as the driver does.
 */
function feed(cell: GroCell, frames: Buffer[], dev: NetDevice, notTaken: (skb: SkBuff) => void): void {
  const ring = Buffer.concat(frames);
  let at = 0;
  for (const f of frames) {
    const skb = new SkBuff(ring, at, f.length);
    skb.borrowed = true;
    at += f.length;
    expect(ethTypeTrans(skb, dev)).toBe(true);
    if (!cell.receive(skb)) notTaken(skb);
  }
  cell.flush();
}

/** Feeds the segments through one cell as one read batch; returns what went up and the cell. */
function run(v6: boolean, segs: Seg[]) {
  const stack = new Stack({ clock: new ManualClock() });
  const [dev] = createPair('gro0', 'gro1', Buffer.from('020000000002', 'hex'));
  stack.addDevice(dev);
  const up: { buf: Buffer; skb: SkBuff }[] = [];
  const net = {
    groReceiveFn: (p: number) => stack.net.groReceiveFn(p),
    netifReceiveSkb: (skb: SkBuff) => up.push({ buf: Buffer.from(skb.buf.subarray(skb.data, skb.tail)), skb: skb.copy() }),
  } as unknown as Net;
  const cell = new GroCell(net);
  let seq = 0xfffffc00; // wraps inside the run
  let id = 0xfffe;
  // One buffer for the whole batch, as the receive ring is.
  const frames = segs.map((s) => {
    const f = frame(v6, s, s.seq ?? seq, s.id ?? id);
    seq = ((s.seq ?? seq) + (s.len ?? MSS)) >>> 0;
    id = ((s.id ?? id) + 1) & 0xffff;
    return f;
  });
  feed(cell, frames, dev, (skb) => up.push({ buf: Buffer.from(skb.buf.subarray(skb.data, skb.tail)), skb: skb.copy() }));
  return { up, cell, dev };
}

/** Payload lengths of what went up, and how many frames each stands for (gsoSegs, 0 for one). */
const shape = (up: { buf: Buffer; skb: SkBuff }[], v6: boolean) =>
  up.map(({ buf, skb }) => {
    const nhl = v6 ? 40 : (buf[0] & 0x0f) * 4;
    const thl = (buf[nhl + 12] >>> 4) * 4;
    return [buf.length - nhl - thl, skb.gsoSegs];
  });

describe.each([{ v6: false, fam: 'IPv4' }, { v6: true, fam: 'IPv6' }])('software GRO, $fam', ({ v6, fam }) => {
  // [what arrives, what goes up as [payload bytes, frames merged (0: as it came)]]
  const rows: [string, Seg[], [number, number][]][] = [
    ['four in sequence: one packet of 4 frames', [{}, {}, {}, {}], [[4000, 4]]],
    ['a shorter last one ends it, merged', [{}, {}, { len: 300 }, {}], [[2300, 3], [1000, 0]]],
    ['PSH ends it, merged; the next starts anew', [{}, { flags: ACK | PSH }, {}, {}], [[2000, 2], [2000, 2]]],
    ['FIN ends it, merged', [{}, {}, { flags: ACK | FIN }], [[3000, 3]]],
    ['a lone PSH segment goes up as it came', [{ flags: ACK | PSH }, {}], [[1000, 0], [1000, 0]]],
    ['a gap in sequence: two packets', [{}, {}, { seq: 0x100 }, {}], [[2000, 2], [2000, 2]]],
    ['another flow in between: each its own', [{}, { sport: 40001 }, {}], [[1000, 0], [1000, 0], [1000, 0]]],
    ['a changed ACK number flushes', [{}, {}, { ack: 8 }, { ack: 8 }], [[2000, 2], [2000, 2]]],
    ['a changed window flushes', [{}, { window: 502 }], [[1000, 0], [1000, 0]]],
    ['a changed option (a new timestamp) flushes', [{}, {}, { opts: Buffer.from('0101080a0000000200000002', 'hex') }], [[2000, 2], [1000, 0]]],
    ['SYN is never merged', [{}, { flags: SYN | ACK, len: 0 }, {}], [[1000, 0], [0, 0], [1000, 0]]],
    ['a pure ACK (no payload) is never merged', [{}, { len: 0 }, {}], [[1000, 0], [0, 0], [1000, 0]]],
    ['a longer segment than the first is not merged', [{ len: 500 }, { len: 1000 }], [[500, 0], [1000, 0]]],
    ['a bad checksum goes up alone, for TCP to count', [{}, { badCsum: true }, {}], [[1000, 0], [1000, 0], [1000, 0]]],
    ['a changed TTL / hop limit flushes', [{}, { ttl: 63 }], [[1000, 0], [1000, 0]]],
  ];
  if (!v6) {
    rows.push(
      ['IP options: not merged', [{}, { ipOpts: true }, {}], [[1000, 0], [1000, 0], [1000, 0]]],
      ['a fragment: not merged', [{}, { frag: true }], [[1000, 0], [1000, 0]]],
    );
  }
  it.each(rows)(`${fam}: %s`, (_n, segs, want) => {
    expect(shape(run(v6, segs).up, v6)).toEqual(want);
  });

  it(`${fam}: the packet built is what the sender would have sent as one TSO frame`, () => {
    const { up, cell, dev } = run(v6, [{}, {}, {}, { flags: ACK | PSH }]);
    expect(up).toHaveLength(1);
    const { buf, skb } = up[0];
    const nhl = v6 ? 40 : 20;
    expect(skb.gsoSize).toBe(MSS);
    expect(skb.gsoSegs).toBe(4);
    expect(skb.gsoType).toBe(v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4);
    // tcp_gro_complete: a partial checksum from the TCP header, which completed verifies the whole.
    expect(skb.ipSummed).toBe(CHECKSUM_PARTIAL);
    expect(skb.csumStart - skb.data).toBe(nhl);
    expect(skb.csumOffset).toBe(16);
    const whole = skb.copy();
    skbChecksumHelp(whole);
    const tcpLen = buf.length - nhl;
    const ps = v6 ? ipv6PseudoSum(S6, 0, D6, 0, tcpLen, 6) : udpPseudoSum(0x0a000001, 0x0a000002, 6, tcpLen);
    expect(csumFold(csumPartial(whole.buf, whole.csumStart, tcpLen, ps))).toBe(0);
    if (v6) expect(buf.readUInt16BE(4)).toBe(buf.length - 40);
    else {
      expect(buf.readUInt16BE(2)).toBe(buf.length);
      expect(ipFastCsum(buf, 0, 5)).toBe(0);
      expect(buf.readUInt16BE(4)).toBe(0xfffe); // the first frame's ID
    }
    const th = nhl;
    expect(buf[th + 13]).toBe(ACK | PSH);
    expect(buf.readUInt32BE(th + 4)).toBe(0xfffffc00);
    // The payload is the four frames' in order (the pattern of each byte's sequence number).
    const thl = (buf[th + 12] >>> 4) * 4;
    for (let i = 0; i < 4000; i += 997) expect(buf[th + thl + i]).toBe(((0xfffffc00 + i) * 7) & 0xff);
    expect([cell.built, cell.mergedFrames]).toEqual([1, 4]);
    // Every frame counts in the device's receive counters: three here, the packet's one when it goes up.
    expect(dev.stats.rxPackets).toBe(3);
  });

  it(`${fam}: a packet stops growing before 64 KiB; the next frame starts another`, () => {
    const { up } = run(v6, Array.from({ length: 70 }, () => ({})));
    const lens = shape(up, v6).map(([n]) => n);
    expect(lens.reduce((a, b) => a + b, 0)).toBe(70 * MSS);
    expect(Math.max(...lens)).toBeLessThanOrEqual(65535 - (v6 ? 40 : 20) - 32);
    expect(lens.length).toBe(2);
  });

  it(`${fam}: a frame GRO did not take keeps its checksum state (CHECKSUM_NONE when it failed)`, () => {
    const { up } = run(v6, [{ badCsum: true }]);
    expect(up[0].skb.ipSummed).toBe(CHECKSUM_NONE);
  });
});

describe('a GRO packet forwarded (ip_forward of a super-packet, IPv4)', () => {
  const TSO = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO;
  it.each([
    ['to a device without TSO: cut again in software, every frame with a checksum that verifies', 0, 4],
    ['to a device with TSO: handed over whole, one frame', TSO, 1],
  ])('%s', async (_n, features, frames) => {
    const R = new Stack({ clock: new ManualClock() });
    const [r0] = createPair('r0', 'x0', Buffer.from('020000000002', 'hex'));
    const [r1] = createPair('r1', 'c1', Buffer.from('020000000011', 'hex'));
    R.addDevice(r0);
    R.addDevice(r1);
    R.addAddress(r0, '10.0.0.9/24');
    R.addAddress(r1, '10.1.0.1/24');
    for (const d of [r0, r1]) inDevGet(d)!.cnf.set('forwarding', 1);
    R.inet.arp.tbl.neighAdd(0x0a010002, r1, { lladdr: Buffer.from('02000000000c', 'hex'), state: NUD_PERMANENT, create: true });
    r1.features = features;
    r1.record = true;
    const cell = new GroCell(R.net);
    let seq = 1000;
    const fs = [0, 1, 2, 3].map((i) => {
      const f = frame(false, { daddr: 0x0a010002 }, seq, 0x100 + i);
      seq += MSS;
      return f;
    });
    feed(cell, fs, r0, () => expect.unreachable('every frame is taken'));
    expect(cell.built).toBe(1);
    expect(R.stats().ip.forwDatagrams).toBe(1);
    expect(r1.sent).toHaveLength(frames);
    let payload = 0;
    for (const out of r1.sent) {
      const th = 14 + 20;
      expect(out[14 + 8]).toBe(63); // the TTL, decremented once
      expect(ipFastCsum(out, 14, 5)).toBe(0);
      const tcpLen = out.length - th;
      payload += tcpLen - 32;
      if (frames > 1) expect(csumFold(csumPartial(out, th, tcpLen, udpPseudoSum(0x0a000001, 0x0a010002, 6, tcpLen)))).toBe(0);
    }
    expect(payload).toBe(4 * MSS);
    await R.close();
  });
});
