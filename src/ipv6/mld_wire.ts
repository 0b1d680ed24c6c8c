// MLD wire format: include/net/mld.h (struct mld_msg, mld2_report, mld2_grec, mld2_query,
// MLD2_* record types, mldv2_mrc), the report layout of mld_newpack / add_grhead and the length
// and group checks of igmp6_event_query / igmp6_event_report (net/ipv6/mcast.c); RFC 3810.
//
// tapstack does not run MLD (on a TAP link nothing depends on it: ../shared/reference/
// linux-ndisc.md §3.2), but it must recognise, count and tolerate the kernel's queries and
// reports, and it can send the join reports the kernel sends. Reads are in place, allocation-free.
import { ICMPV6_MGM_QUERY, ICMPV6_MGM_REDUCTION, ICMPV6_MGM_REPORT, ICMPV6_MLD2_REPORT, icmp6FillChecksum } from './icmp6hdr.js';
import { IN6ADDR_MLD2_ALL_MCR, IPV6_ADDR_ANY, IPV6_ADDR_LINKLOCAL, IPV6_ADDR_MULTICAST, ipv6AddrType } from './in6_addr.js';
import { IPV6_HDR_LEN, IP6H_SADDR_OFF, NEXTHDR_HOP, NEXTHDR_ICMP, writeHbhRouterAlert, writeIpv6Header } from './ipv6hdr.js';

// MLDv2 group record types (MLD2_*).
export const MLD2_MODE_IS_INCLUDE = 1;
export const MLD2_MODE_IS_EXCLUDE = 2;
export const MLD2_CHANGE_TO_INCLUDE = 3;
export const MLD2_CHANGE_TO_EXCLUDE = 4;
export const MLD2_ALLOW_NEW_SOURCES = 5;
export const MLD2_BLOCK_OLD_SOURCES = 6;

/** sizeof(struct mld_msg): MLDv1 query / report / done (header, max delay, reserved, group). */
export const MLD_V1_LEN = 24;
/** An MLD query this long is MLDv1 (MLD_V1_QUERY_LEN). */
export const MLD_V1_QUERY_LEN = 24;
/** sizeof(struct mld2_query) without sources (MLD_V2_QUERY_LEN_MIN). */
export const MLD_V2_QUERY_LEN_MIN = 28;
/** sizeof(struct mld2_report) without records. */
export const MLD2_REPORT_HDR_LEN = 8;
/** sizeof(struct mld2_grec) without sources or auxiliary data. */
export const MLD2_GREC_LEN = 20;
/** The hop-by-hop header (Router Alert + PadN) in front of every MLD message (mld_newpack). */
export const MLD_HBH_LEN = 8;
/** IPv6 hop limit of every MLD message (RFC 3810 5: link-local only). */
export const MLD_HOP_LIMIT = 1;

/** Result of mldParse, reused by the caller across packets. */
export class MldMsg {
  /** ICMPv6 type (ICMPV6_MGM_QUERY / _REPORT / _REDUCTION / ICMPV6_MLD2_REPORT). */
  type = 0;
  /** Query only: true for an MLDv2 query (28 bytes or more), false for MLDv1 (exactly 24). */
  v2 = false;
  /** Offset of the group address (mld_mca; :: in a general query), -1 for MLDv2 reports. */
  groupOff = -1;
  /** Query only: Maximum Response Delay in ms (decoded as mldv2_mrc for MLDv2 queries). */
  maxDelay = 0;
  /** MLDv2 query: number of sources. */
  nsrcs = 0;
  /** MLDv2 report: number of group records. */
  nrec = 0;
}

export const MLD_OK = 0;
/** Not an MLD type: the caller should not have asked. */
export const MLD_DROP_NOT_MLD = 1;
/** Shorter than its fixed part (24 for v1 messages and queries, 8 for a v2 report). */
export const MLD_DROP_TOO_SHORT = 2;
/** A query of 25..27 bytes: neither MLDv1 nor MLDv2. */
export const MLD_DROP_BAD_LEN = 3;
/** The group field is neither :: nor multicast. */
export const MLD_DROP_BAD_GROUP = 4;
/** A general MLDv2 query (group ::) listing sources (RFC 3810 5.1.10). */
export const MLD_DROP_GENERAL_SRCS = 5;
/** MLDv2 query sources or report records run past the message. */
export const MLD_DROP_TRUNCATED = 6;

export const MLD_DROP_REASONS: readonly string[] = Object.freeze([
  'ok',
  'mld-not-mld',
  'mld-too-short',
  'mld-bad-len',
  'mld-bad-group',
  'mld-general-query-srcs',
  'mld-truncated',
]);

/** True for the four ICMPv6 types MLD uses (130, 131, 132, 143). */
export function mldIsMld(type: number): boolean {
  return type === ICMPV6_MGM_QUERY || type === ICMPV6_MGM_REPORT || type === ICMPV6_MGM_REDUCTION || type === ICMPV6_MLD2_REPORT;
}

