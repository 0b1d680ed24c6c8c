// IPv6 header and extension headers: include/uapi/linux/ipv6.h (struct ipv6hdr, ipv6_opt_hdr,
// frag_hdr, ipv6_rt_hdr), include/net/ipv6.h (NEXTHDR_*, IP6_MF/IP6_OFFSET); ipv6HeaderCheck
// mirrors ip6_rcv_core (net/ipv6/ip6_input.c), ipv6SkipExthdr ipv6_skip_exthdr
// (net/ipv6/exthdrs_core.c), ip6ParseTlv ip6_parse_tlv / ip6_tlvopt_unknown (net/ipv6/exthdrs.c).
//
// Emitters write at `off` and return the number of bytes written.
import { in6Write, ipv6AddrIsMulticast, ipv6AddrLoopback, ipv6AddrMcScope } from './in6_addr.js';

/** sizeof(struct ipv6hdr). */
export const IPV6_HDR_LEN = 40;
/** IPV6_MIN_MTU: every IPv6 link carries 1280 bytes; ICMPv6 errors fit in it. */
export const IPV6_MIN_MTU = 1280;
/** IPV6_MAXPLEN: the largest payload_len; more needs a jumbo option. */
export const IPV6_MAXPLEN = 65535;
/** IPV6_DEFAULT_HOPLIMIT (net.ipv6.conf.*.hop_limit). */
export const IPV6_DEFAULT_HOPLIMIT = 64;

// Field offsets within struct ipv6hdr.
export const IP6H_PAYLOAD_LEN_OFF = 4;
export const IP6H_NEXTHDR_OFF = 6;
export const IP6H_HOP_LIMIT_OFF = 7;
export const IP6H_SADDR_OFF = 8;
export const IP6H_DADDR_OFF = 24;

// Next header values (include/net/ipv6.h).
export const NEXTHDR_HOP = 0;
export const NEXTHDR_IPV4 = 4;
export const NEXTHDR_TCP = 6;
export const NEXTHDR_UDP = 17;
export const NEXTHDR_IPV6 = 41;
export const NEXTHDR_ROUTING = 43;
export const NEXTHDR_FRAGMENT = 44;
export const NEXTHDR_GRE = 47;
export const NEXTHDR_ESP = 50;
export const NEXTHDR_AUTH = 51;
export const NEXTHDR_ICMP = 58;
export const NEXTHDR_NONE = 59;
export const NEXTHDR_DEST = 60;
export const NEXTHDR_SCTP = 132;
export const NEXTHDR_MOBILITY = 135;

// ---------------------------------------------------------------------------------------------
// Fixed header

export function ipv6Version(buf: Uint8Array, off: number): number {
  return buf[off] >>> 4;
}

/** Traffic class (ipv6_get_dsfield): DSCP << 2 | ECN. */
export function ipv6Tclass(buf: Uint8Array, off: number): number {
  return ((buf[off] & 0x0f) << 4) | (buf[off + 1] >>> 4);
}

/** The 20-bit flow label. */
export function ipv6FlowLabel(buf: Uint8Array, off: number): number {
  return ((buf[off + 1] & 0x0f) << 16) | (buf[off + 2] << 8) | buf[off + 3];
}

export function ipv6PayloadLen(buf: Uint8Array, off: number): number {
  return (buf[off + 4] << 8) | buf[off + 5];
}

export function ipv6Nexthdr(buf: Uint8Array, off: number): number {
  return buf[off + 6];
}

export function ipv6HopLimit(buf: Uint8Array, off: number): number {
  return buf[off + 7];
}

/** Offset of the source address (read it in place with the in6_addr helpers). */
export function ipv6SaddrOff(off: number): number {
  return off + IP6H_SADDR_OFF;
}

/** Offset of the destination address. */
export function ipv6DaddrOff(off: number): number {
  return off + IP6H_DADDR_OFF;
}

