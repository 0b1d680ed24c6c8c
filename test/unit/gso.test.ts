// Software segmentation (skb_gso_segment through inet_gso_segment / ipv6_gso_segment and
// tcp_gso_segment) on dev_queue_xmit, and skb_checksum_help, on a real Stack's Net.
import { describe, expect, it } from 'vitest';
import { Stack } from '../../src/stack.js';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { csumFold, csumPartial } from '../../src/core/checksum.js';
import { NETIF_F_HW_CSUM, NETIF_F_SG, NETIF_F_TSO, NETIF_F_TSO6 } from '../../src/core/netdev_features.js';
import { CHECKSUM_PARTIAL, SKB_GSO_TCPV4, SKB_GSO_TCPV6, SkBuff } from '../../src/core/skbuff.js';
import { skbChecksumHelp } from '../../src/core/net.js';
import { udpPseudoSum, ipFastCsum } from '../../src/ipv4/checksum.js';
import { ipv6PseudoSum } from '../../src/ipv6/ip6_checksum.js';

const TH_FIN = 0x01;
const TH_PSH = 0x08;
const TH_ACK = 0x10;
const TH_CWR = 0x80;
const SEQ0 = 0xfffff000; // wraps within the super-segment

/** An Ethernet + IPv4/IPv6 + TCP (32-byte header) super-frame with a pseudo-only checksum. */
function superFrame(v6: boolean, payload: number, mss: number, flags = TH_ACK | TH_PSH | TH_FIN | TH_CWR): SkBuff {
  const nhl = v6 ? 40 : 20;
  const thl = 32;
  const buf = Buffer.alloc(14 + nhl + thl + payload);
  buf.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  const nh = 14;
  const src = Buffer.from('fd000000000000000000000000000001', 'hex');
  const dst = Buffer.from('fd000000000000000000000000000002', 'hex');
  if (v6) {
    buf[nh] = 0x60;
    buf.writeUInt16BE(thl + payload, nh + 4);
    buf[nh + 6] = 6;
    buf[nh + 7] = 64;
    src.copy(buf, nh + 8);
    dst.copy(buf, nh + 24);
  } else {
    buf[nh] = 0x45;
    buf.writeUInt16BE(nhl + thl + payload, nh + 2);
    buf.writeUInt16BE(0xfffe, nh + 4); // the ids wrap too
    buf.writeUInt16BE(0x4000, nh + 6);
    buf[nh + 8] = 64;
    buf[nh + 9] = 6;
    buf.writeUInt32BE(0x0a000001, nh + 12);
    buf.writeUInt32BE(0x0a000002, nh + 16);
    buf.writeUInt16BE(ipFastCsum(buf, nh, 5), nh + 10);
  }
  const th = nh + nhl;
  buf.writeUInt16BE(40000, th);
  buf.writeUInt16BE(80, th + 2);
  buf.writeUInt32BE(SEQ0, th + 4);
  buf.writeUInt32BE(7, th + 8);
  buf[th + 12] = (thl / 4) << 4;
  buf[th + 13] = flags;
  buf.writeUInt16BE(501, th + 14);
  buf.fill(1, th + 20, th + thl); // NOP options
  for (let i = 0; i < payload; i++) buf[th + thl + i] = (i * 7 + 3) & 0xff;
  const ps = v6 ? ipv6PseudoSum(src, 0, dst, 0, thl + payload, 6) : udpPseudoSum(0x0a000001, 0x0a000002, 6, thl + payload);
  buf.writeUInt16BE(ps, th + 16);
  const skb = new SkBuff(buf, 0, buf.length);
  skb.protocol = v6 ? 0x86dd : 0x0800;
  skb.networkHeader = nh;
  skb.ipSummed = CHECKSUM_PARTIAL;
  skb.csumStart = th;
  skb.csumOffset = 16;
  skb.gsoSize = mss;
  skb.gsoType = v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
  return skb;
}

function setup(features: number) {
  const stack = new Stack({ clock: new ManualClock() });
  const [a] = createPair('gso0', 'gso1');
  a.record = true;
  stack.addDevice(a);
  a.features = features;
  return { stack, a };
}

