// The Neighbour Advertisement answering an NS, written over the NS's own bytes: what
// ndisc_send_na (net/ipv6/ndisc.c) lays out and ndisc_send_skb heads and checksums, as one pass.
//
// An NS and its NA keep the target at the same place (ICMPv6 offset 8), and the NA's addresses
// are the NS's source and the target, so the answer needs no buffer of its own: the solicitor's
// address moves to the destination field, the target to the source field, and the rest of the
// NA (8 bytes of header, the TLLAO) is written around the target. The checksum is summed while
// the addresses are moved, from values already in hand: nothing is read twice.
import * as ip6h from './ipv6hdr.js';
import * as ndw from './ndisc_wire.js';

// Module-local copies of the constants used per packet: V8 folds a module's own const into the
// compiled code, but reads an imported binding from its module cell (with a TDZ check) each time.
const IP6H_SADDR_OFF = ip6h.IP6H_SADDR_OFF;
const IP6H_DADDR_OFF = ip6h.IP6H_DADDR_OFF;
const IPV6_HDR_LEN = ip6h.IPV6_HDR_LEN;
const ND_NA_FLAGS_MASK = ndw.ND_NA_FLAGS_MASK;
const ND_NA_LEN = ndw.ND_NA_LEN;
const ND_OPT_TARGET_LL_ADDR = ndw.ND_OPT_TARGET_LL_ADDR;
const NDISC_NEIGHBOUR_ADVERTISEMENT = ndw.NDISC_NEIGHBOUR_ADVERTISEMENT;
/** naLen(true): the NA with a 6-byte TLLAO. */
const ND_NA_TLLAO_LEN = ndw.naLen(true);
const NEXTHDR_ICMP = 58;
const ND_HOP_LIMIT = 255;

/**
 * Rewrites the IPv6 header at `nh` and the NS right behind it (at nh + 40: no extension header
 * between) into the NA from the NS's target to its source: the same bytes as writeIpv6Header
 * (traffic class `tclass`, flow label 0, hop limit 255, next header ICMPv6) followed by
 * writeNa(flags, target, tllMac) and icmp6FillChecksum. With `tllMac` the TLLAO carries its first
 * 6 bytes, as writeNa's option does. The caller has checked that the NA (naLen(tllMac !== null)
 * bytes) fits inside the NS; bytes after it are left as they are. Returns the NA's length.
 */
export function writeNaOverNs(b: Uint8Array, nh: number, tclass: number, flags: number, tllMac: Uint8Array | null): number {
  const s = nh + IP6H_SADDR_OFF;
  const d = nh + IP6H_DADDR_OFF;
  const t = nh + IPV6_HDR_LEN;
  const tg = t + 8;
  const len = tllMac !== null ? ND_NA_TLLAO_LEN : ND_NA_LEN;
  const fl = flags & ND_NA_FLAGS_MASK;
  // Ones' complement sum as csumPartial keeps it: bytes landing in the high and the low half of
  // a 16-bit word, apart. The target counts twice: as the source address and in the message.
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 16; i += 2) {
    const p0 = b[s + i];
    const p1 = b[s + i + 1];
    const t0 = b[tg + i];
    const t1 = b[tg + i + 1];
    b[d + i] = p0;
    b[d + i + 1] = p1;
    b[s + i] = t0;
    b[s + i + 1] = t1;
    hi += p0 + t0 + t0;
    lo += p1 + t1 + t1;
  }
  b[nh] = 0x60 | ((tclass >>> 4) & 0x0f);
  b[nh + 1] = (tclass & 0x0f) << 4;
  b[nh + 2] = 0;
  b[nh + 3] = 0;
  b[nh + 4] = len >>> 8;
  b[nh + 5] = len;
  b[nh + 6] = NEXTHDR_ICMP;
  b[nh + 7] = ND_HOP_LIMIT;
  b[t] = NDISC_NEIGHBOUR_ADVERTISEMENT;
  b[t + 1] = 0;
  b[t + 4] = fl;
  b[t + 5] = 0;
  b[t + 6] = 0;
  b[t + 7] = 0;
  // The pseudo-header's length and next header, the type/code word and the flags word.
  hi += (len >>> 8) + NDISC_NEIGHBOUR_ADVERTISEMENT + fl;
  lo += (len & 0xff) + NEXTHDR_ICMP;
  if (tllMac !== null) {
    const o = t + ND_NA_LEN;
    const m0 = tllMac[0];
    const m1 = tllMac[1];
    const m2 = tllMac[2];
    const m3 = tllMac[3];
    const m4 = tllMac[4];
    const m5 = tllMac[5];
    const units = (len - ND_NA_LEN) >>> 3;
    b[o] = ND_OPT_TARGET_LL_ADDR;
    b[o + 1] = units;
    b[o + 2] = m0;
    b[o + 3] = m1;
    b[o + 4] = m2;
    b[o + 5] = m3;
    b[o + 6] = m4;
    b[o + 7] = m5;
    hi += ND_OPT_TARGET_LL_ADDR + m0 + m2 + m4;
    lo += units + m1 + m3 + m5;
  }
  // Below 2^21, and positive: two folds give the 16-bit value csumPartial would, then complement.
  let sum = hi * 256 + lo;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  b[t + 2] = c >>> 8;
  b[t + 3] = c & 0xff;
  return len;
}