/**
 * Write the 40-byte header at `off` (ip6_flow_hdr + the rest of ip6_xmit's fill). Addresses are
 * copied from (saddr, sOff) and (daddr, dOff), which may lie anywhere in `buf` too — already at
 * the address fields, or at each other's (a reply built in place swaps them): a source inside
 * `buf` is read into a scratch area before anything is written. Returns 40.
 */
export function writeIpv6Header(
  buf: Uint8Array,
  off: number,
  tclass: number,
  flowLabel: number,
  payloadLen: number,
  nexthdr: number,
  hopLimit: number,
  saddr: Uint8Array,
  sOff: number,
  daddr: Uint8Array,
  dOff: number,
): number {
  const sInPlace = saddr === buf && sOff === off + IP6H_SADDR_OFF;
  const dInPlace = daddr === buf && dOff === off + IP6H_DADDR_OFF;
  // A source in the same buffer may overlap what is written below: take it out first.
  if (saddr === buf && !sInPlace) {
    in6Write(ADDR_SCRATCH, 0, saddr, sOff);
    saddr = ADDR_SCRATCH;
    sOff = 0;
  }
  if (daddr === buf && !dInPlace) {
    in6Write(ADDR_SCRATCH, 16, daddr, dOff);
    daddr = ADDR_SCRATCH;
    dOff = 16;
  }
  buf[off] = 0x60 | ((tclass >>> 4) & 0x0f);
  buf[off + 1] = ((tclass & 0x0f) << 4) | ((flowLabel >>> 16) & 0x0f);
  buf[off + 2] = flowLabel >>> 8;
  buf[off + 3] = flowLabel;
  buf[off + 4] = payloadLen >>> 8;
  buf[off + 5] = payloadLen;
  buf[off + 6] = nexthdr;
  buf[off + 7] = hopLimit;
  if (!sInPlace) in6Write(buf, off + IP6H_SADDR_OFF, saddr, sOff);
  if (!dInPlace) in6Write(buf, off + IP6H_DADDR_OFF, daddr, dOff);
  return IPV6_HDR_LEN;
}

/** Exchange the source and destination addresses of the header at `off` in place (a reply's header). */
export function ipv6SwapAddrs(buf: Uint8Array, off: number): void {
  const s = off + IP6H_SADDR_OFF;
  const d = off + IP6H_DADDR_OFF;
  for (let i = 0; i < 16; i++) {
    const t = buf[s + i];
    buf[s + i] = buf[d + i];
    buf[d + i] = t;
  }
}

/** saddr at 0, daddr at 16: where writeIpv6Header parks addresses read from its own buffer. */
const ADDR_SCRATCH = new Uint8Array(32);

export interface Ipv6HeaderFields {
  tclass: number;
  flowLabel: number;
  payloadLen: number;
  nexthdr: number;
  hopLimit: number;
  /** 16 bytes; from parseIpv6Header a view into the frame (subarray, no copy). */
  saddr: Uint8Array;
  daddr: Uint8Array;
}

/** Object form of the header (version not included: it is always 6 after ipv6HeaderCheck). */
export function parseIpv6Header(buf: Uint8Array, off: number): Ipv6HeaderFields {
  return {
    tclass: ipv6Tclass(buf, off),
    flowLabel: ipv6FlowLabel(buf, off),
    payloadLen: ipv6PayloadLen(buf, off),
    nexthdr: buf[off + 6],
    hopLimit: buf[off + 7],
    saddr: buf.subarray(off + IP6H_SADDR_OFF, off + IP6H_SADDR_OFF + 16),
    daddr: buf.subarray(off + IP6H_DADDR_OFF, off + IP6H_DADDR_OFF + 16),
  };
}

/** Object-argument form of writeIpv6Header. Returns 40. */
export function emitIpv6Header(buf: Uint8Array, off: number, f: Ipv6HeaderFields): number {
  return writeIpv6Header(buf, off, f.tclass, f.flowLabel, f.payloadLen, f.nexthdr, f.hopLimit, f.saddr, 0, f.daddr, 0);
}

