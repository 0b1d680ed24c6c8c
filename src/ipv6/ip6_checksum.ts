// IPv6 pseudo-header checksum: csum_ipv6_magic (include/net/ip6_checksum.h, net/ipv6/ip6_checksum.c)
// on top of the family-neutral csum_partial/csum_fold in src/core/checksum.ts.
import { csumFold, csumPartial } from '../core/checksum.js';

export const IPPROTO_ICMPV6 = 58;

/**
 * Partial sum (folded to 16 bits, not complemented) of the RFC 8200 §8.1 pseudo-header: source,
 * destination, the upper-layer packet length as 32 bits and the next header value as 32 bits.
 * Use it as csumPartial's `initial`. `len` is the upper-layer length (for ICMPv6: the ICMPv6
 * message; extension headers in between are not counted); the destination is the final one.
 */
export function ipv6PseudoSum(
  saddr: Uint8Array,
  sOff: number,
  daddr: Uint8Array,
  dOff: number,
  len: number,
  proto: number,
): number {
  let s = (len >>> 16) + (len & 0xffff) + (proto & 0xff);
  for (let i = 0; i < 16; i += 2) {
    s += (saddr[sOff + i] << 8) | saddr[sOff + i + 1];
    s += (daddr[dOff + i] << 8) | daddr[dOff + i + 1];
  }
  // At most 16 * 0xffff + 2 * 0xffff + 0xff < 2^21: two folds suffice.
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

/**
 * csum_ipv6_magic: the value to store in (or, over data that includes a valid checksum field,
 * 0 to expect from) an ICMPv6/UDP/TCP checksum field, given the partial sum `csum` of the
 * upper-layer data (csumPartial).
 */
export function csumIpv6Magic(
  saddr: Uint8Array,
  sOff: number,
  daddr: Uint8Array,
  dOff: number,
  len: number,
  proto: number,
  csum: number,
): number {
  let s = ipv6PseudoSum(saddr, sOff, daddr, dOff, len, proto) + (csum & 0xffff) + (csum >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return csumFold(s);
}

/**
 * Checksum over `len` bytes at `off` plus the pseudo-header: 0 when a received message verifies
 * (its checksum field included), else the mismatch. With the checksum field zeroed it is the
 * value to store.
 */
export function ipv6UpperCsum(
  buf: Uint8Array,
  off: number,
  len: number,
  saddr: Uint8Array,
  sOff: number,
  daddr: Uint8Array,
  dOff: number,
  proto: number,
): number {
  return csumFold(csumPartial(buf, off, len, ipv6PseudoSum(saddr, sOff, daddr, dOff, len, proto)));
}
