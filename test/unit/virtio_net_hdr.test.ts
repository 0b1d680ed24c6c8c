// The virtio-net header (virtio_net_hdr_to_skb / virtio_net_hdr_from_skb as tapstack has them):
// one test per row of a table of headers — flags, GSO types, checksum offsets — then the
// parse/emit pair, and a TapDevice on a hand-made handle whose "kernel" writes malformed headers:
// each lands in its own counter, nothing is delivered, and a good frame after them still is.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CHECKSUM_NONE, CHECKSUM_PARTIAL, CHECKSUM_UNNECESSARY, SKB_GSO_DODGY, SKB_GSO_TCP_ECN, SKB_GSO_TCPV4, SKB_GSO_TCPV6, SKB_GSO_UDP_L4, SkBuff } from '../../src/core/skbuff.js';
import { VNET_HDR_LEN, vnetHdrFromSkb, vnetHdrToSkb } from '../../src/drivers/virtio_net_hdr.js';
import { NETIF_F_GRO_HW, NETIF_F_HW_CSUM, NETIF_F_RXCSUM, NETIF_F_TSO } from '../../src/core/netdev_features.js';
import { TapDevice } from '../../src/drivers/tap.js';
import type { TapHandle } from '../../src/drivers/tap_addon.js';
import { Stack } from '../../src/stack.js';

interface Hdr { flags?: number; gso?: number; hdrLen?: number; gsoSize?: number; start?: number; off?: number }

/** Header + Ethernet + IPv4 (ihl words) or IPv6 + TCP (20) or UDP (8) + payload. */
function frame(h: Hdr, o: { v6?: boolean; udp?: boolean; ihl?: number; payload?: number } = {}): { buf: Buffer; len: number } {
  const nhl = o.v6 ? 40 : (o.ihl ?? 5) * 4;
  const thl = o.udp ? 8 : 20;
  const len = 14 + nhl + thl + (o.payload ?? 3000);
  const buf = Buffer.alloc(VNET_HDR_LEN + len);
  buf[0] = h.flags ?? 0;
  buf[1] = h.gso ?? 0;
  buf.writeUInt16LE(h.hdrLen ?? 0, 2);
  buf.writeUInt16LE(h.gsoSize ?? 0, 4);
  buf.writeUInt16LE(h.start ?? 0, 6);
  buf.writeUInt16LE(h.off ?? 0, 8);
  const e = VNET_HDR_LEN;
  buf.writeUInt16BE(o.v6 ? 0x86dd : 0x0800, e + 12);
  const n = e + 14;
  if (o.v6) {
    buf[n] = 0x60;
    buf[n + 6] = o.udp ? 17 : 6;
  } else {
    buf[n] = 0x40 | (o.ihl ?? 5);
    buf[n + 9] = o.udp ? 17 : 6;
  }
  if (!o.udp) buf[n + nhl + 12] = 0x50;
  return { buf, len };
}

const TCP4 = { start: 34, off: 16 };
const NEEDS = 1;
const VALID = 2;

