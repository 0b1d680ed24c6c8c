// ICMPv6 (net/ipv6/icmp.c): icmpv6_rcv's checks and dispatch, icmpv6_echo_reply, and icmp6_send
// with its eligibility rules and both rate limits (icmpv6_global_allow, icmpv6_xrlim_allow).
import * as checksum from '../core/checksum.js';
import type { NetDevice } from '../core/netdevice.js';
import { LL_RESERVED_SPACE, PACKET_HOST, type SkBuff, allocSkb } from '../core/skbuff.js';
import type { Inet6 } from './af_inet6.js';
import * as icmp6h from './icmp6hdr.js';
import { emitIcmp6Error, icmp6ErrorCheck, icmp6ErrorQuoteLen, icmp6FillChecksum } from './icmp6hdr.js';
import * as ifInet6 from './if_inet6.js';
import * as in6Addr from './in6_addr.js';
import { IN6_ADDR_LEN, in6Write } from './in6_addr.js';
import * as ip6Output from './ip6_output.js';
import * as ip6h from './ipv6hdr.js';
import * as route from './route.js';

// Module-local copies of what icmpv6_rcv and the echo reply use per packet: V8 compiles a
// module's own const into the code, but loads an imported binding from its module cell, with a
// TDZ check or a function identity check, at each use (a switch over imported constants tests
// them one load at a time).
const csumFold = checksum.csumFold;
const csumPartial = checksum.csumPartial;
const csumReplace2 = checksum.csumReplace2;
const ICMP6_DROP_BAD_CSUM = icmp6h.ICMP6_DROP_BAD_CSUM;
const ICMP6_DROP_TOO_SHORT = icmp6h.ICMP6_DROP_TOO_SHORT;
const ICMP6_ERR_OK = icmp6h.ICMP6_ERR_OK;
const ICMP6_HLEN = icmp6h.ICMP6_HLEN;
const ICMP6_OK = icmp6h.ICMP6_OK;
const ICMPV6_DEST_UNREACH = icmp6h.ICMPV6_DEST_UNREACH;
const ICMPV6_ECHO_REPLY = icmp6h.ICMPV6_ECHO_REPLY;
const ICMPV6_ECHO_REQUEST = icmp6h.ICMPV6_ECHO_REQUEST;
const ICMPV6_MGM_QUERY = icmp6h.ICMPV6_MGM_QUERY;
const ICMPV6_MGM_REDUCTION = icmp6h.ICMPV6_MGM_REDUCTION;
const ICMPV6_MGM_REPORT = icmp6h.ICMPV6_MGM_REPORT;
const ICMPV6_MLD2_REPORT = icmp6h.ICMPV6_MLD2_REPORT;
const ICMPV6_PARAMPROB = icmp6h.ICMPV6_PARAMPROB;
const ICMPV6_PKT_TOOBIG = icmp6h.ICMPV6_PKT_TOOBIG;
const ICMPV6_TIME_EXCEED = icmp6h.ICMPV6_TIME_EXCEED;
const IPPROTO_ICMPV6 = icmp6h.IPPROTO_ICMPV6;
const icmp6Check = icmp6h.icmp6Check;
const in6DevGet = ifInet6.in6DevGet;
const ipv6AddrIsMulticast = in6Addr.ipv6AddrIsMulticast;
const ip6DevHoplimit = ip6Output.ip6DevHoplimit;
const ip6FinishOutput2 = ip6Output.ip6FinishOutput2;
const ip6FinishOutput2Words = ip6Output.ip6FinishOutput2Words;
const ip6PathMtu = ip6Output.ip6PathMtu;
const IP6H_DADDR_OFF = ip6h.IP6H_DADDR_OFF;
const IP6H_SADDR_OFF = ip6h.IP6H_SADDR_OFF;
const IPV6_HDR_LEN = ip6h.IPV6_HDR_LEN;
const writeIpv6Header = ip6h.writeIpv6Header;
const RTN_LOCAL = route.RTN_LOCAL;

/** ND message types icmpv6_rcv hands to ndisc_rcv. */
const NDISC_RS = 133;
const NDISC_REDIRECT = 137;