describe.each([{ v6: false, fam: 'IPv4' }, { v6: true, fam: 'IPv6' }])('software GSO, $fam', ({ v6, fam }) => {
  const nhl = v6 ? 40 : 20;
  it(`${fam}: a device without TSO gets MSS-sized segments with their own headers and valid checksums`, () => {
    const { stack, a } = setup(0);
    const skb = superFrame(v6, 4000, 1448);
    skb.dev = a;
    expect(stack.net.devQueueXmit(skb)).toBe(0);
    expect(stack.net.stats.txGsoSoftware).toBe(1);
    expect(a.sent.map((f) => f.length - 14 - nhl - 32)).toEqual([1448, 1448, 1104]);
    const data: Buffer[] = [];
    a.sent.forEach((f, i) => {
      const th = 14 + nhl;
      if (v6) expect(f.readUInt16BE(18)).toBe(f.length - 54);
      else {
        expect(f.readUInt16BE(16)).toBe(f.length - 14);
        expect(f.readUInt16BE(18)).toBe((0xfffe + i) & 0xffff);
        expect(ipFastCsum(f, 14, 5)).toBe(0);
      }
      expect(f.readUInt32BE(th + 4)).toBe((SEQ0 + i * 1448) >>> 0);
      const flags = f[th + 13];
      expect(flags & TH_ACK).toBe(TH_ACK);
      expect(flags & TH_CWR).toBe(i === 0 ? TH_CWR : 0);
      expect(flags & (TH_FIN | TH_PSH)).toBe(i === 2 ? TH_FIN | TH_PSH : 0);
      const tcpLen = f.length - th;
      const ps = v6 ? ipv6PseudoSum(f, 22, f, 38, tcpLen, 6) : udpPseudoSum(f.readUInt32BE(26), f.readUInt32BE(30), 6, tcpLen);
      expect(csumFold(csumPartial(f, th, tcpLen, ps))).toBe(0);
      data.push(f.subarray(th + 32));
    });
    expect(Buffer.concat(data)).toEqual(skb.buf.subarray(14 + nhl + 32));
  });

  it(`${fam}: a device with TSO and checksum offload gets the super-segment whole`, () => {
    const { stack, a } = setup(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO6);
    const skb = superFrame(v6, 4000, 1448);
    skb.dev = a;
    expect(stack.net.devQueueXmit(skb)).toBe(0);
    expect(stack.net.stats.txGsoSoftware).toBe(0);
    expect(a.sent).toHaveLength(1);
    expect(a.sent[0]!.length).toBe(14 + nhl + 32 + 4000);
  });

  it(`${fam}: TSO for the other family only is no TSO: segmented in software`, () => {
    const { stack, a } = setup(NETIF_F_SG | NETIF_F_HW_CSUM | (v6 ? NETIF_F_TSO : NETIF_F_TSO6));
    const skb = superFrame(v6, 3000, 1000);
    skb.dev = a;
    expect(stack.net.devQueueXmit(skb)).toBe(0);
    expect(a.sent).toHaveLength(3);
  });

  it(`${fam}: headers that are not what gso_type says are dropped and counted (txGsoUnsupported)`, () => {
    const { stack, a } = setup(0);
    const skb = superFrame(v6, 3000, 1000);
    skb.buf[14 + (v6 ? 6 : 9)] = 17; // UDP, whose segmenter refuses a TCP gso_type
    skb.dev = a;
    expect(stack.net.devQueueXmit(skb)).toBeLessThan(0);
    expect(stack.net.stats.txGsoUnsupported).toBe(1);
    expect(a.stats.txDropped).toBe(1);
    expect(a.sent).toHaveLength(0);
  });
});

describe('skb_checksum_help', () => {
  it('completes a partial checksum in place so the segment verifies', () => {
    const skb = superFrame(false, 100, 0);
    skbChecksumHelp(skb);
    const th = 34;
    expect(csumFold(csumPartial(skb.buf, th, skb.tail - th, udpPseudoSum(0x0a000001, 0x0a000002, 6, skb.tail - th)))).toBe(0);
  });
});