describe('vnetHdrToSkb: one row per header', () => {
  const rows: [string, Hdr, Parameters<typeof frame>[1], string | null, Partial<SkBuff>?][] = [
    ['no flags: CHECKSUM_NONE (verify everything)', {}, {}, null, { ipSummed: CHECKSUM_NONE, gsoSize: 0 }],
    ['DATA_VALID: CHECKSUM_UNNECESSARY', { flags: VALID }, {}, null, { ipSummed: CHECKSUM_UNNECESSARY }],
    ['NEEDS_CSUM at the TCP header: CHECKSUM_PARTIAL', { flags: NEEDS, ...TCP4 }, {}, null, { ipSummed: CHECKSUM_PARTIAL, csumStart: 10 + 34, csumOffset: 16 }],
    ['an unknown flag bit (RSC_INFO)', { flags: 4 }, {}, 'vnetBadFlags'],
    ['NEEDS_CSUM starting inside the Ethernet header', { flags: NEEDS, start: 10, off: 16 }, {}, 'vnetBadCsum'],
    ['NEEDS_CSUM with its field past the end', { flags: NEEDS, start: 34, off: 4000 }, {}, 'vnetBadCsum'],
    ['TCPV4 super-frame', { flags: NEEDS, gso: 1, gsoSize: 1448, ...TCP4 }, {}, null, { gsoSize: 1448, gsoType: SKB_GSO_TCPV4 | SKB_GSO_DODGY }],
    ['TCPV4 with ECN', { flags: NEEDS, gso: 0x81, gsoSize: 1448, ...TCP4 }, {}, null, { gsoType: SKB_GSO_TCPV4 | SKB_GSO_TCP_ECN | SKB_GSO_DODGY }],
    ['TCPV4 whose payload fits one segment is no GSO frame', { flags: NEEDS, gso: 1, gsoSize: 4000, ...TCP4 }, {}, null, { gsoSize: 0, gsoType: 0, ipSummed: CHECKSUM_PARTIAL }],
    ['TCPV4 over IPv4 with options', { flags: NEEDS, gso: 1, gsoSize: 1448, start: 14 + 24, off: 16 }, { ihl: 6 }, null, { gsoSize: 1448 }],
    ['TCPV6 super-frame', { flags: NEEDS, gso: 4, gsoSize: 1428, start: 54, off: 16 }, { v6: true }, null, { gsoSize: 1428, gsoType: SKB_GSO_TCPV6 | SKB_GSO_DODGY }],
    ['UDP_L4 (USO) super-datagram', { flags: NEEDS, gso: 5, gsoSize: 1000, start: 34, off: 6 }, { udp: true }, null, { gsoSize: 1000, gsoType: SKB_GSO_UDP_L4 | SKB_GSO_DODGY }],
    ['UFO (gso_type 3): gone from Linux, refused', { flags: NEEDS, gso: 3, gsoSize: 1000, start: 34, off: 6 }, { udp: true }, 'vnetBadGso'],
    ['an unknown gso_type', { flags: NEEDS, gso: 9, gsoSize: 1000, ...TCP4 }, {}, 'vnetBadGso'],
    ['gso_size 0', { flags: NEEDS, gso: 1, gsoSize: 0, ...TCP4 }, {}, 'vnetBadGso'],
    ['GSO without NEEDS_CSUM', { flags: 0, gso: 1, gsoSize: 1448, ...TCP4 }, {}, 'vnetBadGso'],
    ['GSO with csum_start not the transport header (Linux 6.11)', { flags: NEEDS, gso: 1, gsoSize: 1448, start: 40, off: 16 }, {}, 'vnetBadGso'],
    ['GSO with csum_offset not TCP\'s', { flags: NEEDS, gso: 1, gsoSize: 1448, start: 34, off: 6 }, {}, 'vnetBadGso'],
    ['TCPV4 on an IPv6 frame', { flags: NEEDS, gso: 1, gsoSize: 1428, start: 54, off: 16 }, { v6: true }, 'vnetBadGso'],
    ['TCPV4 on a UDP packet', { flags: NEEDS, gso: 1, gsoSize: 1000, start: 34, off: 16 }, { udp: true }, 'vnetBadGso'],
    ['ECN bit without GSO', { flags: 0, gso: 0x80 }, {}, 'vnetBadGso'],
  ];
  it.each(rows)('%s', (_what, h, o, err, want) => {
    const { buf, len } = frame(h, o);
    const skb = new SkBuff(buf, VNET_HDR_LEN, len);
    expect(vnetHdrToSkb(buf, VNET_HDR_LEN, len, skb)).toBe(err);
    if (want) expect(skb).toMatchObject(want);
  });
});

