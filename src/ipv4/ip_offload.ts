// IPv4's part of software segmentation and receive offload: inet_gso_segment and inet_gro_receive /
// inet_gro_complete (net/ipv4/af_inet.c), and the transport registries they dispatch through (inet_offloads[]).
import { type GroCell, type GroTransportFn, sameEtherHeader } from '../core/gro.js';
import type { GsoTransportFn } from '../core/gso.js';
import type { SkBuff } from '../core/skbuff.js';
import { ipFastCsum } from './checksum.js';

/**
 * inet_gso_segment(): the IPv4 super-packet at skb.networkHeader cut by its protocol's segmenter
 * from `offloads`, then each segment's header made its own: total length, the id counting up
 * from the original's (SKB_GSO_TCP_FIXEDID is not used here), and the header checksum. Null
 * for a header that is no IPv4 header, a fragment, or a protocol with no segmenter.
 */
export function inetGsoSegment(offloads: ReadonlyMap<number, GsoTransportFn>, skb: SkBuff): SkBuff[] | null {
  const b = skb.buf;
  const nh = skb.networkHeader;
  if (nh < 0 || nh + 20 > skb.tail || b[nh] >>> 4 !== 4) return null;
  const ihl = (b[nh] & 0x0f) << 2;
  if (ihl < 20 || nh + ihl > skb.tail) return null;
  // "A fragmented packet is no GSO packet": MF or an offset.
  if ((((b[nh + 6] << 8) | b[nh + 7]) & 0x3fff) !== 0) return null;
  const seg = offloads.get(b[nh + 9]);
  if (seg === undefined) return null;
  const segs = seg(skb, nh, nh + ihl);
  if (segs === null) return null;
  const id0 = (b[nh + 4] << 8) | b[nh + 5];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    const sb = s.buf;
    const n = s.networkHeader;
    const tot = s.tail - n;
    const id = (id0 + i) & 0xffff;
    sb[n + 2] = tot >>> 8;
    sb[n + 3] = tot & 0xff;
    sb[n + 4] = id >>> 8;
    sb[n + 5] = id & 0xff;
    sb[n + 10] = 0;
    sb[n + 11] = 0;
    const c = ipFastCsum(sb, n, ihl >>> 2);
    sb[n + 10] = c >>> 8;
    sb[n + 11] = c & 0xff;
  }
  return segs;
}

/**
 * inet_gro_receive(): a frame may join a GRO packet only as a plain IPv4 header (no options:
 * "*(u8 *)iph != 0x45"), with a good header checksum, a length that is the frame's, no fragment,
 * and a protocol with a gro_receive in `offloads`. It continues the held packet when their
 * Ethernet headers, addresses, protocol, TOS, TTL and DF are the same and the IP ID comes next
 * (or DF is set: IDs of atomic datagrams need not count).
 */
export function inetGroReceive(offloads: ReadonlyMap<number, GroTransportFn>, cell: GroCell, skb: SkBuff): boolean {
  const b = skb.buf;
  const nh = skb.networkHeader;
  if (skb.tail - nh < 20 || b[nh] !== 0x45) return false;
  if (((b[nh + 2] << 8) | b[nh + 3]) !== skb.tail - nh) return false;
  const frag = (b[nh + 6] << 8) | b[nh + 7];
  if ((frag & 0x3fff) !== 0) return false;
  if (ipFastCsum(b, nh, 5) !== 0) return false;
  const fn = offloads.get(b[nh + 9]);
  if (fn === undefined) return false;
  let same = false;
  const h = cell.held;
  if (h !== null && h.protocol === skb.protocol && sameEtherHeader(h, skb)) {
    const hb = h.buf;
    const hn = h.networkHeader;
    same = hb[hn + 1] === b[nh + 1] && hb[hn + 8] === b[nh + 8] && hb[hn + 9] === b[nh + 9] && (hb[hn + 6] & 0x40) === (b[nh + 6] & 0x40);
    for (let k = 12; same && k < 20; k++) same = hb[hn + k] === b[nh + k];
    if (same && (frag & 0x4000) === 0) {
      const id0 = (hb[hn + 4] << 8) | hb[hn + 5];
      same = (((b[nh + 4] << 8) | b[nh + 5]) - id0 - cell.count) % 0x10000 === 0;
    }
  }
  return fn(cell, skb, nh + 20, same, inetGroComplete);
}

/** inet_gro_complete(): the built packet's total length and header checksum. */
function inetGroComplete(skb: SkBuff): void {
  const b = skb.buf;
  const nh = skb.networkHeader;
  const tot = skb.tail - nh;
  b[nh + 2] = tot >>> 8;
  b[nh + 3] = tot & 0xff;
  b[nh + 10] = 0;
  b[nh + 11] = 0;
  const c = ipFastCsum(b, nh, 5);
  b[nh + 10] = c >>> 8;
  b[nh + 11] = c & 0xff;
}