/** ICMPv6 counters with the names of /proc/net/snmp6's Icmp6 lines (camelCase, without the prefix). */
export interface Icmp6Stats {
  /** Icmp6InMsgs: every ICMPv6 message delivered to us, bad ones included. */
  inMsgs: number;
  /** Icmp6InErrors: bad checksum or too short (also ND messages that fail ND validation are not counted here, as Linux). */
  inErrors: number;
  /** Icmp6OutMsgs. */
  outMsgs: number;
  /** Icmp6OutErrors: errors that could not be handed to output (no route). */
  outErrors: number;
  /** Icmp6InCsumErrors. */
  inCsumErrors: number;
  /** Icmp6OutRateLimitHost: errors not sent, the per-peer limit (net.ipv6.icmp.ratelimit). */
  outRateLimitHost: number;
  /** Icmp6InDestUnreachs. */
  inDestUnreachs: number;
  /** Icmp6InPktTooBigs. */
  inPktTooBigs: number;
  /** Icmp6InTimeExcds. */
  inTimeExcds: number;
  /** Icmp6InParmProblems. */
  inParmProblems: number;
  /** Icmp6InEchos. */
  inEchos: number;
  /** Icmp6InEchoReplies. */
  inEchoReplies: number;
  /** Icmp6InGroupMembQueries. */
  inGroupMembQueries: number;
  /** Icmp6InGroupMembResponses. */
  inGroupMembResponses: number;
  /** Icmp6InGroupMembReductions. */
  inGroupMembReductions: number;
  /** Icmp6InRouterSolicits. */
  inRouterSolicits: number;
  /** Icmp6InRouterAdvertisements. */
  inRouterAdvertisements: number;
  /** Icmp6InNeighborSolicits. */
  inNeighborSolicits: number;
  /** Icmp6InNeighborAdvertisements. */
  inNeighborAdvertisements: number;
  /** Icmp6InRedirects. */
  inRedirects: number;
  /** Icmp6InMLDv2Reports. */
  inMLDv2Reports: number;
  /** Icmp6OutDestUnreachs. */
  outDestUnreachs: number;
  /** Icmp6OutPktTooBigs. */
  outPktTooBigs: number;
  /** Icmp6OutTimeExcds. */
  outTimeExcds: number;
  /** Icmp6OutParmProblems. */
  outParmProblems: number;
  /** Icmp6OutEchos. */
  outEchos: number;
  /** Icmp6OutEchoReplies. */
  outEchoReplies: number;
  /** Icmp6OutRouterSolicits. */
  outRouterSolicits: number;
  /** Icmp6OutNeighborSolicits. */
  outNeighborSolicits: number;
  /** Icmp6OutNeighborAdvertisements. */
  outNeighborAdvertisements: number;
  /** Icmp6OutRedirects. */
  outRedirects: number;
  /** Icmp6OutMLDv2Reports. */
  outMLDv2Reports: number;
  /** Icmp6InTypeN: messages received by type (index = type). */
  inType: number[];
  /** Icmp6OutTypeN: messages sent by type. */
  outType: number[];
  /** Errors icmp6_send must not send (about an error, to/from multicast or ::); no kernel counter. */
  outSuppressed: number;
  /** Icmp: OutRateLimitGlobal's IPv6 share: the global token bucket was empty. */
  outRateLimitGlobal: number;
  /** Echo requests not answered: no route back, or the reply would exceed the MTU. */
  echoDropped: number;
  /** Types icmpv6_rcv has no handler for (counted in inType, then dropped). */
  unhandledType: number;
}

/** ICMP6MSGIN_INC_STATS: Icmp6InTypeN and the type's named counter, if it has one. */
function countInType(st: Icmp6Stats, type: number): void {
  st.inType[type]++;
  switch (type) {
    case 1: st.inDestUnreachs++; break;
    case 2: st.inPktTooBigs++; break;
    case 3: st.inTimeExcds++; break;
    case 4: st.inParmProblems++; break;
    case 128: st.inEchos++; break;
    case 129: st.inEchoReplies++; break;
    case 130: st.inGroupMembQueries++; break;
    case 131: st.inGroupMembResponses++; break;
    case 132: st.inGroupMembReductions++; break;
    case 133: st.inRouterSolicits++; break;
    case 134: st.inRouterAdvertisements++; break;
    case 135: st.inNeighborSolicits++; break;
    case 136: st.inNeighborAdvertisements++; break;
    case 137: st.inRedirects++; break;
    case 143: st.inMLDv2Reports++; break;
  }
}