describe('vnetHdrFromSkb / vnetHdrToSkb: the parse/emit pair', () => {
  it.each([
    ['TCPv4 super-segment', { v6: false, udp: false, gsoSize: 1448, type: SKB_GSO_TCPV4, gso: 1, hdr: 54 }],
    ['TCPv6 super-segment with ECN', { v6: true, udp: false, gsoSize: 1428, type: SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN, gso: 0x84, hdr: 74 }],
    ['UDP GSO', { v6: false, udp: true, gsoSize: 1000, type: SKB_GSO_UDP_L4, gso: 5, hdr: 42 }],
  ])('%s: the header written, then read back to the same fields', (_w, c) => {
    const { buf, len } = frame({}, { v6: c.v6, udp: c.udp });
    const skb = new SkBuff(buf, VNET_HDR_LEN, len);
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = VNET_HDR_LEN + 14 + (c.v6 ? 40 : 20);
    skb.csumOffset = c.udp ? 6 : 16;
    skb.gsoSize = c.gsoSize;
    skb.gsoType = c.type;
    vnetHdrFromSkb(skb, buf, 0);
    expect([buf[0], buf[1], buf.readUInt16LE(2), buf.readUInt16LE(4), buf.readUInt16LE(6), buf.readUInt16LE(8)]).toEqual([1, c.gso, c.hdr, c.gsoSize, skb.csumStart - VNET_HDR_LEN, skb.csumOffset]);
    const back = new SkBuff(buf, VNET_HDR_LEN, len);
    expect(vnetHdrToSkb(buf, VNET_HDR_LEN, len, back)).toBeNull();
    expect(back).toMatchObject({ ipSummed: CHECKSUM_PARTIAL, csumStart: skb.csumStart, csumOffset: skb.csumOffset, gsoSize: c.gsoSize, gsoType: c.type | SKB_GSO_DODGY });
  });

  it('a frame with a complete checksum gets an all-zero header', () => {
    const { buf, len } = frame({ flags: 0xff, gso: 0xff });
    const skb = new SkBuff(buf, VNET_HDR_LEN, len);
    vnetHdrFromSkb(skb, buf, 0);
    expect([...buf.subarray(0, VNET_HDR_LEN)]).toEqual(Array(VNET_HDR_LEN).fill(0));
  });
});

/** A TapHandle whose receive arena the test fills, as the kernel would with its reads. */
function fakeHandle(): TapHandle & { deliver(frames: Buffer[]): void; written: Buffer[] } {
  const rx = Buffer.alloc(1 << 16);
  const lens = new Uint32Array(16);
  const offs = new Uint32Array(16);
  let onFrames: ((n: number) => void) | null = null;
  const written: Buffer[] = [];
  const h = {
    name: 'vt0', created: true, ifindex: 9, fd: -1, closed: false, polling: false, batch: 16, frameSize: 2048, maxFrame: 65559, vnetHdr: true,
    rxBuffer: rx, rxLengths: lens, rxOffsets: offs, rxTruncated: 0, txDropped: 0,
    start(f: (n: number) => void) { onFrames = f; },
    stop() {}, ref() {}, unref() {}, setUp() {}, isUp: () => true, getMtu: () => 1500, setMtu() {}, getMac: () => Buffer.alloc(6), setCarrier() {},
    setOffload: () => 0, close() {},
    write: (b: Uint8Array, o: number, l: number) => (written.push(Buffer.from(b.subarray(o, o + l))), l),
    writeBatch(b: Uint8Array, o: Uint32Array, l: Uint32Array, n: number) {
      for (let i = 0; i < n; i++) written.push(Buffer.from(b.subarray(o[i], o[i] + l[i])));
      return n;
    },
    written,
    deliver(frames: Buffer[]) {
      let at = 0;
      frames.forEach((f, i) => {
        f.copy(rx, at);
        offs[i] = at;
        lens[i] = f.length;
        at += (f.length + 63) & ~63;
      });
      onFrames!(frames.length);
    },
  };
  return h as unknown as TapHandle & { deliver(frames: Buffer[]): void; written: Buffer[] };
}

