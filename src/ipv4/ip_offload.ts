// IPv4's part of software segmentation: inet_gso_segment (net/ipv4/af_inet.c) and the transport
// registry it dispatches through (inet_offloads[], inet_add_offload).
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
