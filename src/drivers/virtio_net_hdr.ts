// struct virtio_net_hdr (include/uapi/linux/virtio_net.h) on a TAP opened with IFF_VNET_HDR:
// virtio_net_hdr_to_skb() for frames read, virtio_net_hdr_from_skb() for frames written.
import {
  CHECKSUM_NONE,
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  SKB_GSO_DODGY,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_UDP_L4,
  type SkBuff,
} from '../core/skbuff.js';

/** sizeof(struct virtio_net_hdr): the header tapstack asks for with TUNSETVNETHDRSZ. */
export const VNET_HDR_LEN = 10;

/** flags: the checksum from csum_start is yet to be computed (CHECKSUM_PARTIAL). */
export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
/** flags: the device verified the checksum (CHECKSUM_UNNECESSARY). */
export const VIRTIO_NET_HDR_F_DATA_VALID = 2;
/** flags: RSC coalescing information (virtio 1.x; a TAP never sets it). */
export const VIRTIO_NET_HDR_F_RSC_INFO = 4;

export const VIRTIO_NET_HDR_GSO_NONE = 0;
export const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
/** UFO: gone from Linux's receive side; refused. */
export const VIRTIO_NET_HDR_GSO_UDP = 3;
export const VIRTIO_NET_HDR_GSO_TCPV6 = 4;
export const VIRTIO_NET_HDR_GSO_UDP_L4 = 5;
export const VIRTIO_NET_HDR_GSO_ECN = 0x80;

const ETH_HLEN = 14;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
/** offsetof(struct tcphdr, check) and offsetof(struct udphdr, check). */
const TCP_CSUM_OFF = 16;
const UDP_CSUM_OFF = 6;

/** Why a received header was refused; each has a counter of the TAP device. */
export type VnetHdrError = 'vnetShort' | 'vnetBadFlags' | 'vnetBadCsum' | 'vnetBadGso';

/**
 * virtio_net_hdr_to_skb() for a frame of `len` bytes at buf[off..] whose header sits just in
 * front of it (buf[off - 10..off)): sets the skb's ip_summed, csum_start/offset and gso fields,
 * or names what is wrong. The kernel's checks: a known GSO type with a non-zero gso_size; a
 * partial checksum whose start and field lie within the frame; since Linux 6.11 (“drop bad gso
 * csum_start and offset”) a GSO frame's csum_start must be its transport header and csum_offset
 * the TCP or UDP checksum field. GSO without NEEDS_CSUM (which Linux would flow-dissect) is refused:
 * the kernel never hands a TAP one. A GSO frame whose payload fits one segment is no GSO frame.
 */
export function vnetHdrToSkb(buf: Uint8Array, off: number, len: number, skb: SkBuff): VnetHdrError | null {
  const h = off - VNET_HDR_LEN;
  const flags = buf[h];
  const gsoRaw = buf[h + 1];
  const gsoSize = buf[h + 4] | (buf[h + 5] << 8);
  const csumStart = buf[h + 6] | (buf[h + 7] << 8);
  const csumOffset = buf[h + 8] | (buf[h + 9] << 8);
  if ((flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) !== 0) return 'vnetBadFlags';
  const gso = gsoRaw & ~VIRTIO_NET_HDR_GSO_ECN;
  let gsoType = 0;
  let proto = 0;
  if (gso !== VIRTIO_NET_HDR_GSO_NONE) {
    if (gso === VIRTIO_NET_HDR_GSO_TCPV4) gsoType = SKB_GSO_TCPV4;
    else if (gso === VIRTIO_NET_HDR_GSO_TCPV6) gsoType = SKB_GSO_TCPV6;
    else if (gso === VIRTIO_NET_HDR_GSO_UDP_L4) gsoType = SKB_GSO_UDP_L4;
    else return 'vnetBadGso';
    if (gsoSize === 0 || (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) === 0) return 'vnetBadGso';
    if (gsoRaw & VIRTIO_NET_HDR_GSO_ECN) gsoType |= SKB_GSO_TCP_ECN;
    proto = gso === VIRTIO_NET_HDR_GSO_UDP_L4 ? IPPROTO_UDP : IPPROTO_TCP;
  } else if (gsoRaw !== 0) return 'vnetBadGso';
  skb.gsoSize = 0;
  skb.gsoType = 0;
  skb.gsoSegs = 0;
  if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
    // skb_partial_csum_set(): the start within the frame, the 2-byte field within it too.
    if (csumStart < ETH_HLEN || csumStart + csumOffset + 2 > len) return 'vnetBadCsum';
    if (proto !== 0) {
      const th = transportOffset(buf, off, len, gso === VIRTIO_NET_HDR_GSO_TCPV6 || (gso === VIRTIO_NET_HDR_GSO_UDP_L4 && etherType(buf, off) === ETH_P_IPV6), proto);
      if (th !== csumStart || csumOffset !== (proto === IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF)) return 'vnetBadGso';
      const thlen = proto === IPPROTO_TCP ? (buf[off + th + 12] >>> 4) * 4 : 8;
      if (proto === IPPROTO_TCP && (thlen < 20 || th + thlen > len)) return 'vnetBadGso';
      // "Too small packets are not really GSO ones."
      if (len - th - thlen > gsoSize) {
        skb.gsoSize = gsoSize;
        skb.gsoType = gsoType | SKB_GSO_DODGY;
      }
    }
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = off + csumStart;
    skb.csumOffset = csumOffset;
  } else {
    skb.ipSummed = flags & VIRTIO_NET_HDR_F_DATA_VALID ? CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
  }
  return null;
}

