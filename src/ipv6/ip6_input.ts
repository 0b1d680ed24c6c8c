// IPv6 input (net/ipv6/ip6_input.c ipv6_rcv/ip6_rcv_core/ip6_input_finish, exthdrs.c
// ipv6_parse_hopopts/ipv6_destopt_rcv/ipv6_rthdr_rcv): header checks, the multicast filter, the
// "is it ours" decision, the extension-header walk and protocol dispatch.
import type { NetDevice } from '../core/netdevice.js';
import * as skbuff from '../core/skbuff.js';
import type { SkBuff } from '../core/skbuff.js';
import type { Inet6 } from './af_inet6.js';
import * as devconf from './devconf.js';
import { ICMPV6_HDR_FIELD, ICMPV6_UNK_NEXTHDR } from './icmp6hdr.js';
import * as ifInet6 from './if_inet6.js';
import * as in6Addr from './in6_addr.js';
import * as ip6h from './ipv6hdr.js';

// Module-local copies of what every packet uses: V8 compiles a module's own const into the code,
// but loads an imported (or exported) binding from its module cell, with a TDZ check or a
// function identity check, at each use — about as much as the rest of a header check.
const PACKET_LOOPBACK = skbuff.PACKET_LOOPBACK;
const PACKET_OTHERHOST = skbuff.PACKET_OTHERHOST;
const CNF_DISABLE_IPV6 = devconf.CNF_DISABLE_IPV6;
const CNF_FORWARDING = devconf.CNF_FORWARDING;
const in6DevGet = ifInet6.in6DevGet;
const ipv6AddrIsMulticast = in6Addr.ipv6AddrIsMulticast;
const FRAG_HDR_LEN = ip6h.FRAG_HDR_LEN;
const IP6H_DADDR_OFF = ip6h.IP6H_DADDR_OFF;
const IP6_DEFAULT_MAX_OPTS_CNT = ip6h.IP6_DEFAULT_MAX_OPTS_CNT;
const IP6_DROP_TOO_SHORT = ip6h.IP6_DROP_TOO_SHORT;
const IP6_DROP_TRUNCATED = ip6h.IP6_DROP_TRUNCATED;
const IP6_DROP_BAD_VERSION = ip6h.IP6_DROP_BAD_VERSION;
const IPV6_HDR_LEN = ip6h.IPV6_HDR_LEN;
const NEXTHDR_DEST = ip6h.NEXTHDR_DEST;
const NEXTHDR_FRAGMENT = ip6h.NEXTHDR_FRAGMENT;
const NEXTHDR_HOP = ip6h.NEXTHDR_HOP;
const NEXTHDR_ICMP = ip6h.NEXTHDR_ICMP;
const NEXTHDR_NONE = ip6h.NEXTHDR_NONE;
const NEXTHDR_ROUTING = ip6h.NEXTHDR_ROUTING;
const TLV_OK = ip6h.TLV_OK;
const TLV_PARAMPROB = ip6h.TLV_PARAMPROB;
const TLV_TRUNCATED = ip6h.TLV_TRUNCATED;
const TLV_UNKNOWN_DROP = ip6h.TLV_UNKNOWN_DROP;
const ip6ParseTlv = ip6h.ip6ParseTlv;
const ipv6HeaderCheck = ip6h.ipv6HeaderCheck;
const ipv6Optlen = ip6h.ipv6Optlen;
const ipv6PacketLen = ip6h.ipv6PacketLen;

const tlv = ip6h.newIp6TlvResult();

/**
 * An options or routing header at `pos` must fit, its 8-byte minimum and its stated length
 * ("if (!pskb_may_pull(skb, ...)) goto fail_and_free"); else a header error, counted.
 */
function exthdrFits(inet6: Inet6, b: Uint8Array, pos: number, end: number): boolean {
  if (pos + 8 <= end && pos + ipv6Optlen(b, pos) <= end) return true;
  inet6.stats.inHdrErrors++;
  inet6.stats.drops.exthdr++;
  return false;
}

