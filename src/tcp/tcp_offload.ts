// TCP's part of software segmentation: tcp_gso_segment (net/ipv4/tcp_offload.c), the same for
// both families (tcp4_gso_segment / tcp6_gso_segment supply the pseudo-header).
import { gsoSegmentAlloc } from '../core/gso.js';
import { CHECKSUM_PARTIAL, SKB_GSO_TCPV4, SKB_GSO_TCPV6, type SkBuff } from '../core/skbuff.js';
import { TCPHDR_CWR, TCPHDR_FIN, TCPHDR_PSH } from './tcp_states.js';

/**
 * tcp_gso_segment(): the super-segment cut into gso_size payloads. Each segment gets the whole
 * header, its sequence number, FIN and PSH only on the last and CWR only on the first (as the
 * kernel does: "CWR only on the first segment", the flags that end a write only on its end),
 * and the pseudo-header sum of its own length in the checksum field (CHECKSUM_PARTIAL: the
 * device, or skb_checksum_help before it, adds the rest); `pseudo(seg, tcpLen)` is the family's
 * pseudo-header sum (folded, not complemented) for a TCP length. The network headers are the
 * family's to fix afterwards (inet_gso_segment, ipv6_gso_segment). Null for a header that is
 * not there or a gso_type that is not TCP's.
 */
export function tcpGsoSegment(
  skb: SkBuff,
  th: number,
  pseudo: (seg: SkBuff, tcpLen: number) => number,
): SkBuff[] | null {
  const b = skb.buf;
  // tcp4/tcp6_gso_segment: a gso_type that is not TCP's is not ours to cut.
  if ((skb.gsoType & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) === 0) return null;
  if (th + 20 > skb.tail) return null;
  const thlen = (b[th + 12] >>> 4) << 2;
  if (thlen < 20 || th + thlen > skb.tail) return null;
  const mss = skb.gsoSize;
  const payload = th + thlen;
  const total = skb.tail - payload;
  if (mss === 0 || total <= 0) return null;
  const seq0 = ((b[th + 4] << 24) | (b[th + 5] << 16) | (b[th + 6] << 8) | b[th + 7]) >>> 0;
  const flags = b[th + 13];
  const segs: SkBuff[] = [];
  for (let i = 0, at = payload; at < skb.tail; i++, at += mss) {
    const len = Math.min(mss, skb.tail - at);
    const seg = gsoSegmentAlloc(skb, payload, at, len);
    const sb = seg.buf;
    const t = seg.csumStart;
    const seq = (seq0 + i * mss) >>> 0;
    sb[t + 4] = seq >>> 24;
    sb[t + 5] = (seq >>> 16) & 0xff;
    sb[t + 6] = (seq >>> 8) & 0xff;
    sb[t + 7] = seq & 0xff;
    let f = flags;
    if (i > 0) f &= ~TCPHDR_CWR;
    if (at + len < skb.tail) f &= ~(TCPHDR_FIN | TCPHDR_PSH);
    sb[t + 13] = f;
    const ps = pseudo(seg, thlen + len);
    sb[t + 16] = ps >>> 8;
    sb[t + 17] = ps & 0xff;
    seg.ipSummed = CHECKSUM_PARTIAL;
    seg.csumOffset = 16;
    segs.push(seg);
  }
  return segs;
}