/** An ARP request for 10.0.0.2 from 10.0.0.1, behind an all-zero virtio-net header. */
function arpRequest(): Buffer {
  return Buffer.concat([
    Buffer.alloc(VNET_HDR_LEN),
    Buffer.from('ffffffffffff0200000000010806000108000604000102000000000' + '10a000001000000000000' + '0a000002', 'hex'),
  ]);
}

describe('TapDevice with the virtio-net header: malformed headers from the "kernel"', () => {
  it('each lands in its own counter and in rx_errors, nothing is delivered, and the next good frame is answered', async () => {
    const h = fakeHandle();
    const dev = new (TapDevice as unknown as new (h: TapHandle, o: object) => TapDevice)(h, {});
    const stack = new Stack({ clock: new ManualClock() });
    try {
      stack.addDevice(dev);
      stack.addAddress(dev, '10.0.0.2/24');
      expect(dev.tapStats.offloadFlags).toBe(0x67);
      const bad = [
        Buffer.alloc(6), // shorter than the header
        frame({ flags: 4 }).buf, // unknown flag
        frame({ flags: NEEDS, start: 34, off: 9000 }).buf, // field outside the frame
        frame({ flags: NEEDS, gso: 1, gsoSize: 0, ...TCP4 }).buf, // GSO of size 0
      ];
      const rx0 = stack.inet.stats.inReceives;
      h.deliver(bad);
      expect(dev.tapStats).toMatchObject({ vnetShort: 1, vnetBadFlags: 1, vnetBadCsum: 1, vnetBadGso: 1 });
      expect(dev.stats.rxErrors).toBe(4);
      expect(stack.inet.stats.inReceives).toBe(rx0);
      h.deliver([arpRequest()]);
      dev.flush();
      const reply = h.written.find((f) => f.readUInt16BE(VNET_HDR_LEN + 12) === 0x0806 && f.readUInt16BE(VNET_HDR_LEN + 20) === 2);
      expect(reply).toBeDefined();
      expect([...reply!.subarray(0, VNET_HDR_LEN)]).toEqual(Array(VNET_HDR_LEN).fill(0)); // no offload for ARP
    } finally {
      await stack.close();
    }
  });
});

describe('TapDevice offload negotiation (TUNSETOFFLOAD with fallback)', () => {
  it.each([
    ['a kernel with everything (6.2+)', [], 0x67, 0, true],
    ['a kernel without USO: CSUM|TSO4|TSO6, one fallback', [0x67], 0x07, 1, true],
    ['a device that takes checksums only: CSUM, two fallbacks, no rx-gro-hw', [0x67, 0x07], 0x01, 2, false],
    ['a device that takes nothing: 0, three fallbacks, no rx-checksum either', [0x67, 0x07, 0x01], 0, 3, false],
  ])('%s', (_w, refused: number[], flags, fallbacks, groHw) => {
    const h = fakeHandle();
    const asked: number[] = [];
    (h as { setOffload: (f: number) => number }).setOffload = (f: number) => (asked.push(f), refused.includes(f) ? -22 : 0);
    const dev = new (TapDevice as unknown as new (h: TapHandle, o: object) => TapDevice)(h, {});
    expect(dev.tapStats.offloadFlags).toBe(flags);
    expect(dev.tapStats.offloadFallbacks).toBe(fallbacks);
    expect(asked).toEqual([0x67, 0x07, 0x01, 0].slice(0, fallbacks + 1));
    expect((dev.features & NETIF_F_GRO_HW) !== 0).toBe(groHw);
    expect((dev.features & NETIF_F_RXCSUM) !== 0).toBe(flags !== 0);
    // What tapstack writes needs no permission: TSO and checksum offload out are always there.
    expect(dev.features & (NETIF_F_TSO | NETIF_F_HW_CSUM)).toBe(NETIF_F_TSO | NETIF_F_HW_CSUM);
  });
});