/** ICMP6MSGOUT_INC_STATS: Icmp6OutMsgs, Icmp6OutTypeN and the type's named counter, if any. */
function countOutType(st: Icmp6Stats, type: number): void {
  st.outMsgs++;
  st.outType[type]++;
  switch (type) {
    case 1: st.outDestUnreachs++; break;
    case 2: st.outPktTooBigs++; break;
    case 3: st.outTimeExcds++; break;
    case 4: st.outParmProblems++; break;
    case 128: st.outEchos++; break;
    case 129: st.outEchoReplies++; break;
    case 133: st.outRouterSolicits++; break;
    case 135: st.outNeighborSolicits++; break;
    case 136: st.outNeighborAdvertisements++; break;
    case 137: st.outRedirects++; break;
    case 143: st.outMLDv2Reports++; break;
  }
}

/**
 * icmp6Check for a message right after the fixed header (no extension header between), whose
 * pseudo-header addresses the caller has read as words (s0..s3 source, d0..d3 destination): the
 * words' 16-bit halves are the address part of the sum, so the address bytes are read once for
 * everything the echo reply needs. The same verdict as icmp6Check (checksum first, then length).
 */
function icmp6CheckWords(b: Uint8Array, off: number, len: number, s0: number, s1: number, s2: number, s3: number, d0: number, d1: number, d2: number, d3: number): number {
  const addrs =
    (s0 >>> 16) + (s0 & 0xffff) + (s1 >>> 16) + (s1 & 0xffff) + (s2 >>> 16) + (s2 & 0xffff) + (s3 >>> 16) + (s3 & 0xffff) +
    (d0 >>> 16) + (d0 & 0xffff) + (d1 >>> 16) + (d1 & 0xffff) + (d2 >>> 16) + (d2 & 0xffff) + (d3 >>> 16) + (d3 & 0xffff);
  // Below 2^21: a valid initial sum for csumPartial.
  if (csumFold(csumPartial(b, off, len, addrs + (len >>> 16) + (len & 0xffff) + IPPROTO_ICMPV6)) !== 0) return ICMP6_DROP_BAD_CSUM;
  if (len < ICMP6_HLEN) return ICMP6_DROP_TOO_SHORT;
  return ICMP6_OK;
}

/** The 16-byte address at b[o..o+16) from its four big-endian words. */
function writeIn6Words(b: Uint8Array, o: number, w0: number, w1: number, w2: number, w3: number): void {
  b[o] = w0 >>> 24;
  b[o + 1] = w0 >>> 16;
  b[o + 2] = w0 >>> 8;
  b[o + 3] = w0;
  b[o + 4] = w1 >>> 24;
  b[o + 5] = w1 >>> 16;
  b[o + 6] = w1 >>> 8;
  b[o + 7] = w1;
  b[o + 8] = w2 >>> 24;
  b[o + 9] = w2 >>> 16;
  b[o + 10] = w2 >>> 8;
  b[o + 11] = w2;
  b[o + 12] = w3 >>> 24;
  b[o + 13] = w3 >>> 16;
  b[o + 14] = w3 >>> 8;
  b[o + 15] = w3;
}

/** A ping6 session: its echo replies and the errors quoting its requests. */
export interface Echo6Handler {
  reply(skb: SkBuff): void;
  error(type: number, code: number, from: Buffer, seq: number, info: number): void;
}

/** Receivers of ICMPv6 errors quoting packets of another protocol (UDPv6 sockets). */
export interface Icmp6ErrorSink {
  /** `inner` is the offset of the quoted IPv6 header in buf. */
  icmp6Error(type: number, code: number, info: number, from: Buffer, buf: Buffer, inner: number, innerLen: number): void;
}

/** inet_peer_xrlim_allow()'s XRLIM_BURST_FACTOR. */
const XRLIM_BURST_FACTOR = 6;
/** How many peers the per-peer limiter remembers (the kernel's inet_peer pool is bounded too). */
const PEER_CACHE_MAX = 4096;