/**
 * mldv2_mrc: the Maximum Response Code of an MLDv2 query (u16 at off + 4) in ms — literal below
 * 32768, else a floating-point form (RFC 3810 5.1.3).
 */
export function mldv2Mrc(buf: Uint8Array, off: number): number {
  const mc = (buf[off + 4] << 8) | buf[off + 5];
  if (mc < 0x8000) return mc;
  return ((mc & 0x0fff) | 0x1000) << (((mc >>> 12) & 7) + 3);
}

/**
 * mldv2_qqi: the Querier's Query Interval Code (byte 25 of an MLDv2 query) in seconds, same
 * floating-point form with an 8-bit code (RFC 3810 5.1.9).
 */
export function mldv2Qqi(buf: Uint8Array, off: number): number {
  const qc = buf[off + 25];
  if (qc < 0x80) return qc;
  return ((qc & 0x0f) | 0x10) << (((qc >>> 4) & 7) + 3);
}

/** Robustness variable of an MLDv2 query (low 3 bits of byte 24). */
export function mldv2Qrv(buf: Uint8Array, off: number): number {
  return buf[off + 24] & 7;
}

/**
 * Recognise and check the `len`-byte MLD message at `off` (the ICMPv6 message only: the
 * hop-by-hop header is not counted, as igmp6_event_query computes it). Queries follow
 * igmp6_event_query's length and group checks (24 = v1; ≥ 28 = v2 with its sources present;
 * group :: or multicast; a general v2 query has no sources); v1 reports and done messages
 * igmp6_event_report's (24 bytes); v2 reports, which a host never processes, are walked record
 * by record so a truncated one is told apart. The IP-level conditions (source, hop limit 1,
 * Router Alert) are mldQueryIpOk's. Returns MLD_OK with `out` filled, or an MLD_DROP_* reason.
 */
export function mldParse(buf: Uint8Array, off: number, len: number, out: MldMsg): number {
  const type = buf[off];
  out.type = type;
  out.v2 = false;
  out.groupOff = -1;
  out.maxDelay = 0;
  out.nsrcs = 0;
  out.nrec = 0;
  if (!mldIsMld(type)) return MLD_DROP_NOT_MLD;
  if (type === ICMPV6_MLD2_REPORT) return mld2ReportParse(buf, off, len, out);
  if (len < MLD_V1_LEN) return MLD_DROP_TOO_SHORT;
  out.groupOff = off + 8;
  const gt = ipv6AddrType(buf, off + 8);
  if (gt !== IPV6_ADDR_ANY && !(gt & IPV6_ADDR_MULTICAST)) return MLD_DROP_BAD_GROUP;
  if (type !== ICMPV6_MGM_QUERY) return MLD_OK;
  if (len === MLD_V1_QUERY_LEN) {
    out.maxDelay = (buf[off + 4] << 8) | buf[off + 5];
    return MLD_OK;
  }
  if (len < MLD_V2_QUERY_LEN_MIN) return MLD_DROP_BAD_LEN;
  out.v2 = true;
  out.maxDelay = mldv2Mrc(buf, off);
  const nsrcs = (buf[off + 26] << 8) | buf[off + 27];
  out.nsrcs = nsrcs;
  if (gt === IPV6_ADDR_ANY && nsrcs !== 0) return MLD_DROP_GENERAL_SRCS;
  if (MLD_V2_QUERY_LEN_MIN + nsrcs * 16 > len) return MLD_DROP_TRUNCATED;
  return MLD_OK;
}

function mld2ReportParse(buf: Uint8Array, off: number, len: number, out: MldMsg): number {
  if (len < MLD2_REPORT_HDR_LEN) return MLD_DROP_TOO_SHORT;
  const nrec = (buf[off + 6] << 8) | buf[off + 7];
  out.nrec = nrec;
  const end = off + len;
  let o = off + MLD2_REPORT_HDR_LEN;
  for (let i = 0; i < nrec; i++) {
    if (o + MLD2_GREC_LEN > end) return MLD_DROP_TRUNCATED;
    o += mld2GrecLen(buf, o);
    if (o > end) return MLD_DROP_TRUNCATED;
  }
  return MLD_OK;
}

/** Size of the group record at `recOff`: 20 + 16 × sources + 4 × auxiliary words. */
export function mld2GrecLen(buf: Uint8Array, recOff: number): number {
  return MLD2_GREC_LEN + (((buf[recOff + 2] << 8) | buf[recOff + 3]) << 4) + (buf[recOff + 1] << 2);
}

/** Offset of the first group record of an MLDv2 report. */
export function mld2FirstGrec(off: number): number {
  return off + MLD2_REPORT_HDR_LEN;
}

export function mld2GrecType(buf: Uint8Array, recOff: number): number {
  return buf[recOff];
}

export function mld2GrecNsrcs(buf: Uint8Array, recOff: number): number {
  return (buf[recOff + 2] << 8) | buf[recOff + 3];
}

/** Offset of the record's multicast address. */
export function mld2GrecGroupOff(recOff: number): number {
  return recOff + 4;
}