/** ipv6_rcv() → ip6_rcv_core() → ip6_rcv_finish(): validate, filter, route the packet in. */
export function ipv6Rcv(inet6: Inet6, skb: SkBuff, dev: NetDevice): void {
  const st = inet6.stats;
  st.inReceives++;
  if (skb.pktType === PACKET_OTHERHOST) {
    st.drops.otherhost++;
    return;
  }
  const idev = in6DevGet(dev);
  if (idev === null || idev.cnf.values[CNF_DISABLE_IPV6] !== 0) {
    // "if (!idev || unlikely(idev->cnf.disable_ipv6))": SKB_DROP_REASON_IPV6DISABLED, InDiscards.
    st.inDiscards++;
    st.drops.disabled++;
    return;
  }
  const b = skb.buf;
  const off = skb.data;
  const reason = ipv6HeaderCheck(b, off, skb.len, skb.pktType === PACKET_LOOPBACK);
  if (reason !== 0) {
    if (reason === IP6_DROP_TRUNCATED) st.inTruncatedPkts++;
    else if (reason === IP6_DROP_TOO_SHORT || reason === IP6_DROP_BAD_VERSION) st.inHdrErrors++;
    else {
      // Address checks (loopback, scope 0, interface-local, multicast source): InAddrErrors? The
      // kernel sends them to its `err` label: Ip6InHdrErrors.
      st.inHdrErrors++;
      st.drops.badAddr++;
    }
    return;
  }
  skb.networkHeader = off;
  skb.trim(ipv6PacketLen(b, off, skb.len));
  let nexthdr = b[off + 6];
  let nhoff = off + 6;
  let pos = off + IPV6_HDR_LEN;
  const end = skb.data + skb.len;
  if (nexthdr === NEXTHDR_HOP) {
    // ipv6_parse_hopopts(): only directly after the fixed header.
    if (!exthdrFits(inet6, b, pos, end)) return;
    const r = ip6ParseTlv(b, off, pos, end, true, IP6_DEFAULT_MAX_OPTS_CNT, tlv);
    if (r !== TLV_OK) {
      tlvDrop(inet6, skb, r);
      return;
    }
    nexthdr = b[pos];
    nhoff = pos;
    pos += ipv6Optlen(b, pos);
  }
  const daddrOff = off + IP6H_DADDR_OFF;
  if (ipv6AddrIsMulticast(b, daddrOff)) {
    st.inMcastPkts++;
    if (!idev.mc.has(b, daddrOff)) {
      // ip6_mc_input(): no member of that group here (a TAP delivers every frame it is sent).
      st.drops.mcastNotJoined++;
      return;
    }
    ip6InputFinish(inet6, skb, nexthdr, nhoff, pos);
    return;
  }
  // The destination read once, as words: for the "is it ours?" test and, for ICMPv6 right after
  // the fixed header, for icmpv6_rcv (its checksum and the echo reply built in place).
  const o = daddrOff | 0;
  let d0: number;
  let d1: number;
  let d2: number;
  let d3: number;
  const dv = inet6.wordView(b);
  if (dv !== null) {
    d0 = dv.getInt32(o);
    d1 = dv.getInt32((o + 4) | 0);
    d2 = dv.getInt32((o + 8) | 0);
    d3 = dv.getInt32((o + 12) | 0);
  } else {
    d0 = (b[o] << 24) | (b[(o + 1) | 0] << 16) | (b[(o + 2) | 0] << 8) | b[(o + 3) | 0];
    d1 = (b[(o + 4) | 0] << 24) | (b[(o + 5) | 0] << 16) | (b[(o + 6) | 0] << 8) | b[(o + 7) | 0];
    d2 = (b[(o + 8) | 0] << 24) | (b[(o + 9) | 0] << 16) | (b[(o + 10) | 0] << 8) | b[(o + 11) | 0];
    d3 = (b[(o + 12) | 0] << 24) | (b[(o + 13) | 0] << 16) | (b[(o + 14) | 0] << 8) | b[(o + 15) | 0];
  }
  const ifa = inet6.addrconf.chkAddrWords(d0, d1, d2, d3, dev);
  if (ifa !== null) {
    if (nexthdr === NEXTHDR_ICMP && pos === off + IPV6_HDR_LEN && inet6.rawTaps.length === 0) {
      // ip6InputFinish's ICMPv6 case (no raw socket to see it first, so the words still hold).
      skb.transportHeader = pos;
      skb.data = pos;
      st.inDelivers++;
      inet6.icmp.rcvWords(skb, d0, d1, d2, d3, dv);
      return;
    }
    ip6InputFinish(inet6, skb, nexthdr, nhoff, pos);
    return;
  }
  if (idev.cnf.values[CNF_FORWARDING] !== 0) {
    inet6.forward(skb, dev);
    return;
  }
  // ip6_forward() with forwarding off: "if (idev->cnf.forwarding == 0) goto error" → InAddrErrors.
  st.inAddrErrors++;
  st.drops.notForUs++;
}