export class Icmpv6 {
  readonly stats: Icmp6Stats = {
    inMsgs: 0, inErrors: 0, outMsgs: 0, outErrors: 0, inCsumErrors: 0, outRateLimitHost: 0,
    inDestUnreachs: 0, inPktTooBigs: 0, inTimeExcds: 0, inParmProblems: 0, inEchos: 0, inEchoReplies: 0,
    inGroupMembQueries: 0, inGroupMembResponses: 0, inGroupMembReductions: 0, inRouterSolicits: 0,
    inRouterAdvertisements: 0, inNeighborSolicits: 0, inNeighborAdvertisements: 0, inRedirects: 0, inMLDv2Reports: 0,
    outDestUnreachs: 0, outPktTooBigs: 0, outTimeExcds: 0, outParmProblems: 0, outEchos: 0, outEchoReplies: 0,
    outRouterSolicits: 0, outNeighborSolicits: 0, outNeighborAdvertisements: 0, outRedirects: 0, outMLDv2Reports: 0,
    inType: new Array<number>(256).fill(0), outType: new Array<number>(256).fill(0),
    outSuppressed: 0, outRateLimitGlobal: 0, echoDropped: 0, unhandledType: 0,
  };
  /** net.ipv6.icmp.echo_ignore_all / echo_ignore_multicast. */
  echoIgnoreAll = 0;
  echoIgnoreMulticast = 0;
  /** net.ipv6.icmp.ratelimit (ms): the per-peer error interval, scaled by the route's prefix length. */
  ratelimit = 1000;
  /** net.ipv4.icmp_msgs_per_sec / icmp_msgs_burst: Linux shares this bucket between the families. */
  msgsPerSec = 1000;
  msgsBurst = 50;
  private tokens = 50;
  private tokensAt = 0;
  /** Per-peer limiter state: token (ms of credit) and the time it was last updated. */
  private readonly peers = new Map<string, { token: number; stamp: number }>();
  readonly echoHandlers = new Map<number, Echo6Handler>();
  readonly errorSinks = new Map<number, Icmp6ErrorSink>();
  private readonly scratchS = Buffer.alloc(IN6_ADDR_LEN);

  constructor(private readonly inet6: Inet6) {}

  /** ICMP6MSGOUT_INC_STATS for a message handed to output. */
  countOut(type: number): void {
    countOutType(this.stats, type);
  }

  /** icmpv6_rcv(): skb.data at the ICMPv6 header, networkHeader at the IPv6 header. */
  rcv(skb: SkBuff): void {
    const b = skb.buf;
    const off = skb.data;
    const nh = skb.networkHeader;
    if (off === nh + IPV6_HDR_LEN) {
      const d = (nh + IP6H_DADDR_OFF) | 0;
      this.rcvWords(
        skb,
        (b[d] << 24) | (b[(d + 1) | 0] << 16) | (b[(d + 2) | 0] << 8) | b[(d + 3) | 0],
        (b[(d + 4) | 0] << 24) | (b[(d + 5) | 0] << 16) | (b[(d + 6) | 0] << 8) | b[(d + 7) | 0],
        (b[(d + 8) | 0] << 24) | (b[(d + 9) | 0] << 16) | (b[(d + 10) | 0] << 8) | b[(d + 11) | 0],
        (b[(d + 12) | 0] << 24) | (b[(d + 13) | 0] << 16) | (b[(d + 14) | 0] << 8) | b[(d + 15) | 0],
        null,
      );
      return;
    }
    this.stats.inMsgs++;
    const reason = icmp6Check(b, nh, off, skb.len);
    if (reason !== 0) {
      this.rcvDrop(reason);
      return;
    }
    this.dispatch(skb);
  }

