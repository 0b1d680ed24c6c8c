import { describe, expect, it } from 'vitest';
import { HhCache } from '../../src/core/netdevice.js';
import { PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, PACKET_OTHERHOST, SkBuff, allocSkb } from '../../src/core/skbuff.js';
import { PairDevice } from '../../src/drivers/pair.js';
import { ETH_P_802_3, ethHeaderOps, ethTypeTrans } from '../../src/ethernet/eth.js';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP, emitEthHeader } from '../../src/ethernet/ethhdr.js';

const MAC = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
const OTHER = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);
const BCAST = Buffer.alloc(6, 0xff);
const MCAST = Buffer.from([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);

function frame(dst: Buffer, proto: number, payload = 46): Buffer {
  const b = Buffer.alloc(ETH_HLEN + payload);
  emitEthHeader(b, 0, dst, 0, OTHER, 0, proto);
  b.fill(0xab, ETH_HLEN);
  return b;
}

describe('ethTypeTrans', () => {
  const dev = new PairDevice('eth0', MAC);

  it.each([
    ['HOST', MAC, PACKET_HOST],
    ['BROADCAST', BCAST, PACKET_BROADCAST],
    ['MULTICAST', MCAST, PACKET_MULTICAST],
    ['MULTICAST (any group bit)', Buffer.from([0x33, 0x33, 0, 0, 0, 1]), PACKET_MULTICAST],
    ['almost broadcast is multicast', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), PACKET_MULTICAST],
    ['OTHERHOST', OTHER, PACKET_OTHERHOST],
    ['OTHERHOST (last byte differs)', Buffer.from([0x02, 0, 0, 0, 0, 0x03]), PACKET_OTHERHOST],
  ])('classifies %s', (_n, dst, type) => {
    const skb = new SkBuff(frame(dst as Buffer, ETH_P_IP));
    expect(ethTypeTrans(skb, dev)).toBe(true);
    expect(skb.pktType).toBe(type);
  });

  it('pulls 14 bytes and sets headers, dev and protocol', () => {
    const b = frame(MAC, ETH_P_ARP, 28);
    const skb = new SkBuff(b);
    expect(ethTypeTrans(skb, dev)).toBe(true);
    expect(skb.macHeader).toBe(0);
    expect(skb.data).toBe(14);
    expect(skb.networkHeader).toBe(14);
    expect(skb.len).toBe(28);
    expect(skb.protocol).toBe(0x0806);
    expect(skb.dev).toBe(dev);
  });

  it('works with a non-zero data offset', () => {
    const inner = frame(MAC, ETH_P_IP, 20);
    const b = Buffer.concat([Buffer.alloc(10), inner]);
    const skb = new SkBuff(b, 10);
    expect(ethTypeTrans(skb, dev)).toBe(true);
    expect(skb.macHeader).toBe(10);
    expect(skb.data).toBe(24);
    expect(skb.protocol).toBe(ETH_P_IP);
  });

  it('maps 802.3 length fields (< 0x600) to ETH_P_802_3, keeps 0x600 as is', () => {
    for (const [v, want] of [[0x05dc, ETH_P_802_3], [0x0000, ETH_P_802_3], [0x05ff, ETH_P_802_3], [0x0600, 0x0600], [0x86dd, 0x86dd]]) {
      const skb = new SkBuff(frame(MAC, v));
      ethTypeTrans(skb, dev);
      expect(skb.protocol).toBe(want);
    }
    expect(ETH_P_802_3).toBe(1);
  });

  it('rejects runts shorter than 14 bytes, accepts exactly 14', () => {
    const short = new SkBuff(frame(MAC, ETH_P_IP, 0).subarray(0, 13));
    expect(ethTypeTrans(short, dev)).toBe(false);
    expect(short.data).toBe(0);
    const exact = new SkBuff(frame(MAC, ETH_P_IP, 0));
    expect(ethTypeTrans(exact, dev)).toBe(true);
    expect(exact.len).toBe(0);
  });
});

describe('ethHeaderOps', () => {
  const dev = new PairDevice('eth0', MAC);

  it('create() pushes dst, src (device default) and type', () => {
    const skb = allocSkb(20, 32);
    skb.put(20);
    const n = ethHeaderOps.create(skb, dev, ETH_P_IP, OTHER, null, 20);
    expect(n).toBe(14);
    expect(skb.data).toBe(32 - 14);
    expect(skb.macHeader).toBe(18);
    expect([...skb.bytes().subarray(0, 14)]).toEqual([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    expect(skb.len).toBe(34);
  });

  it('create() with null dst writes zeros, explicit saddr is used', () => {
    const skb = allocSkb(0, 14);
    const src = Buffer.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
    skb.buf.fill(0x77);
    ethHeaderOps.create(skb, dev, ETH_P_ARP, null, src, 0);
    expect(skb.bytes().toString('hex')).toBe('000000000000' + 'aabbccddeeff' + '0806');
  });

  it('parse() copies the frame source address', () => {
    const skb = new SkBuff(frame(MAC, ETH_P_IP));
    ethTypeTrans(skb, dev);
    const h = Buffer.alloc(6);
    expect(ethHeaderOps.parse(skb, h)).toBe(6);
    expect(h.equals(OTHER)).toBe(true);
  });

  it('cache() builds the full header, cacheUpdate() rewrites only the destination', () => {
    const hh: HhCache = { hhLen: 0, hhData: Buffer.alloc(32, 0x55) };
    expect(ethHeaderOps.cache!(OTHER, hh, dev, ETH_P_IP)).toBe(0);
    expect(hh.hhLen).toBe(14);
    expect(hh.hhData.subarray(0, 14).toString('hex')).toBe('020000000002' + '020000000001' + '0800');
    expect(hh.hhData[14]).toBe(0x55);
    const nu = Buffer.from([0x10, 0x20, 0x30, 0x40, 0x50, 0x60]);
    ethHeaderOps.cacheUpdate!(hh, dev, nu);
    expect(hh.hhData.subarray(0, 14).toString('hex')).toBe('102030405060' + '020000000001' + '0800');
    expect(hh.hhLen).toBe(14);
  });
});
