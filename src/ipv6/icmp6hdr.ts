// ICMPv6 header: include/uapi/linux/icmpv6.h (struct icmp6hdr, ICMPV6_* types and codes);
// icmp6Check mirrors the checksum and length checks of icmpv6_rcv, icmp6ErrorCheck the "may I
// send this error" rules of icmp6_send / is_ineligible / opt_unrec (net/ipv6/icmp.c).
//
// Emitters write at `off` and return the number of bytes written; the checksum needs the IPv6
// addresses, so it is filled last by icmp6FillChecksum (as finishIcmpChecksum does for IPv4).
import { csumFold, csumPartial } from '../core/checksum.js';
import { IPPROTO_ICMPV6, ipv6PseudoSum } from './ip6_checksum.js';
import { IPV6_ADDR_ANY, IPV6_ADDR_MULTICAST, ipv6AddrType } from './in6_addr.js';
import {
  EXTHDR_BAD_LEN,
  EXTHDR_OK,
  IP6H_DADDR_OFF,
  IP6H_SADDR_OFF,
  IPV6_HDR_LEN,
  IPV6_MIN_MTU,
  NEXTHDR_ICMP,
  ipv6SkipExthdr,
  newIpv6Exthdrs,
} from './ipv6hdr.js';

export { IPPROTO_ICMPV6 };

// Error messages (type < 128).
export const ICMPV6_DEST_UNREACH = 1;
export const ICMPV6_PKT_TOOBIG = 2;
export const ICMPV6_TIME_EXCEED = 3;
export const ICMPV6_PARAMPROB = 4;
export const ICMPV6_ERRMSG_MAX = 127;
/** Informational messages have this bit set. */
export const ICMPV6_INFOMSG_MASK = 0x80;
// Informational messages.
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ICMPV6_MGM_QUERY = 130;
export const ICMPV6_MGM_REPORT = 131;
export const ICMPV6_MGM_REDUCTION = 132;
export const ICMPV6_NI_QUERY = 139;
export const ICMPV6_NI_REPLY = 140;
export const ICMPV6_MLD2_REPORT = 143;
export const ICMPV6_EXT_ECHO_REQUEST = 160;
export const ICMPV6_EXT_ECHO_REPLY = 161;

// ICMPV6_DEST_UNREACH codes.
export const ICMPV6_NOROUTE = 0;
export const ICMPV6_ADM_PROHIBITED = 1;
export const ICMPV6_NOT_NEIGHBOUR = 2;
export const ICMPV6_ADDR_UNREACH = 3;
export const ICMPV6_PORT_UNREACH = 4;
export const ICMPV6_POLICY_FAIL = 5;
export const ICMPV6_REJECT_ROUTE = 6;

// ICMPV6_TIME_EXCEED codes.
export const ICMPV6_EXC_HOPLIMIT = 0;
export const ICMPV6_EXC_FRAGTIME = 1;

// ICMPV6_PARAMPROB codes.
export const ICMPV6_HDR_FIELD = 0;
export const ICMPV6_UNK_NEXTHDR = 1;
export const ICMPV6_UNK_OPTION = 2;
export const ICMPV6_HDR_INCOMP = 3;

/** sizeof(struct icmp6hdr). */
export const ICMP6_HLEN = 8;
/** Bytes of the offending packet an error quotes at most: what fits in IPV6_MIN_MTU. */
export const ICMP6_ERR_QUOTE_MAX = IPV6_MIN_MTU - IPV6_HDR_LEN - ICMP6_HLEN;

export function icmp6Type(buf: Uint8Array, off: number): number {
  return buf[off];
}

export function icmp6Code(buf: Uint8Array, off: number): number {
  return buf[off + 1];
}

export function icmp6Checksum(buf: Uint8Array, off: number): number {
  return (buf[off + 2] << 8) | buf[off + 3];
}

/** Echo identifier (icmp6_identifier). */
export function icmp6Identifier(buf: Uint8Array, off: number): number {
  return (buf[off + 4] << 8) | buf[off + 5];
}

/** Echo sequence (icmp6_sequence). */
export function icmp6Sequence(buf: Uint8Array, off: number): number {
  return (buf[off + 6] << 8) | buf[off + 7];
}

/** The 32-bit word after the checksum: icmp6_mtu (PKT_TOOBIG), icmp6_pointer (PARAMPROB). */
export function icmp6Word(buf: Uint8Array, off: number): number {
  return ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
}

/** True for error messages (type < 128). */
export function icmp6IsError(type: number): boolean {
  return (type & ICMPV6_INFOMSG_MASK) === 0;
}

export const ICMP6_OK = 0;
/** Checksum (with the pseudo-header) does not verify: Icmp6InCsumErrors and Icmp6InErrors. */
export const ICMP6_DROP_BAD_CSUM = 1;
/** Fewer than 8 bytes: Icmp6InErrors. */
export const ICMP6_DROP_TOO_SHORT = 2;