  /**
   * icmpv6_rcv() for a message right after the fixed header (no extension header) whose
   * destination address the caller has read as its four big-endian words (signed: `| 0`), as
   * ipv6_rcv has for its "is it ours?" test. The source is read here, once, as words: they make
   * the checksum's pseudo-header and, for a unicast echo request (the common case), the reply
   * built in place. `dv`: a DataView over skb.buf to read them through (Inet6.wordView), or null.
   */
  rcvWords(skb: SkBuff, d0: number, d1: number, d2: number, d3: number, dv: DataView | null): void {
    const st = this.stats;
    const b = skb.buf;
    const off = skb.data;
    st.inMsgs++;
    const s = (skb.networkHeader + IP6H_SADDR_OFF) | 0;
    let s0: number;
    let s1: number;
    let s2: number;
    let s3: number;
    if (dv !== null) {
      s0 = dv.getInt32(s);
      s1 = dv.getInt32((s + 4) | 0);
      s2 = dv.getInt32((s + 8) | 0);
      s3 = dv.getInt32((s + 12) | 0);
    } else {
      s0 = (b[s] << 24) | (b[(s + 1) | 0] << 16) | (b[(s + 2) | 0] << 8) | b[(s + 3) | 0];
      s1 = (b[(s + 4) | 0] << 24) | (b[(s + 5) | 0] << 16) | (b[(s + 6) | 0] << 8) | b[(s + 7) | 0];
      s2 = (b[(s + 8) | 0] << 24) | (b[(s + 9) | 0] << 16) | (b[(s + 10) | 0] << 8) | b[(s + 11) | 0];
      s3 = (b[(s + 12) | 0] << 24) | (b[(s + 13) | 0] << 16) | (b[(s + 14) | 0] << 8) | b[(s + 15) | 0];
    }
    const reason = icmp6CheckWords(b, off, skb.len, s0, s1, s2, s3, d0, d1, d2, d3);
    if (reason !== 0) {
      this.rcvDrop(reason);
      return;
    }
    if (b[off] === ICMPV6_ECHO_REQUEST && d0 >>> 24 !== 0xff) {
      countInType(st, ICMPV6_ECHO_REQUEST);
      this.echoReplyInPlace(skb, s0, s1, s2, s3, d0, d1, d2, d3, dv);
      return;
    }
    this.dispatch(skb);
  }

  /** icmpv6_rcv's dispatch of a checked message by type (counted in Icmp6InTypeN first). */
  private dispatch(skb: SkBuff): void {
    const st = this.stats;
    const b = skb.buf;
    const off = skb.data;
    const type = b[off];
    countInType(st, type);
    switch (type) {
      case ICMPV6_ECHO_REQUEST:
        this.echoReply(skb);
        return;
      case ICMPV6_ECHO_REPLY: {
        if (skb.len < 8) return;
        const h = this.echoHandlers.get((b[off + 4] << 8) | b[off + 5]);
        if (h) h.reply(skb);
        return;
      }
      case ICMPV6_DEST_UNREACH:
      case ICMPV6_PKT_TOOBIG:
      case ICMPV6_TIME_EXCEED:
      case ICMPV6_PARAMPROB:
        this.deliverError(skb);
        return;
      case ICMPV6_MGM_QUERY:
      case ICMPV6_MGM_REPORT:
      case ICMPV6_MGM_REDUCTION:
      case ICMPV6_MLD2_REPORT:
        // igmp6_event_query/report: tapstack is a host on a link without snooping; counted only.
        this.inet6.mldRcv(skb, type);
        return;
      default:
        if (type >= NDISC_RS && type <= NDISC_REDIRECT) {
          this.inet6.ndisc.rcv(skb, type);
          return;
        }
        st.unhandledType++;
    }
  }

  /** A message that failed icmp6Check: Icmp6InErrors, and Icmp6InCsumErrors for a bad checksum. */
  private rcvDrop(reason: number): void {
    this.stats.inErrors++;
    if (reason === ICMP6_DROP_BAD_CSUM) this.stats.inCsumErrors++;
  }

