// IPv6's part of software segmentation and receive offload: ipv6_gso_segment, ipv6_gro_receive and
// ipv6_gro_complete (net/ipv6/ip6_offload.c), and the transport registries they dispatch through (inet6_offloads[]).
import { type GroCell, type GroTransportFn, sameEtherHeader } from '../core/gro.js';
import type { GsoTransportFn } from '../core/gso.js';
import type { SkBuff } from '../core/skbuff.js';
import { IPV6_HDR_LEN, IP6H_NEXTHDR_OFF, IP6H_PAYLOAD_LEN_OFF } from './ipv6hdr.js';

/**
 * ipv6_gso_segment(): the IPv6 super-packet at skb.networkHeader cut by the segmenter of its
 * next header, then each segment's payload length set. Only a transport header right behind
 * the fixed header is taken (tapstack's own super-segments and the kernel's TSO frames have no
 * extension headers); anything else is null, as is a next header with no segmenter.
 */
export function ipv6GsoSegment(offloads: ReadonlyMap<number, GsoTransportFn>, skb: SkBuff): SkBuff[] | null {
  const b = skb.buf;
  const nh = skb.networkHeader;
  if (nh < 0 || nh + IPV6_HDR_LEN > skb.tail || b[nh] >>> 4 !== 6) return null;
  const seg = offloads.get(b[nh + IP6H_NEXTHDR_OFF]);
  if (seg === undefined) return null;
  const segs = seg(skb, nh, nh + IPV6_HDR_LEN);
  if (segs === null) return null;
  for (const s of segs) {
    const plen = s.tail - s.networkHeader - IPV6_HDR_LEN;
    s.buf[s.networkHeader + IP6H_PAYLOAD_LEN_OFF] = plen >>> 8;
    s.buf[s.networkHeader + IP6H_PAYLOAD_LEN_OFF + 1] = plen & 0xff;
  }
  return segs;
}

/**
 * ipv6_gro_receive(): a frame may join a GRO packet with its transport header right behind the
 * fixed header (no extension headers, as the kernel's TSO frames have none), a payload length
 * that is the frame's, and a next header with a gro_receive in `offloads`. It continues the held
 * packet when their Ethernet headers, version/class/flow label, next header, hop limit and
 * addresses are the same.
 */
export function ipv6GroReceive(offloads: ReadonlyMap<number, GroTransportFn>, cell: GroCell, skb: SkBuff): boolean {
  const b = skb.buf;
  const nh = skb.networkHeader;
  if (skb.tail - nh < IPV6_HDR_LEN || b[nh] >>> 4 !== 6) return false;
  if (((b[nh + IP6H_PAYLOAD_LEN_OFF] << 8) | b[nh + IP6H_PAYLOAD_LEN_OFF + 1]) !== skb.tail - nh - IPV6_HDR_LEN) return false;
  const fn = offloads.get(b[nh + IP6H_NEXTHDR_OFF]);
  if (fn === undefined) return false;
  let same = false;
  const h = cell.held;
  if (h !== null && h.protocol === skb.protocol) {
    const hb = h.buf;
    const hn = h.networkHeader;
    same = sameEtherHeader(h, skb);
    for (let k = 0; same && k < 4; k++) same = hb[hn + k] === b[nh + k];
    for (let k = 6; same && k < IPV6_HDR_LEN; k++) same = hb[hn + k] === b[nh + k];
  }
  return fn(cell, skb, nh + IPV6_HDR_LEN, same, ipv6GroComplete);
}

/** ipv6_gro_complete(): the built packet's payload length. */
function ipv6GroComplete(skb: SkBuff): void {
  const plen = skb.tail - skb.networkHeader - IPV6_HDR_LEN;
  skb.buf[skb.networkHeader + IP6H_PAYLOAD_LEN_OFF] = plen >>> 8;
  skb.buf[skb.networkHeader + IP6H_PAYLOAD_LEN_OFF + 1] = plen & 0xff;
}
