// Ethernet II header: include/uapi/linux/if_ether.h (struct ethhdr, ETH_P_*), with the
// ethertype read of eth_type_trans and the header build of eth_header.

export const ETH_ALEN = 6;
export const ETH_HLEN = 14;
/** Minimum frame length without FCS; shorter frames are padded on transmit. */
export const ETH_ZLEN = 60;
export const ETH_DATA_LEN = 1500;
export const ETH_FRAME_LEN = 1514;

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;

// Field offsets inside struct ethhdr.
export const ETH_DEST_OFF = 0;
export const ETH_SOURCE_OFF = 6;
export const ETH_PROTO_OFF = 12;

/** h_proto of the frame starting at `off` (big-endian on the wire). */
export function ethProto(buf: Uint8Array, off: number): number {
  return (buf[off + 12] << 8) | buf[off + 13];
}

/**
 * Write dst, src and ethertype at `off`; returns the payload offset (off + ETH_HLEN).
 * Byte stores instead of Buffer#copy: for 6 bytes the call overhead of copy dominates.
 * dst may alias the frame's own source field (in-place reply: dst = buf, dstOff = off + 6)
 * because dst is read before bytes 6-11 are overwritten; src must not alias bytes 0-5.
 */
export function emitEthHeader(
  buf: Uint8Array,
  off: number,
  dst: Uint8Array,
  dstOff: number,
  src: Uint8Array,
  srcOff: number,
  proto: number,
): number {
  buf[off] = dst[dstOff];
  buf[off + 1] = dst[dstOff + 1];
  buf[off + 2] = dst[dstOff + 2];
  buf[off + 3] = dst[dstOff + 3];
  buf[off + 4] = dst[dstOff + 4];
  buf[off + 5] = dst[dstOff + 5];
  buf[off + 6] = src[srcOff];
  buf[off + 7] = src[srcOff + 1];
  buf[off + 8] = src[srcOff + 2];
  buf[off + 9] = src[srcOff + 3];
  buf[off + 10] = src[srcOff + 4];
  buf[off + 11] = src[srcOff + 5];
  buf[off + 12] = proto >>> 8;
  buf[off + 13] = proto;
  return off + ETH_HLEN;
}