export const ICMP6_DROP_REASONS: readonly string[] = Object.freeze(['ok', 'icmp6-bad-csum', 'icmp6-too-short']);

/**
 * icmpv6_rcv's first checks on the `len`-byte message at `off` (the upper-layer part of the
 * packet). `nhOff` is the IPv6 header's offset in the same buffer (for the pseudo-header). As in
 * the kernel the checksum comes first, so a short message with a bad checksum is a csum error.
 */
export function icmp6Check(buf: Uint8Array, nhOff: number, off: number, len: number): number {
  const ps = ipv6PseudoSum(buf, nhOff + IP6H_SADDR_OFF, buf, nhOff + IP6H_DADDR_OFF, len, IPPROTO_ICMPV6);
  if (csumFold(csumPartial(buf, off, len, ps)) !== 0) return ICMP6_DROP_BAD_CSUM;
  if (len < ICMP6_HLEN) return ICMP6_DROP_TOO_SHORT;
  return ICMP6_OK;
}

/**
 * Compute and store the checksum of the `len`-byte ICMPv6 message at `off` sent from `saddr` to
 * `daddr` (the final destination). The field is zeroed first, so reflected buffers work.
 * Returns the stored value.
 */
export function icmp6FillChecksum(
  buf: Uint8Array,
  off: number,
  len: number,
  saddr: Uint8Array,
  sOff: number,
  daddr: Uint8Array,
  dOff: number,
): number {
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  const c = csumFold(csumPartial(buf, off, len, ipv6PseudoSum(saddr, sOff, daddr, dOff, len, IPPROTO_ICMPV6)));
  buf[off + 2] = c >>> 8;
  buf[off + 3] = c;
  return c;
}

/**
 * memmove of `len` bytes without allocating (TypedArray.set over a subarray would make a view
 * per packet): copyWithin inside one view, a loop in the safe direction otherwise — two Buffers
 * from Node's pool can share one ArrayBuffer, so overlap is judged on absolute positions.
 */
function moveBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (len <= 0) return;
  if (dst === src) {
    if (dstOff !== srcOff) dst.copyWithin(dstOff, srcOff, srcOff + len);
    return;
  }
  if (dst.buffer === src.buffer && dst.byteOffset + dstOff > src.byteOffset + srcOff) {
    for (let i = len - 1; i >= 0; i--) dst[dstOff + i] = src[srcOff + i];
  } else {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
  }
}

/** Type, code, zero checksum and the 32-bit `rest` word. Returns 8. */
export function writeIcmp6Header(buf: Uint8Array, off: number, type: number, code: number, rest: number): number {
  buf[off] = type;
  buf[off + 1] = code;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = rest >>> 24;
  buf[off + 5] = rest >>> 16;
  buf[off + 6] = rest >>> 8;
  buf[off + 7] = rest;
  return ICMP6_HLEN;
}

/** Echo request/reply header (id, seq; checksum 0). Returns 8; the data follows. */
export function writeIcmp6Echo(buf: Uint8Array, off: number, type: number, id: number, seq: number): number {
  return writeIcmp6Header(buf, off, type, 0, ((id & 0xffff) << 16) | (seq & 0xffff));
}

/**
 * A whole echo message: header, then `dataLen` bytes of data copied from (data, dataOff) — which
 * may be the request being answered in the same buffer (icmpv6_echo_reply keeps id, seq and
 * data) — and the checksum. Returns 8 + dataLen.
 */
export function emitIcmp6Echo(
  buf: Uint8Array,
  off: number,
  type: number,
  id: number,
  seq: number,
  data: Uint8Array,
  dataOff: number,
  dataLen: number,
  saddr: Uint8Array,
  sOff: number,
  daddr: Uint8Array,
  dOff: number,
): number {
  moveBytes(buf, off + ICMP6_HLEN, data, dataOff, dataLen);
  writeIcmp6Echo(buf, off, type, id, seq);
  icmp6FillChecksum(buf, off, ICMP6_HLEN + dataLen, saddr, sOff, daddr, dOff);
  return ICMP6_HLEN + dataLen;
}

/** How many bytes of a `pktLen`-byte offending packet an error quotes (icmp6_send). */
export function icmp6ErrorQuoteLen(pktLen: number): number {
  return pktLen < ICMP6_ERR_QUOTE_MAX ? pktLen : ICMP6_ERR_QUOTE_MAX;
}