  /**
   * icmpv6_echo_reply() for a unicast request with no extension header — the request's header
   * becomes the reply's in place. The caller has read the addresses as words (p0..p3: the
   * request's source, the peer; l0..l3: its destination, ours): they key the route lookup, make
   * the flow label, and are written back swapped, each address byte read once; through `dv`,
   * the buffer's DataView (Inet6.wordView), when there is one. Otherwise what echoReply does.
   */
  private echoReplyInPlace(
    skb: SkBuff,
    p0: number,
    p1: number,
    p2: number,
    p3: number,
    l0: number,
    l1: number,
    l2: number,
    l3: number,
    dv: DataView | null,
  ): void {
    const inet6 = this.inet6;
    const st = this.stats;
    if (this.echoIgnoreAll) {
      st.echoDropped++;
      return;
    }
    const b = skb.buf;
    const nh = skb.networkHeader;
    const th = skb.data;
    const s = nh + IP6H_SADDR_OFF;
    const d = nh + IP6H_DADDR_OFF;
    const rt = inet6.fib.lookupWords(p0, p1, p2, p3, b, s, skb.dev);
    if (rt === null) {
      inet6.stats.outNoRoutes++;
      st.echoDropped++;
      return;
    }
    const icmpLen = skb.len;
    const rdev = rt.dev;
    const idev = in6DevGet(rdev);
    if (rt.type !== RTN_LOCAL && IPV6_HDR_LEN + icmpLen > ip6PathMtu(idev, rdev, rt.mtu)) {
      inet6.stats.fragFails++;
      inet6.stats.drops.fragNeeded++;
      st.echoDropped++;
      return;
    }
    const tclass = ((b[nh] & 0x0f) << 4) | (b[nh + 1] >>> 4);
    const hop = rt.hoplimit || ip6DevHoplimit(idev);
    // Swapping the addresses keeps the pseudo-header sum: only the type word changes.
    const oldWord = (b[th] << 8) | b[th + 1];
    b[th] = ICMPV6_ECHO_REPLY;
    const check = csumReplace2((b[th + 2] << 8) | b[th + 3], oldWord, (ICMPV6_ECHO_REPLY << 8) | b[th + 1]);
    b[th + 2] = check >>> 8;
    b[th + 3] = check & 0xff;
    const flowLabel = inet6.autoFlowLabelWords(l0, l1, l2, l3, p0, p1, p2, p3, IPPROTO_ICMPV6);
    if (dv !== null) {
      // The receive buffer's own view (Inet6.wordView): four word stores an address.
      const so = s | 0;
      const dof = d | 0;
      dv.setInt32(so, l0);
      dv.setInt32((so + 4) | 0, l1);
      dv.setInt32((so + 8) | 0, l2);
      dv.setInt32((so + 12) | 0, l3);
      dv.setInt32(dof, p0);
      dv.setInt32((dof + 4) | 0, p1);
      dv.setInt32((dof + 8) | 0, p2);
      dv.setInt32((dof + 12) | 0, p3);
    } else {
      writeIn6Words(b, s, l0, l1, l2, l3);
      writeIn6Words(b, d, p0, p1, p2, p3);
    }
    writeIpv6Header(b, nh, tclass, flowLabel, icmpLen, IPPROTO_ICMPV6, hop, b, s, b, d);
    skb.data = nh;
    countOutType(st, ICMPV6_ECHO_REPLY);
    inet6.stats.outRequests++;
    if (rt.type === RTN_LOCAL) {
      inet6.loopbackDeliver(skb, rdev);
      return;
    }
    if (rt.gw !== null) ip6FinishOutput2(inet6, skb, rdev, rt.gw, 0);
    else ip6FinishOutput2Words(inet6, skb, rdev, p0, p1, p2, p3, b, d);
  }

