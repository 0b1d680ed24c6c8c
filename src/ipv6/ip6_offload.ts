// IPv6's part of software segmentation: ipv6_gso_segment (net/ipv6/ip6_offload.c) and the
// transport registry it dispatches through (inet6_offloads[], inet6_add_offload).
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
