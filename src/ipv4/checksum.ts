// IPv4-only checksums: ip_fast_csum and csum_tcpudp_nofold (include/net/checksum.h,
// arch/*/lib/checksum.c). The family-neutral csum_partial/csum_fold/csum_add/csum_replace* are in
// src/core/checksum.ts.

/**
 * Checksum over an IPv4 header of `ihl` 32-bit words (the IHL field, as ip_fast_csum takes it,
 * NOT bytes). Returns 0 when the stored checksum is valid; with the check field zeroed it returns
 * the value to store.
 */
export function ipFastCsum(buf: Uint8Array, off: number, ihl: number): number {
  // The fixed 20 bytes straight-line; options (rare) in a loop.
  let s =
    ((buf[off] << 8) | buf[off + 1]) +
    ((buf[off + 2] << 8) | buf[off + 3]) +
    ((buf[off + 4] << 8) | buf[off + 5]) +
    ((buf[off + 6] << 8) | buf[off + 7]) +
    ((buf[off + 8] << 8) | buf[off + 9]) +
    ((buf[off + 10] << 8) | buf[off + 11]) +
    ((buf[off + 12] << 8) | buf[off + 13]) +
    ((buf[off + 14] << 8) | buf[off + 15]) +
    ((buf[off + 16] << 8) | buf[off + 17]) +
    ((buf[off + 18] << 8) | buf[off + 19]);
  const end = off + ihl * 4;
  for (let i = off + 20; i < end; i += 2) s += (buf[i] << 8) | buf[i + 1];
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/**
 * Partial sum of the UDP/TCP pseudo-header (csum_tcpudp_nofold), folded to 16 bits, for use as
 * csumPartial's `initial`. `len` is the transport length (header + payload). For UDP remember
 * RFC 768: a computed checksum of 0 is transmitted as 0xffff.
 */
export function udpPseudoSum(saddr: number, daddr: number, proto: number, len: number): number {
  let s = (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + (proto & 0xff) + (len & 0xffff);
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}