  /**
   * icmpv6_echo_reply(): the request's buffer becomes the reply. The source is the address the
   * request was sent to, or (multicast) the one source selection picks; the reply leaves by the
   * interface the request came in on when the peer is link-local.
   */
  private echoReply(skb: SkBuff): void {
    const inet6 = this.inet6;
    const st = this.stats;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const th = skb.data;
    const dev = skb.dev!;
    const mcast = ipv6AddrIsMulticast(b, nh + IP6H_DADDR_OFF);
    if (this.echoIgnoreAll || (mcast && this.echoIgnoreMulticast)) {
      st.echoDropped++;
      return;
    }
    // The peer and our address are read where they lie; only a multicast request needs a
    // source of its own (source selection), kept in the scratch area.
    const peerOff = nh + IP6H_SADDR_OFF;
    let local: Uint8Array = b;
    let localOff = nh + IP6H_DADDR_OFF;
    if (mcast) {
      const s = inet6.addrconf.devGetSaddr(dev, b, peerOff);
      if (s === null) {
        st.echoDropped++;
        return;
      }
      in6Write(this.scratchS, 0, s, 0);
      local = this.scratchS;
      localOff = 0;
    }
    const rt = inet6.fib.lookup(b, peerOff, dev);
    if (rt === null) {
      inet6.stats.outNoRoutes++;
      st.echoDropped++;
      return;
    }
    const icmpLen = skb.len;
    if (rt.type !== RTN_LOCAL && IPV6_HDR_LEN + icmpLen > inet6.mtu(rt.dev, rt.mtu)) {
      // Linux would fragment the reply; tapstack never sends beyond the MTU.
      inet6.stats.fragFails++;
      inet6.stats.drops.fragNeeded++;
      st.echoDropped++;
      return;
    }
    const tclass = ((b[nh] & 0x0f) << 4) | (b[nh + 1] >>> 4);
    const hop = rt.hoplimit || inet6.hopLimit(rt.dev);
    const off = th - IPV6_HDR_LEN;
    if (mcast) {
      const flowLabel = inet6.autoFlowLabel(local, localOff, b, peerOff, IPPROTO_ICMPV6);
      b[th] = ICMPV6_ECHO_REPLY;
      icmp6FillChecksum(b, th, icmpLen, local, localOff, b, peerOff);
      writeIpv6Header(b, off, tclass, flowLabel, icmpLen, IPPROTO_ICMPV6, hop, local, localOff, b, peerOff);
    } else {
      // Swapping the addresses keeps the pseudo-header sum: only the type word changes.
      const oldWord = (b[th] << 8) | b[th + 1];
      b[th] = ICMPV6_ECHO_REPLY;
      const check = csumReplace2((b[th + 2] << 8) | b[th + 3], oldWord, (ICMPV6_ECHO_REPLY << 8) | b[th + 1]);
      b[th + 2] = check >>> 8;
      b[th + 3] = check & 0xff;
      // Extension headers came between (echoReplyInPlace takes the others): the reply's header
      // takes their place, its addresses read from the request's (writeIpv6Header copies them
      // out first).
      const flowLabel = inet6.autoFlowLabel(local, localOff, b, peerOff, IPPROTO_ICMPV6);
      writeIpv6Header(b, off, tclass, flowLabel, icmpLen, IPPROTO_ICMPV6, hop, local, localOff, b, peerOff);
    }
    skb.data = off;
    skb.networkHeader = off;
    countOutType(st, ICMPV6_ECHO_REPLY);
    inet6.stats.outRequests++;
    if (rt.type === RTN_LOCAL) {
      inet6.loopbackDeliver(skb, rt.dev);
      return;
    }
    if (rt.gw !== null) ip6FinishOutput2(inet6, skb, rt.dev, rt.gw, 0);
    else ip6FinishOutput2(inet6, skb, rt.dev, b, off + IP6H_DADDR_OFF);
  }

  /** icmpv6_notify(): hand an error to whoever sent the quoted packet. */
  private deliverError(skb: SkBuff): void {
    const b = skb.buf;
    const off = skb.data;
    if (skb.len < 8 + IPV6_HDR_LEN) {
      this.stats.inErrors++;
      return;
    }
    const inner = off + 8;
    const innerLen = skb.len - 8;
    const from = Buffer.from(b.subarray(skb.networkHeader + IP6H_SADDR_OFF, skb.networkHeader + IP6H_SADDR_OFF + 16));
    const proto = b[inner + 6];
    if (proto === IPPROTO_ICMPV6) {
      const t = inner + IPV6_HDR_LEN;
      if (t + 8 <= skb.tail && b[t] === ICMPV6_ECHO_REQUEST) {
        this.echoHandlers.get((b[t + 4] << 8) | b[t + 5])?.error(b[off], b[off + 1], from, (b[t + 6] << 8) | b[t + 7], b.readUInt32BE(off + 4));
      }
      return;
    }
    this.errorSinks.get(proto)?.icmp6Error(b[off], b[off + 1], b.readUInt32BE(off + 4), from, b, inner, innerLen);
  }

