// The Neighbour Advertisement answering an NS, written over the NS's own bytes: what
// ndisc_send_na (net/ipv6/ndisc.c) lays out and ndisc_send_skb heads and checksums, as one pass.
//
// An NS and its NA keep the target at the same place (ICMPv6 offset 8), and the NA's addresses
// are the NS's source and the target, so the answer needs no buffer of its own: the solicitor's
// address moves to the destination field, the target to the source field, and the rest of the
// NA (8 bytes of header, the TLLAO) is written around the target, in 32-bit words. The checksum
// is summed from the words already in hand while the addresses move: nothing is read twice.
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
 * A DataView over the last buffer answered in, made once per buffer: a driver receives into one
 * ring (the TAP's), so after the first frame this allocates nothing. Its 32-bit reads and writes
 * cost one bounds check each, where the same four bytes through the Uint8Array cost four.
 * (ndisc_recv_ns reads the target's words through it too.)
 */
let viewOf: Uint8Array | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

export function viewFor(b: Uint8Array): DataView<ArrayBufferLike> {
  if (b !== viewOf) {
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    viewOf = b;
  }
  return view;
}

/**
 * Rewrites the IPv6 header at `nh` and the NS right behind it (at nh + 40: no extension header
 * between) into the NA from the NS's target to its source: the same bytes as writeIpv6Header
 * (traffic class `tclass`, flow label 0, hop limit 255, next header ICMPv6) followed by
 * writeNa(flags, target, tllMac) and icmp6FillChecksum. With `tllMac` the TLLAO carries its first
 * 6 bytes, as writeNa's option does. The caller has checked that the NA (naLen(tllMac !== null)
 * bytes) fits inside the NS; bytes after it are left as they are. Returns the NA's length.
 */
export function writeNaOverNs(b: Uint8Array, nh: number, tclass: number, flags: number, tllMac: Uint8Array | null): number {
  const v = viewFor(b);
  const s = nh + IP6H_SADDR_OFF;
  const d = nh + IP6H_DADDR_OFF;
  const t = nh + IPV6_HDR_LEN;
  const tg = t + 8;
  const len = tllMac !== null ? ND_NA_TLLAO_LEN : ND_NA_LEN;
  const fl = flags & ND_NA_FLAGS_MASK;
  // Big-endian 32-bit words; the ones' complement sum adds their 16-bit halves. The target counts
  // twice: as the source address and in the message.
  const p0 = v.getUint32(s);
  const p1 = v.getUint32(s + 4);
  const p2 = v.getUint32(s + 8);
  const p3 = v.getUint32(s + 12);
  const t0 = v.getUint32(tg);
  const t1 = v.getUint32(tg + 4);
  const t2 = v.getUint32(tg + 8);
  const t3 = v.getUint32(tg + 12);
  v.setUint32(d, p0);
  v.setUint32(d + 4, p1);
  v.setUint32(d + 8, p2);
  v.setUint32(d + 12, p3);
  v.setUint32(s, t0);
  v.setUint32(s + 4, t1);
  v.setUint32(s + 8, t2);
  v.setUint32(s + 12, t3);
  let sum =
    (p0 >>> 16) + (p0 & 0xffff) + (p1 >>> 16) + (p1 & 0xffff) + (p2 >>> 16) + (p2 & 0xffff) + (p3 >>> 16) + (p3 & 0xffff) +
    2 * ((t0 >>> 16) + (t0 & 0xffff) + (t1 >>> 16) + (t1 & 0xffff) + (t2 >>> 16) + (t2 & 0xffff) + (t3 >>> 16) + (t3 & 0xffff));
  // Version 6, the traffic class, flow label 0; payload length, next header, hop limit.
  v.setUint32(nh, (0x60000000 | ((tclass & 0xff) << 20)) >>> 0);
  v.setUint32(nh + 4, ((len << 16) | (NEXTHDR_ICMP << 8) | ND_HOP_LIMIT) >>> 0);
  // Type, code 0, checksum 0 for now; the flags byte and three reserved bytes.
  v.setUint32(t, (NDISC_NEIGHBOUR_ADVERTISEMENT << 24) >>> 0);
  v.setUint32(t + 4, (fl << 24) >>> 0);
  // The pseudo-header's length and next header, the type/code word and the flags word.
  sum += len + NEXTHDR_ICMP + (NDISC_NEIGHBOUR_ADVERTISEMENT << 8) + (fl << 8);
  if (tllMac !== null) {
    const o = t + ND_NA_LEN;
    const w0 = (ND_OPT_TARGET_LL_ADDR << 8) | ((ND_NA_TLLAO_LEN - ND_NA_LEN) >>> 3);
    const w1 = (tllMac[0] << 8) | tllMac[1];
    const w2 = (tllMac[2] << 8) | tllMac[3];
    const w3 = (tllMac[4] << 8) | tllMac[5];
    v.setUint16(o, w0);
    v.setUint16(o + 2, w1);
    v.setUint16(o + 4, w2);
    v.setUint16(o + 6, w3);
    sum += w0 + w1 + w2 + w3;
  }
  // Below 2^21, and positive: two folds give the 16-bit value csumPartial would, then complement.
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(t + 2, ~sum & 0xffff);
  return len;
}