// ipv6HeaderCheck results, in ip6_rcv_core's order. All but IP6_DROP_TRUNCATED are
// Ip6InHdrErrors; IP6_DROP_TRUNCATED is Ip6InTruncatedPkts.
export const IP6_OK = 0;
/** Fewer than 40 bytes. */
export const IP6_DROP_TOO_SHORT = 1;
/** version != 6. */
export const IP6_DROP_BAD_VERSION = 2;
/** ::1 as source or destination on a device that is not loopback (RFC 4291 2.5.3). */
export const IP6_DROP_LOOPBACK = 3;
/** Interface-local multicast (ff?1::) received from another node (RFC 4291 errata 3480). */
export const IP6_DROP_IFLOCAL_MCAST = 4;
/** Multicast destination with the reserved scope 0 (RFC 4291 2.7). */
export const IP6_DROP_MCAST_SCOPE0 = 5;
/** Multicast source address (RFC 4291 2.7). */
export const IP6_DROP_MCAST_SADDR = 6;
/** 40 + payload_len exceeds the bytes available. */
export const IP6_DROP_TRUNCATED = 7;

export const IP6_DROP_REASONS: readonly string[] = Object.freeze([
  'ok',
  'ip6-too-short',
  'ip6-bad-version',
  'ip6-loopback-addr',
  'ip6-iflocal-mcast',
  'ip6-mcast-scope0',
  'ip6-mcast-saddr',
  'ip6-truncated',
]);

/**
 * ip6_rcv_core's wire checks for `len` bytes at `off` (the frame's IPv6 part, link padding
 * included). `fromLoopback`: the packet came in on a loopback device (or is PACKET_LOOPBACK),
 * which may carry ::1 and interface-local multicast. On IP6_OK trim to ipv6PacketLen (trailing
 * bytes are link padding, as pskb_trim_rcsum does). payload_len 0 with a hop-by-hop header
 * (a jumbogram) passes untrimmed and unchecked; ip6ParseTlv judges the jumbo option. The checks that need the device
 * state (disable_ipv6, drop_unicast_in_l2_multicast with pkt_type) are the caller's.
 */
export function ipv6HeaderCheck(buf: Uint8Array, off: number, len: number, fromLoopback = false): number {
  if (len < IPV6_HDR_LEN) return IP6_DROP_TOO_SHORT;
  if (buf[off] >>> 4 !== 6) return IP6_DROP_BAD_VERSION;
  const s = off + IP6H_SADDR_OFF;
  const d = off + IP6H_DADDR_OFF;
  if (!fromLoopback && (ipv6AddrLoopback(buf, s) || ipv6AddrLoopback(buf, d))) return IP6_DROP_LOOPBACK;
  const dMcast = ipv6AddrIsMulticast(buf, d);
  if (!fromLoopback && dMcast && ipv6AddrMcScope(buf, d) === 1) return IP6_DROP_IFLOCAL_MCAST;
  if (dMcast && ipv6AddrMcScope(buf, d) === 0) return IP6_DROP_MCAST_SCOPE0;
  if (ipv6AddrIsMulticast(buf, s)) return IP6_DROP_MCAST_SADDR;
  const plen = (buf[off + 4] << 8) | buf[off + 5];
  if ((plen !== 0 || buf[off + 6] !== NEXTHDR_HOP) && plen + IPV6_HDR_LEN > len) return IP6_DROP_TRUNCATED;
  return IP6_OK;
}

/**
 * 40 + payload_len: the length to trim the received packet to after ipv6HeaderCheck. Given the
 * received length `len`, a payload_len of 0 in front of a hop-by-hop header (a jumbogram, which
 * ip6_rcv_core does not trim) returns `len` unchanged; without it such a packet gives 40.
 */
export function ipv6PacketLen(buf: Uint8Array, off: number, len = -1): number {
  const plen = (buf[off + 4] << 8) | buf[off + 5];
  if (plen === 0 && len >= 0 && buf[off + 6] === NEXTHDR_HOP) return len;
  return IPV6_HDR_LEN + plen;
}