  /** icmpv6_global_allow(): the token bucket Linux shares with IPv4's errors. */
  private globalAllow(type: number): boolean {
    // Informational messages and packet-too-big are never limited (icmpv6_mask_allow).
    if (type > 127 || type === ICMPV6_PKT_TOOBIG) return true;
    const now = this.inet6.net.clock.now();
    this.tokens = Math.min(this.msgsBurst, this.tokens + ((now - this.tokensAt) * this.msgsPerSec) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * icmpv6_xrlim_allow(): at most one error per `ratelimit` ms to one peer, with a burst of 6,
   * the interval halved for every 32 bits the route to the peer is shorter than /128 ("give
   * more bandwidth to wider prefixes"). Loopback and PKT_TOOBIG are exempt.
   */
  private xrlimAllow(type: number, peer: Buffer, plen: number, dev: NetDevice): boolean {
    if (type > 127 || type === ICMPV6_PKT_TOOBIG || dev.name === 'lo') return true;
    let tmo = this.ratelimit;
    if (plen < 128) tmo >>= (128 - plen) >> 5;
    const now = this.inet6.net.clock.now();
    const key = peer.toString('hex');
    let p = this.peers.get(key);
    if (p === undefined) {
      if (this.peers.size >= PEER_CACHE_MAX) this.peers.delete(this.peers.keys().next().value as string);
      p = { token: XRLIM_BURST_FACTOR * tmo, stamp: now };
      this.peers.set(key, p);
    }
    let token = p.token + (now - p.stamp);
    p.stamp = now;
    if (token > XRLIM_BURST_FACTOR * tmo) token = XRLIM_BURST_FACTOR * tmo;
    if (token >= tmo) {
      p.token = token - tmo;
      return true;
    }
    p.token = token;
    return false;
  }

  /** icmpv6_param_prob(): Parameter Problem pointing `pointer` bytes into the offending packet. */
  paramProb(skb: SkBuff, code: number, pointer: number): void {
    this.send(skb, ICMPV6_PARAMPROB, code, pointer);
  }

  /**
   * icmp6_send(): report a problem with skbIn (network header set) to its sender: eligibility
   * (RFC 4443 2.4(e)), source choice (the packet's destination when it is ours), both rate
   * limits, then as much of the packet as fits in 1280 bytes.
   */
  send(skbIn: SkBuff, type: number, code: number, info: number): void {
    const inet6 = this.inet6;
    const st = this.stats;
    const b = skbIn.buf;
    const nh = skbIn.networkHeader;
    if (nh < 0) {
      st.outSuppressed++;
      return;
    }
    const pktLen = skbIn.tail - nh;
    if (icmp6ErrorCheck(b, nh, pktLen, type, code, info, skbIn.pktType === PACKET_HOST) !== ICMP6_ERR_OK) {
      st.outSuppressed++;
      return;
    }
    const peer = Buffer.from(b.subarray(nh + IP6H_SADDR_OFF, nh + IP6H_SADDR_OFF + 16));
    // "iif = icmp6_iif(skb)" only when the peer needs a scope id (link-local); otherwise the route
    // decides — a forwarded packet whose next hop failed carries the *output* device by now.
    const inDev = needsScopeId(peer) ? skbIn.dev : null;
    const rt = inet6.fib.lookup(peer, 0, inDev);
    if (rt === null) {
      st.outErrors++;
      inet6.stats.outNoRoutes++;
      return;
    }
    if (!this.xrlimAllow(type, peer, rt.prefixLen, rt.dev)) {
      st.outRateLimitHost++;
      return;
    }
    if (!this.globalAllow(type)) {
      st.outRateLimitGlobal++;
      return;
    }
    let src: Uint8Array | null = null;
    if (inet6.addrconf.chkAddr(b, nh + IP6H_DADDR_OFF, null) !== null) src = Buffer.from(b.subarray(nh + IP6H_DADDR_OFF, nh + IP6H_DADDR_OFF + 16));
    else src = rt.prefsrc ?? inet6.addrconf.devGetSaddr(rt.dev, peer, 0);
    if (src === null) {
      st.outErrors++;
      return;
    }
    const q = icmp6ErrorQuoteLen(pktLen);
    const skb = allocSkb(8 + q, LL_RESERVED_SPACE + IPV6_HDR_LEN);
    const o = skb.put(8 + q);
    emitIcmp6Error(skb.buf, o, type, code, info, b, nh, pktLen, src, 0, peer, 0);
    this.countOut(type);
    inet6.send(skb, src, peer, 0, IPPROTO_ICMPV6, -1, 0, inDev);
  }
}

/**
 * __ipv6_addr_needs_scope_id(): link-local unicast, or interface/link-local multicast — the
 * addresses that only mean something together with an interface.
 */
function needsScopeId(a: Uint8Array): boolean {
  if (a[0] === 0xfe && (a[1] & 0xc0) === 0x80) return true;
  return a[0] === 0xff && (a[1] & 0x0f) <= 2;
}
