// Software segmentation: skb_gso_segment / skb_mac_gso_segment (net/core/gso.c) with the
// dev_add_offload registry, for a super-segment bound for a device that cannot cut it itself.
import { SkBuff } from './skbuff.js';

/**
 * A family's gso_segment (inet_gso_segment, ipv6_gso_segment): the frame `skb` (data at the
 * link-layer header, networkHeader set) cut into frames of gso_size payload each, every one a
 * complete frame with its own headers and a partial transport checksum; null when it cannot be
 * cut (a protocol or header shape the family does not segment).
 */
export type GsoSegmentFn = (skb: SkBuff) => SkBuff[] | null;

/** A transport's part (tcp4_gso_segment ...): `nh` and `th` are the network and transport header offsets in skb.buf. */
export type GsoTransportFn = (skb: SkBuff, nh: number, th: number) => SkBuff[] | null;

/**
 * A segment of `skb`: its bytes [skb.data, hdrEnd) (every header) followed by `len` payload
 * bytes from `from`, in a buffer of its own; the metadata a transmit path reads is copied, the
 * GSO fields cleared, and the checksum left partial at the same place.
 */
export function gsoSegmentAlloc(skb: SkBuff, hdrEnd: number, from: number, len: number): SkBuff {
  const hlen = hdrEnd - skb.data;
  const buf = Buffer.allocUnsafe(hlen + len);
  skb.buf.copy(buf, 0, skb.data, hdrEnd);
  skb.buf.copy(buf, hlen, from, from + len);
  const seg = new SkBuff(buf, 0, hlen + len);
  const shift = -skb.data;
  seg.dev = skb.dev;
  seg.protocol = skb.protocol;
  seg.pktType = skb.pktType;
  seg.sk = skb.sk;
  seg.macHeader = skb.macHeader >= 0 ? skb.macHeader + shift : -1;
  seg.networkHeader = skb.networkHeader >= 0 ? skb.networkHeader + shift : -1;
  seg.transportHeader = skb.csumStart + shift;
  seg.ipSummed = skb.ipSummed;
  seg.csumStart = skb.csumStart + shift;
  seg.csumOffset = skb.csumOffset;
  return seg;
}