// ---------------------------------------------------------------------------------------------
// Extension headers

/** ipv6_ext_hdr: next header values that are extension headers (NONE counts, ESP does not). */
export function ipv6ExtHdr(nexthdr: number): boolean {
  return (
    nexthdr === NEXTHDR_HOP ||
    nexthdr === NEXTHDR_ROUTING ||
    nexthdr === NEXTHDR_FRAGMENT ||
    nexthdr === NEXTHDR_AUTH ||
    nexthdr === NEXTHDR_NONE ||
    nexthdr === NEXTHDR_DEST
  );
}

/** ipv6_optlen: length in bytes of a hop-by-hop / routing / destination options header. */
export function ipv6Optlen(buf: Uint8Array, hdrOff: number): number {
  return (buf[hdrOff + 1] + 1) << 3;
}

/** ipv6_authlen: length in bytes of an AH header (its length counts 4-byte units, minus 2). */
export function ipv6Authlen(buf: Uint8Array, hdrOff: number): number {
  return (buf[hdrOff + 1] + 2) << 2;
}

/** sizeof(struct frag_hdr). */
export const FRAG_HDR_LEN = 8;
/** frag_off bits (host order after the 16-bit read): offset in bytes (8-byte units << 3), M flag. */
export const IP6_OFFSET = 0xfff8;
export const IP6_MF = 0x0001;

/** Fragment offset in bytes from a raw frag_off field. */
export function ip6FragOffset(fragOff: number): number {
  return fragOff & IP6_OFFSET;
}

/** More-fragments flag of a raw frag_off field. */
export function ip6FragMore(fragOff: number): boolean {
  return (fragOff & IP6_MF) !== 0;
}

/** The fragment header's identification (at hdrOff + 4). */
export function ip6FragId(buf: Uint8Array, hdrOff: number): number {
  return ((buf[hdrOff + 4] << 24) | (buf[hdrOff + 5] << 16) | (buf[hdrOff + 6] << 8) | buf[hdrOff + 7]) >>> 0;
}

/** Routing header type (ipv6_rt_hdr.type; 0 is the deprecated RH0 the kernel refuses). */
export function ipv6RthdrType(buf: Uint8Array, hdrOff: number): number {
  return buf[hdrOff + 2];
}

export function ipv6RthdrSegmentsLeft(buf: Uint8Array, hdrOff: number): number {
  return buf[hdrOff + 3];
}

/** Result of ipv6SkipExthdr, reused by the caller across packets. */
export interface Ipv6Exthdrs {
  /** Upper-layer protocol (or NEXTHDR_FRAGMENT when a non-first fragment stopped the walk). */
  nexthdr: number;
  /** Offset of the upper-layer header (or of that fragment header). */
  offset: number;
  /** Raw frag_off of the fragment header met (ip6FragOffset / ip6FragMore), 0 without one. */
  fragOff: number;
  /** Offset of that fragment header, -1 without one. */
  fragHdrOff: number;
  /** Offset of the next-header byte that names `nexthdr` (IP6CB nhoff; a PARAMPROB pointer). */
  nhoff: number;
  /** Extension headers walked. */
  count: number;
}

export function newIpv6Exthdrs(): Ipv6Exthdrs {
  return { nexthdr: 0, offset: 0, fragOff: 0, fragHdrOff: -1, nhoff: 0, count: 0 };
}

export const EXTHDR_OK = 0;
/** An extension header's first bytes (or the fragment header's frag_off) lie beyond the end. */
export const EXTHDR_TRUNCATED = 1;
/** An extension header's length runs past the end of the packet. */
export const EXTHDR_BAD_LEN = 2;
/** NEXTHDR_NONE: nothing follows (ipv6_skip_exthdr returns -1). */
export const EXTHDR_NO_NEXT = 3;