function tlvDrop(inet6: Inet6, skb: SkBuff, r: number): void {
  const st = inet6.stats;
  if (r === TLV_TRUNCATED) st.inTruncatedPkts++;
  else st.inHdrErrors++;
  st.drops.exthdr++;
  if (r === TLV_PARAMPROB) inet6.icmp.paramProb(skb, tlv.icmpCode, tlv.pointer);
  else if (r === TLV_UNKNOWN_DROP) st.drops.unknownOption++;
}

/**
 * ip6_input_finish(): walk the extension headers after hop-by-hop and hand the payload to its
 * protocol. Destination options are parsed, routing headers processed only when nothing is left
 * to route (type 0 refused, RFC 5095), fragments counted and dropped (no reassembly yet; an
 * atomic fragment, offset 0 without M, is just skipped as RFC 6946 says).
 */
export function ip6InputFinish(inet6: Inet6, skb: SkBuff, nexthdr: number, nhoff: number, pos: number): void {
  const st = inet6.stats;
  const b = skb.buf;
  const nh = skb.networkHeader;
  const end = skb.data + skb.len;
  for (;;) {
    switch (nexthdr) {
      case NEXTHDR_DEST: {
        if (!exthdrFits(inet6, b, pos, end)) return;
        const r = ip6ParseTlv(b, nh, pos, end, false, IP6_DEFAULT_MAX_OPTS_CNT, tlv);
        if (r !== TLV_OK) {
          tlvDrop(inet6, skb, r);
          return;
        }
        nexthdr = b[pos];
        nhoff = pos;
        pos += ipv6Optlen(b, pos);
        continue;
      }
      case NEXTHDR_ROUTING: {
        if (!exthdrFits(inet6, b, pos, end)) return;
        const segmentsLeft = b[pos + 3];
        if (segmentsLeft !== 0) {
          // ipv6_rthdr_rcv(): type 0 is deprecated (RFC 5095) and every other type would need
          // this host to route it on: Parameter Problem pointing at the routing type (code 0).
          st.inHdrErrors++;
          st.drops.routingHeader++;
          inet6.icmp.paramProb(skb, ICMPV6_HDR_FIELD, pos + 2 - nh);
          return;
        }
        nexthdr = b[pos];
        nhoff = pos;
        pos += ipv6Optlen(b, pos);
        continue;
      }
      case NEXTHDR_FRAGMENT: {
        if (pos + FRAG_HDR_LEN > end) {
          st.inHdrErrors++;
          st.drops.exthdr++;
          return;
        }
        const fo = (b[pos + 2] << 8) | b[pos + 3];
        if ((fo & 0xfff9) === 0) {
          // Atomic fragment: offset 0, no more fragments. Processed as if unfragmented.
          nexthdr = b[pos];
          nhoff = pos;
          pos += FRAG_HDR_LEN;
          continue;
        }
        st.reasmReqds++;
        st.reasmFails++;
        st.drops.fragment++;
        return;
      }
      case NEXTHDR_NONE:
        // nodata_protocol: delivered, then discarded.
        st.inDelivers++;
        st.drops.nodata++;
        return;
      case NEXTHDR_ICMP:
        skb.transportHeader = pos;
        skb.data = pos;
        inet6.deliverRaw(skb, nexthdr);
        st.inDelivers++;
        inet6.icmp.rcv(skb);
        return;
      default: {
        const handler = inet6.protocols.get(nexthdr);
        skb.transportHeader = pos;
        skb.data = pos;
        inet6.deliverRaw(skb, nexthdr);
        if (handler !== undefined) {
          st.inDelivers++;
          handler(skb);
          return;
        }
        // "if (!raw) { __IP6_INC_STATS(INUNKNOWNPROTOS); icmpv6_send(PARAMPROB, UNK_NEXTHDR, nhoff) }"
        st.inUnknownProtos++;
        if (!ipv6AddrIsMulticast(b, nh + IP6H_DADDR_OFF)) inet6.icmp.paramProb(skb, ICMPV6_UNK_NEXTHDR, nhoff - nh);
        return;
      }
    }
  }
}