/**
 * An error message as icmp6_send builds it: type, code, `info` (the MTU for PKT_TOOBIG, the
 * pointer for PARAMPROB, else 0), then as much of the offending packet (pkt, pktOff, pktLen;
 * from its IPv6 header on) as keeps the whole error within 1280 bytes, and the checksum from
 * `saddr` to `daddr` (the offender's source). `pkt` may sit anywhere in `buf`, overlapping the
 * message (it is moved before the header is written); `saddr`/`daddr` must not lie inside the
 * bytes written. Returns 8 + the quoted length.
 */
export function emitIcmp6Error(
  buf: Uint8Array,
  off: number,
  type: number,
  code: number,
  info: number,
  pkt: Uint8Array,
  pktOff: number,
  pktLen: number,
  saddr: Uint8Array,
  sOff: number,
  daddr: Uint8Array,
  dOff: number,
): number {
  const q = icmp6ErrorQuoteLen(pktLen);
  moveBytes(buf, off + ICMP6_HLEN, pkt, pktOff, q);
  writeIcmp6Header(buf, off, type, code, info);
  icmp6FillChecksum(buf, off, ICMP6_HLEN + q, saddr, sOff, daddr, dOff);
  return ICMP6_HLEN + q;
}

// icmp6ErrorCheck results: why icmp6_send sends nothing (before routing and rate limits).
export const ICMP6_ERR_OK = 0;
/** The offending packet went to a multicast address (or was not PACKET_HOST), and the error is not one RFC 4443 2.4(e.3) allows there. */
export const ICMP6_ERR_MCAST_DST = 1;
/** Its source is `::` or multicast: no single node to tell (RFC 4443 2.4(e.5)). */
export const ICMP6_ERR_BAD_SRC = 2;
/** It is itself an ICMPv6 error (or too short to tell): never answer an error (is_ineligible). */
export const ICMP6_ERR_INELIGIBLE = 3;

export const ICMP6_ERR_REASONS: readonly string[] = Object.freeze([
  'ok',
  'icmp6-err-mcast-dst',
  'icmp6-err-bad-src',
  'icmp6-err-ineligible',
]);

const EXT = newIpv6Exthdrs();

/**
 * Whether icmp6_send may answer the packet at (buf, nhOff, len) with (type, code, info):
 * errors about packets to multicast (or not addressed to this host, `toHost` false) only for
 * PKT_TOOBIG and PARAMPROB UNK_OPTION pointing at an option whose type demands it (high bits
 * 10, opt_unrec — a pointer past the packet counts as demanding, as the kernel's failed read
 * does); never to `::` or multicast sources; never about ICMPv6 errors (is_ineligible: an
 * ICMPv6 message whose type byte is missing counts as one, unless it is a fragment: frag_off
 * non-zero).
 * Returns ICMP6_ERR_OK or an ICMP6_ERR_* reason. For a caller that then sends, `saddr` of the
 * error is left to it (the kernel uses the packet's destination when it is a local address).
 */
export function icmp6ErrorCheck(
  buf: Uint8Array,
  nhOff: number,
  len: number,
  type: number,
  code: number,
  info: number,
  toHost = true,
): number {
  if (len < IPV6_HDR_LEN) return ICMP6_ERR_INELIGIBLE;
  const dType = ipv6AddrType(buf, nhOff + IP6H_DADDR_OFF);
  if (dType & IPV6_ADDR_MULTICAST || !toHost) {
    const optUnrec = info >= len || (buf[nhOff + info] & 0xc0) === 0x80;
    if (type !== ICMPV6_PKT_TOOBIG && !(type === ICMPV6_PARAMPROB && code === ICMPV6_UNK_OPTION && optUnrec)) {
      return ICMP6_ERR_MCAST_DST;
    }
  }
  const sType = ipv6AddrType(buf, nhOff + IP6H_SADDR_OFF);
  if (sType === IPV6_ADDR_ANY || sType & IPV6_ADDR_MULTICAST) return ICMP6_ERR_BAD_SRC;
  const end = nhOff + len;
  // is_ineligible: an unparseable chain is not a reason to stay silent; an ICMPv6 error is. A
  // header running past the end still names what follows it, as the kernel's walk does: an
  // upper layer there sits past the end (for ICMPv6: an unreadable type byte).
  const r = ipv6SkipExthdr(buf, nhOff + IPV6_HDR_LEN, end, buf[nhOff + 6], nhOff + 6, EXT);
  if (r !== EXTHDR_OK && !(r === EXTHDR_BAD_LEN && EXT.nexthdr === NEXTHDR_ICMP)) return ICMP6_ERR_OK;
  if (EXT.nexthdr === NEXTHDR_ICMP) {
    if (EXT.offset >= end) return EXT.fragOff !== 0 ? ICMP6_ERR_OK : ICMP6_ERR_INELIGIBLE;
    if ((buf[EXT.offset] & ICMPV6_INFOMSG_MASK) === 0) return ICMP6_ERR_INELIGIBLE;
  }
  return ICMP6_ERR_OK;
}