export const EXTHDR_REASONS: readonly string[] = Object.freeze([
  'ok',
  'exthdr-truncated',
  'exthdr-bad-len',
  'exthdr-no-next-header',
]);

/**
 * ipv6_skip_exthdr: walk the extension headers from `start` (the byte after the fixed header)
 * up to `end`, beginning with `nexthdr` (the fixed header's next header; its byte offset is
 * `nhoff`). Hop-by-hop, routing, fragment, destination options and AH are skipped; ESP and any
 * upper-layer protocol end the walk; a fragment header with a non-zero offset ends it too (the
 * rest is not a header: `nexthdr` is then NEXTHDR_FRAGMENT and `offset` that header's). Unlike
 * the kernel, whose later pulls find a header running past the packet, this checks each header
 * against `end` itself. Returns EXTHDR_OK with `res` filled, or an EXTHDR_* error. On
 * EXTHDR_BAD_LEN `res` still says where the kernel's walk would go next (the overrunning header's
 * next header, at the offset past it), which is_ineligible needs: the kernel then fails to read
 * a further extension header (-1) but returns an upper-layer offset past the end.
 */
export function ipv6SkipExthdr(
  buf: Uint8Array,
  start: number,
  end: number,
  nexthdr: number,
  nhoff: number,
  res: Ipv6Exthdrs,
): number {
  res.fragOff = 0;
  res.fragHdrOff = -1;
  res.count = 0;
  while (ipv6ExtHdr(nexthdr)) {
    if (nexthdr === NEXTHDR_NONE) return EXTHDR_NO_NEXT;
    if (start + 2 > end) return EXTHDR_TRUNCATED;
    let hdrlen: number;
    if (nexthdr === NEXTHDR_FRAGMENT) {
      if (start + 4 > end) return EXTHDR_TRUNCATED;
      const fo = (buf[start + 2] << 8) | buf[start + 3];
      res.fragOff = fo;
      res.fragHdrOff = start;
      if (fo & ~0x7) break;
      hdrlen = FRAG_HDR_LEN;
    } else if (nexthdr === NEXTHDR_AUTH) {
      hdrlen = ipv6Authlen(buf, start);
    } else {
      hdrlen = ipv6Optlen(buf, start);
    }
    if (start + hdrlen > end) {
      res.nexthdr = buf[start];
      res.offset = start + hdrlen;
      res.nhoff = start;
      return EXTHDR_BAD_LEN;
    }
    nexthdr = buf[start];
    nhoff = start;
    start += hdrlen;
    res.count++;
  }
  res.nexthdr = nexthdr;
  res.offset = start;
  res.nhoff = nhoff;
  return EXTHDR_OK;
}

/** Fragment header (8 bytes): nexthdr, reserved, frag_off (offset bytes | IP6_MF), id. Returns 8. */
export function writeFragHdr(buf: Uint8Array, off: number, nexthdr: number, fragOff: number, id: number): number {
  buf[off] = nexthdr;
  buf[off + 1] = 0;
  buf[off + 2] = fragOff >>> 8;
  buf[off + 3] = fragOff;
  buf[off + 4] = id >>> 24;
  buf[off + 5] = id >>> 16;
  buf[off + 6] = id >>> 8;
  buf[off + 7] = id;
  return FRAG_HDR_LEN;
}

// Hop-by-hop / destination option types (include/uapi/linux/in6.h IPV6_TLV_*).
export const IPV6_TLV_PAD1 = 0;
export const IPV6_TLV_PADN = 1;
export const IPV6_TLV_ROUTERALERT = 5;
export const IPV6_TLV_CALIPSO = 7;
export const IPV6_TLV_IOAM = 49;
export const IPV6_TLV_JUMBO = 194;
export const IPV6_TLV_HAO = 201;
/** Router Alert value for MLD (IPV6_OPT_ROUTERALERT_MLD). */
export const IPV6_OPT_ROUTERALERT_MLD = 0;
/** net.ipv6.max_hbh_opts_number / max_dst_opts_number default (IP6_DEFAULT_MAX_*_OPTS_CNT). */
export const IP6_DEFAULT_MAX_OPTS_CNT = 8;

