// UDP segmentation offload, the family-neutral half: udp_send_skb's UDP_SEGMENT checks and
// __udp_gso_segment (net/ipv4/udp_offload.c), which udp4/udp6_ufo_fragment call with their pseudo-header.
import { EINVAL, EMSGSIZE } from '../core/errno.js';
import { gsoSegmentAlloc } from '../core/gso.js';
import { CHECKSUM_PARTIAL, SKB_GSO_UDP_L4, type SkBuff } from '../core/skbuff.js';
import { UDP_HLEN } from './udp_table.js';

/** UDP_MAX_SEGMENTS: the most datagrams one UDP_SEGMENT send may become (128 since Linux 6.7; measured here). */
export const UDP_MAX_SEGMENTS = 128;

/** setsockopt(UDP_SEGMENT) takes 0 (off) to USHRT_MAX. */
export const UDP_SEGMENT_MAX = 0xffff;

/**
 * udp_send_skb()'s UDP_SEGMENT rules for `datalen` payload bytes cut at `gsoSize` behind
 * `hlen` bytes of network and UDP header, on a path of `mtu` bytes (0: no MTU rule here — the
 * local path, or a family whose output checks it by the first datagram): EMSGSIZE when even the first datagram would not fit ("hlen + min(datalen,
 * gso_size) > fragsize"), EINVAL for more than UDP_MAX_SEGMENTS datagrams; 0 when it may go.
 * Measured on Linux 6.18: IPv4 gso 100 takes 12800 bytes and refuses 12801 with EINVAL; IPv6
 * gso 1473 refuses 1472 bytes on a 1500-byte link with EMSGSIZE.
 */
export function udpGsoCheck(gsoSize: number, hlen: number, datalen: number, mtu: number): number {
  if (mtu > 0 && hlen + Math.min(datalen, gsoSize) > mtu) return -EMSGSIZE;
  if (datalen > gsoSize * UDP_MAX_SEGMENTS) return -EINVAL;
  return 0;
}

/**
 * The GSO fields of a super-datagram of `datalen` payload bytes (only when it is more than one
 * datagram: "udp: only do GSO if # of segs > 1"), with the checksum left partial: the field at
 * `o + 6` already holds the pseudo-header sum (udp4_hwcsum / udp6_hwcsum_outgoing's
 * ~csum_*_magic), the device or __udp_gso_segment completes it.
 */
export function udpGsoMark(skb: SkBuff, o: number, gsoSize: number, datalen: number): void {
  skb.gsoSize = gsoSize;
  skb.gsoType = SKB_GSO_UDP_L4;
  skb.gsoSegs = Math.ceil(datalen / gsoSize);
  skb.ipSummed = CHECKSUM_PARTIAL;
  skb.csumStart = o;
  skb.csumOffset = 6;
}

/**
 * __udp_gso_segment(): the super-datagram cut into gso_size payloads, each a datagram of its
 * own: the UDP header copied with its length, and its pseudo-header sum for that length in the
 * checksum field (CHECKSUM_PARTIAL, completed by the device or skb_checksum_help). `pseudo(seg,
 * udpLen)` is the family's pseudo-header sum (folded, not complemented). The network headers
 * are the family's to fix afterwards. Null for a header that is not there, a datagram that is no
 * super-datagram, or a gso_type that is not UDP's.
 */
export function udpGsoSegment(skb: SkBuff, th: number, pseudo: (seg: SkBuff, udpLen: number) => number): SkBuff[] | null {
  // udp4_ufo_fragment: "if (!(skb_shinfo(skb)->gso_type & (SKB_GSO_UDP | SKB_GSO_UDP_L4)))".
  if ((skb.gsoType & SKB_GSO_UDP_L4) === 0) return null;
  const mss = skb.gsoSize;
  const payload = th + UDP_HLEN;
  if (mss === 0 || payload > skb.tail || skb.tail - payload <= mss) return null;
  const segs: SkBuff[] = [];
  for (let at = payload; at < skb.tail; at += mss) {
    const len = Math.min(mss, skb.tail - at);
    const seg = gsoSegmentAlloc(skb, payload, at, len);
    const sb = seg.buf;
    const t = seg.csumStart;
    const ulen = UDP_HLEN + len;
    sb[t + 4] = ulen >>> 8;
    sb[t + 5] = ulen & 0xff;
    const ps = pseudo(seg, ulen);
    sb[t + 6] = ps >>> 8;
    sb[t + 7] = ps & 0xff;
    seg.ipSummed = CHECKSUM_PARTIAL;
    seg.csumOffset = 6;
    segs.push(seg);
  }
  return segs;
}