/**
 * The IP-level conditions igmp6_event_query puts on a query before looking at it (RFC 3810
 * 5.1.14): link-local source, hop limit 1, a Router Alert with value 0 (MLD). `nhOff` is the
 * IPv6 header's offset; `routerAlert` what ip6ParseTlv found in the hop-by-hop header (-1: none).
 * (Reports only need a source that is :: or link-local: mldReportSourceOk.)
 */
export function mldQueryIpOk(buf: Uint8Array, nhOff: number, routerAlert: number): boolean {
  if (!(ipv6AddrType(buf, nhOff + IP6H_SADDR_OFF) & IPV6_ADDR_LINKLOCAL)) return false;
  return buf[nhOff + 7] === MLD_HOP_LIMIT && routerAlert === 0;
}

/** igmp6_event_report's source check: :: or link-local (others are ignored). */
export function mldReportSourceOk(buf: Uint8Array, nhOff: number): boolean {
  const t = ipv6AddrType(buf, nhOff + IP6H_SADDR_OFF);
  return t === IPV6_ADDR_ANY || (t & IPV6_ADDR_LINKLOCAL) !== 0;
}

// ---------------------------------------------------------------------------------------------
// Emitters

/** MLDv2 report header (type 143, reserved, checksum 0, reserved, record count). Returns 8. */
export function writeMld2ReportHeader(buf: Uint8Array, off: number, nrec: number): number {
  buf[off] = ICMPV6_MLD2_REPORT;
  buf[off + 1] = 0;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = 0;
  buf[off + 5] = 0;
  buf[off + 6] = nrec >>> 8;
  buf[off + 7] = nrec;
  return MLD2_REPORT_HDR_LEN;
}

/** add_grhead: a group record with no auxiliary data and no sources for (group, groupOff). Returns 20. */
export function writeMld2Grec(buf: Uint8Array, off: number, recType: number, group: Uint8Array, groupOff = 0): number {
  buf[off] = recType;
  buf[off + 1] = 0;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  for (let i = 0; i < 16; i++) buf[off + 4 + i] = group[groupOff + i];
  return MLD2_GREC_LEN;
}

/**
 * An MLDv2 report with one source-less record of `recType` per group (what the kernel sends on
 * joins: MLD2_CHANGE_TO_EXCLUDE; in answer to queries: MLD2_MODE_IS_EXCLUDE). Checksum 0.
 * Returns 8 + 20 × groups. The caller keeps it within the MTU (mld2MaxRecords).
 */
export function writeMld2Report(buf: Uint8Array, off: number, groups: readonly Uint8Array[], recType: number): number {
  let n = writeMld2ReportHeader(buf, off, groups.length);
  for (let i = 0; i < groups.length; i++) n += writeMld2Grec(buf, off + n, recType, groups[i], 0);
  return n;
}

/** writeMld2Report with the groups as `count` 16-byte addresses at offsets `offs` in `src`. */
export function writeMld2ReportFrom(
  buf: Uint8Array,
  off: number,
  src: Uint8Array,
  offs: ArrayLike<number>,
  count: number,
  recType: number,
): number {
  let n = writeMld2ReportHeader(buf, off, count);
  for (let i = 0; i < count; i++) n += writeMld2Grec(buf, off + n, recType, src, offs[i]);
  return n;
}

/** Source-less records that fit in one report on a link of `mtu` (mld_newpack sizes by the MTU). */
export function mld2MaxRecords(mtu: number): number {
  return Math.floor((mtu - IPV6_HDR_LEN - MLD_HBH_LEN - MLD2_REPORT_HDR_LEN) / MLD2_GREC_LEN);
}

/**
 * The IPv6 packet mld_newpack + mld_sendpack build around a report: IPv6 header (traffic class
 * 0, flow label 0, hop limit 1, next header hop-by-hop, from (saddr, sOff) — :: until a
 * link-local address is valid — to ff02::16), the hop-by-hop Router Alert header, the report
 * for `groups`, and its checksum (pseudo-header over the ICMPv6 part only). Returns the packet
 * length (48 + report). The Ethernet header (to 33:33:00:00:00:16) is the caller's.
 */
export function writeMld2ReportPacket(
  buf: Uint8Array,
  off: number,
  saddr: Uint8Array,
  sOff: number,
  groups: readonly Uint8Array[],
  recType: number,
): number {
  const icmpOff = off + IPV6_HDR_LEN + MLD_HBH_LEN;
  const icmpLen = writeMld2Report(buf, icmpOff, groups, recType);
  writeIpv6Header(buf, off, 0, 0, MLD_HBH_LEN + icmpLen, NEXTHDR_HOP, MLD_HOP_LIMIT, saddr, sOff, IN6ADDR_MLD2_ALL_MCR, 0);
  writeHbhRouterAlert(buf, off + IPV6_HDR_LEN, NEXTHDR_ICMP);
  icmp6FillChecksum(buf, icmpOff, icmpLen, saddr, sOff, IN6ADDR_MLD2_ALL_MCR, 0);
  return IPV6_HDR_LEN + MLD_HBH_LEN + icmpLen;
}