/**
 * The hop-by-hop header Linux puts in front of every MLD message (mld_newpack): next header,
 * length 0, Router Alert (value 0 = MLD), PadN of 0 bytes. Returns 8.
 */
export function writeHbhRouterAlert(buf: Uint8Array, off: number, nexthdr: number, value = IPV6_OPT_ROUTERALERT_MLD): number {
  buf[off] = nexthdr;
  buf[off + 1] = 0;
  buf[off + 2] = IPV6_TLV_ROUTERALERT;
  buf[off + 3] = 2;
  buf[off + 4] = value >>> 8;
  buf[off + 5] = value;
  buf[off + 6] = IPV6_TLV_PADN;
  buf[off + 7] = 0;
  return 8;
}

/** What ip6ParseTlv found, reused by the caller. */
export interface Ip6TlvResult {
  /** Router Alert value, -1 without one (IP6CB ra, IP6SKB_ROUTERALERT). */
  routerAlert: number;
  /** For TLV_PARAMPROB: the ICMPv6 code (ICMPV6_HDR_FIELD 0 / ICMPV6_UNK_OPTION 2) and pointer. */
  icmpCode: number;
  /** Offset from the start of the IPv6 header, as the Parameter Problem pointer counts. */
  pointer: number;
}

export function newIp6TlvResult(): Ip6TlvResult {
  return { routerAlert: -1, icmpCode: 0, pointer: 0 };
}

export const TLV_OK = 0;
/** Malformed: option past the header, more than 7 bytes of padding, non-zero PadN, too many options, bad Router Alert / Jumbo length, misaligned Jumbo / IOAM, bad CALIPSO (Ip6InHdrErrors). */
export const TLV_BAD = 1;
/** Unknown option whose type says "discard" (action 01, or 11 to a multicast destination), or any unknown option under disallow_unknowns. */
export const TLV_UNKNOWN_DROP = 2;
/** Discard and send ICMPv6 Parameter Problem with res.icmpCode / res.pointer. */
export const TLV_PARAMPROB = 3;
/** Jumbo payload longer than the packet (Ip6InTruncatedPkts). */
export const TLV_TRUNCATED = 4;

export const TLV_REASONS: readonly string[] = Object.freeze([
  'ok',
  'tlv-bad',
  'tlv-unknown-option',
  'tlv-paramprob',
  'tlv-truncated',
]);

/**
 * ip6_parse_tlv over the hop-by-hop (hopByHop) or destination options header at hdrOff; `nhOff`
 * is the IPv6 header's offset (pointers count from it), `end` the end of the packet (a header
 * running past it is TLV_BAD). `maxCount` non-padding options at most (negative: the kernel's
 * disallow_unknowns, which drops every unknown option silently, whatever its action bits say —
 * no ICMP, so it cannot be used for reflection). Known hop-by-hop options: Router Alert (length
 * 2), Jumbo (ipv6_hop_jumbo), IOAM (4n-aligned, then ignored: ioam6_enabled is 0) and CALIPSO
 * (structural checks only, as a kernel without NETLABEL; with NETLABEL and no DOI configured
 * the kernel would drop every CALIPSO option). Every other option is judged by the two high
 * bits of its type: 00 skip, 01 drop, 10 drop + ICMP, 11 drop + ICMP unless the destination is
 * multicast.
 */