function etherType(buf: Uint8Array, off: number): number {
  return (buf[off + 12] << 8) | buf[off + 13];
}

/**
 * The offset of the `proto` header in the frame at buf[off..off+len) for a GSO type of this
 * family (IPv4 with any IHL, IPv6 without extension headers, as Linux's segmenters take), or -1.
 */
function transportOffset(buf: Uint8Array, off: number, len: number, v6: boolean, proto: number): number {
  const et = etherType(buf, off);
  if (!v6) {
    if (et !== ETH_P_IP || len < ETH_HLEN + 20) return -1;
    const ihl = (buf[off + ETH_HLEN] & 0x0f) * 4;
    if (buf[off + ETH_HLEN] >>> 4 !== 4 || ihl < 20 || buf[off + ETH_HLEN + 9] !== proto) return -1;
    return ETH_HLEN + ihl;
  }
  if (et !== ETH_P_IPV6 || len < ETH_HLEN + 40 || buf[off + ETH_HLEN] >>> 4 !== 6 || buf[off + ETH_HLEN + 6] !== proto) return -1;
  return ETH_HLEN + 40;
}

/**
 * virtio_net_hdr_from_skb(): the header for the frame skb.buf[skb.data..skb.tail) written at
 * buf[h..h+10) — NEEDS_CSUM with the offsets of a partial checksum, the GSO type and size of a
 * super-segment (hdr_len: its headers through the TCP header), zeros for everything else.
 */
export function vnetHdrFromSkb(skb: SkBuff, buf: Uint8Array, h: number): void {
  let flags = 0;
  let gso = VIRTIO_NET_HDR_GSO_NONE;
  let hdrLen = 0;
  let gsoSize = 0;
  let start = 0;
  let offset = 0;
  if (skb.ipSummed === CHECKSUM_PARTIAL) {
    flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    start = skb.csumStart - skb.data;
    offset = skb.csumOffset;
    if (skb.gsoSize > 0) {
      const t = skb.gsoType;
      gso = t & SKB_GSO_TCPV4 ? VIRTIO_NET_HDR_GSO_TCPV4 : t & SKB_GSO_TCPV6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_UDP_L4;
      if (t & SKB_GSO_TCP_ECN) gso |= VIRTIO_NET_HDR_GSO_ECN;
      gsoSize = skb.gsoSize;
      hdrLen = start + (gso === VIRTIO_NET_HDR_GSO_UDP_L4 ? 8 : (skb.buf[skb.csumStart + 12] >>> 4) * 4);
    }
  }
  buf[h] = flags;
  buf[h + 1] = gso;
  buf[h + 2] = hdrLen & 0xff;
  buf[h + 3] = hdrLen >>> 8;
  buf[h + 4] = gsoSize & 0xff;
  buf[h + 5] = gsoSize >>> 8;
  buf[h + 6] = start & 0xff;
  buf[h + 7] = start >>> 8;
  buf[h + 8] = offset & 0xff;
  buf[h + 9] = offset >>> 8;
}