export function ip6ParseTlv(
  buf: Uint8Array,
  nhOff: number,
  hdrOff: number,
  end: number,
  hopByHop: boolean,
  maxCount: number,
  res: Ip6TlvResult,
): number {
  let len = ipv6Optlen(buf, hdrOff) - 2;
  let off = hdrOff + 2;
  let disallowUnknowns = false;
  if (maxCount < 0) {
    disallowUnknowns = true;
    maxCount = -maxCount;
  }
  let count = 0;
  let padlen = 0;
  res.routerAlert = -1;
  if (hdrOff + len + 2 > end) return TLV_BAD;
  while (len > 0) {
    const type = buf[off];
    if (type === IPV6_TLV_PAD1) {
      if (++padlen > 7) return TLV_BAD;
      off++;
      len--;
      continue;
    }
    if (len < 2) return TLV_BAD;
    const optlen = buf[off + 1] + 2;
    if (optlen > len) return TLV_BAD;
    if (type === IPV6_TLV_PADN) {
      padlen += optlen;
      if (padlen > 7) return TLV_BAD;
      for (let i = 2; i < optlen; i++) if (buf[off + i] !== 0) return TLV_BAD;
    } else {
      if (++count > maxCount) return TLV_BAD;
      let r = TLV_OK;
      if (hopByHop && type === IPV6_TLV_ROUTERALERT) {
        if (buf[off + 1] !== 2) return TLV_BAD;
        res.routerAlert = (buf[off + 2] << 8) | buf[off + 3];
      } else if (hopByHop && type === IPV6_TLV_JUMBO) {
        r = jumbo(buf, nhOff, off, end, res);
      } else if (hopByHop && type === IPV6_TLV_IOAM) {
        // ipv6_hop_ioam: misaligned → drop; otherwise ignored while IOAM is disabled.
        if (((off - nhOff) & 3) !== 0) return TLV_BAD;
      } else if (hopByHop && type === IPV6_TLV_CALIPSO) {
        // ipv6_hop_calipso: at least 8 bytes of data, and the category bitmap (4-byte units,
        // count at data byte 4) must fit in them.
        if (buf[off + 1] < 8 || buf[off + 6] * 4 + 8 > buf[off + 1]) return TLV_BAD;
      } else {
        r = unknownOption(buf, nhOff, off, disallowUnknowns, res);
      }
      if (r !== TLV_OK) return r;
      padlen = 0;
    }
    off += optlen;
    len -= optlen;
  }
  return TLV_OK;
}

function paramProb(res: Ip6TlvResult, code: number, pointer: number): number {
  res.icmpCode = code;
  res.pointer = pointer;
  return TLV_PARAMPROB;
}

/**
 * ipv6_hop_jumbo's checks. A TAP frame never holds a real jumbogram (> 65535 bytes). A wrong
 * length or alignment is a plain header error (dropped, no ICMP); the value checks answer.
 */
function jumbo(buf: Uint8Array, nhOff: number, off: number, end: number, res: Ip6TlvResult): number {
  const optoff = off - nhOff;
  if (buf[off + 1] !== 4 || (optoff & 3) !== 2) return TLV_BAD;
  const pktLen = ((buf[off + 2] << 24) | (buf[off + 3] << 16) | (buf[off + 4] << 8) | buf[off + 5]) >>> 0;
  if (pktLen <= IPV6_MAXPLEN) return paramProb(res, 0, optoff + 2);
  if (((buf[nhOff + 4] << 8) | buf[nhOff + 5]) !== 0) return paramProb(res, 0, optoff);
  if (pktLen > end - nhOff - IPV6_HDR_LEN) return TLV_TRUNCATED;
  return TLV_OK;
}

/** ip6_tlvopt_unknown. disallow_unknowns overrides the action bits: always a silent drop. */
function unknownOption(buf: Uint8Array, nhOff: number, off: number, disallow: boolean, res: Ip6TlvResult): number {
  if (disallow) return TLV_UNKNOWN_DROP;
  switch (buf[off] >>> 6) {
    case 0:
      return TLV_OK;
    case 1:
      return TLV_UNKNOWN_DROP;
    case 3:
      if (ipv6AddrIsMulticast(buf, nhOff + IP6H_DADDR_OFF)) return TLV_UNKNOWN_DROP;
      return paramProb(res, 2, off - nhOff);
    default:
      return paramProb(res, 2, off - nhOff);
  }
}
