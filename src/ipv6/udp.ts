// UDP over IPv6 (net/ipv6/udp.c): __udp6_lib_rcv (length, mandatory checksum, jumbo length 0),
// __udp6_lib_lookup with its compute_score, __udp6_lib_mcast_deliver, __udp6_lib_err with
// icmpv6_err_convert and ip6_sk_update_pmtu, udpv6_sendmsg; __inet6_bind (af_inet6.c),
// __ip6_datagram_connect/ip6_datagram_dst_update (datagram.c) and ipv6_sock_mc_join/drop
// (mcast.c). The port table is the one IPv4 uses (src/udp/udp_table.ts); v4-mapped destinations
// go to IPv4's udp_sendmsg/__ip4_datagram_connect through it, as udpv6_sendmsg does.
import {
  EACCES,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  EAGAIN,
  EBADF,
  ECONNREFUSED,
  EHOSTUNREACH,
  EINVAL,
  EMSGSIZE,
  ENETUNREACH,
  ENOBUFS,
  ENODEV,
} from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { CHECKSUM_NONE, LL_RESERVED_SPACE, type SkBuff, allocSkb } from '../core/skbuff.js';
import {
  AF_INET6,
  EDESTADDRREQ,
  EPROTO,
  LOOPBACK4_IPV6,
  UDP_HLEN,
  UdpSock,
  type UdpStats,
  UdpTable,
  udpTable,
} from '../udp/udp_table.js';
import type { Inet6 } from './af_inet6.js';
import { type Icmp6ErrorSink } from './icmp.js';
import { ICMPV6_DEST_UNREACH, ICMPV6_PARAMPROB, ICMPV6_PKT_TOOBIG, ICMPV6_PORT_UNREACH, ICMPV6_TIME_EXCEED } from './icmp6hdr.js';
import { in6DevGet } from './if_inet6.js';
import {
  IPV6_ADDR_ANY,
  IPV6_ADDR_LINKLOCAL,
  IPV6_ADDR_LOOPBACK,
  IPV6_ADDR_MAPPED,
  IPV6_ADDR_MULTICAST,
  ipv6AddrAny,
  ipv6AddrEqual,
  ipv6AddrIsMulticast,
  ipv6AddrLoopback,
  ipv6AddrType,
  ipv6AddrV4mapped,
} from './in6_addr.js';
import { ipv6PseudoSum, ipv6UpperCsum } from './ip6_checksum.js';
import { udpGsoCheck, udpGsoMark, udpGsoSegment } from '../udp/udp_offload.js';
import { IP6H_DADDR_OFF, IP6H_SADDR_OFF, IPV6_HDR_LEN, IPV6_MIN_MTU, NEXTHDR_UDP } from './ipv6hdr.js';
import { RTN_LOCAL, rt6IsRejectType, rt6RejectErrno } from './route.js';

/** Largest UDP payload over IPv6 (without jumbograms): the payload length field's 65535 − UDP header. */
export const UDP6_MAX_PAYLOAD = 65535 - UDP_HLEN;

/** tab_unreach[] of icmpv6_err_convert: errno and "fatal" for each ICMPV6_DEST_UNREACH code 0–6. */
const ICMPV6_UNREACH_CONVERT: readonly (readonly [number, boolean])[] = [
  [ENETUNREACH, false], // NOROUTE
  [EACCES, true], // ADM_PROHIBITED
  [EHOSTUNREACH, false], // was NOT_NEIGHBOUR
  [EHOSTUNREACH, false], // ADDR_UNREACH
  [ECONNREFUSED, true], // PORT_UNREACH
  [EACCES, true], // POLICY_FAIL
  [EACCES, true], // REJECT_ROUTE
];

/** icmpv6_err_convert(): [errno, fatal] of an ICMPv6 error (EPROTO for types it does not know). */
export function icmpv6ErrConvert(type: number, code: number): [number, boolean] {
  switch (type) {
    case ICMPV6_DEST_UNREACH: {
      const e = ICMPV6_UNREACH_CONVERT[code];
      return e ? [e[0], e[1]] : [EPROTO, true];
    }
    case ICMPV6_PKT_TOOBIG:
      return [EMSGSIZE, false];
    case ICMPV6_PARAMPROB:
      return [EPROTO, true];
    case ICMPV6_TIME_EXCEED:
      return [EHOSTUNREACH, false];
    default:
      return [EPROTO, false];
  }
}

/**
 * __ipv6_addr_needs_scope_id() of an address type: link-local unicast, and multicast of
 * interface- or link-local scope — the addresses a zone (`%tap0`) belongs to.
 */
export function ipv6TypeNeedsScopeId(type: number): boolean {
  return (type & IPV6_ADDR_LINKLOCAL) !== 0 || ((type & IPV6_ADDR_MULTICAST) !== 0 && (type & (IPV6_ADDR_LOOPBACK | IPV6_ADDR_LINKLOCAL)) !== 0);
}

/** The same for an address (in place). */
export function ipv6AddrNeedsScopeId(a: Uint8Array, off = 0): boolean {
  return ipv6TypeNeedsScopeId(ipv6AddrType(a, off));
}

/** ::ffff:a.b.c.d written into `out`. */
function setV4mapped(v4: number, out: Buffer): void {
  out.fill(0, 0, 10);
  out[10] = 0xff;
  out[11] = 0xff;
  out.writeUInt32BE(v4 >>> 0, 12);
}

/** ipv6_mapped_addr_any(): ::ffff:0.0.0.0. */
function mappedAny(a: Uint8Array): boolean {
  return ipv6AddrV4mapped(a, 0) && (a[12] | a[13] | a[14] | a[15]) === 0;
}

const udps = new WeakMap<Inet6, Udpv6>();

/**
 * UDP of an IPv6 family: made on first call, registered as IPPROTO_UDP's handler
 * (`inet6.protocols`) and ICMPv6 error sink, on the namespace's shared UDP table.
 */
export function udpv6(inet6: Inet6): Udpv6 {
  let u = udps.get(inet6);
  if (u === undefined) udps.set(inet6, (u = new Udpv6(inet6, udpTable(inet6.net))));
  return u;
}

export class Udpv6 implements Icmp6ErrorSink {
  /** Scratch for connect()'s resolved destination (`::` becomes `::1`). */
  private readonly dst = Buffer.alloc(16);
  /** What the last {@link Udpv6.route} found (fields, not an object: nothing allocated per send). */
  private rtOif: NetDevice | null = null;
  private rtSaddr: Uint8Array = this.dst;

  /** @internal Use {@link udpv6}. */
  constructor(
    private readonly inet6: Inet6,
    readonly table: UdpTable,
  ) {
    inet6.protocols.set(NEXTHDR_UDP, (skb) => this.rcv(skb));
    inet6.icmp.errorSinks.set(NEXTHDR_UDP, this);
    // udp6_ufo_fragment: inet6_add_offload(&udpv6_offload, IPPROTO_UDP).
    inet6.offloads.set(NEXTHDR_UDP, (skb, _nh, th) =>
      udpGsoSegment(skb, th, (seg, len) => {
        const n = seg.networkHeader;
        return ipv6PseudoSum(seg.buf, n + IP6H_SADDR_OFF, seg.buf, n + IP6H_DADDR_OFF, len, NEXTHDR_UDP);
      }),
    );
  }

  /** Udp6 counters (/proc/net/snmp6): IPv6 datagrams. */
  get stats(): UdpStats {
    return this.table.stats6;
  }

  /** Every bound AF_INET6 socket (/proc/net/udp6's rows). */
  sockets(): UdpSock[] {
    return this.table.sockets(AF_INET6);
  }

  // ---- receive --------------------------------------------------------------------------------

  /**
   * udpv6_rcv(): skb.data at the UDP header, networkHeader at the IPv6 header. A length field of
   * 0 means "the rest of the packet" (the jumbogram rule, taken for any packet as Linux does); a
   * zero checksum is an error (InCsumErrors and InErrors) for unicast and skips every socket for
   * multicast; no socket: ICMPv6 port unreachable (icmp6_send's rules and rate limits decide).
   */
  rcv(skb: SkBuff): void {
    const st = this.stats;
    const b = skb.buf;
    const off = skb.data;
    if (skb.len < UDP_HLEN) {
      st.drops.tooShort++;
      st.inErrors++;
      return;
    }
    let ulen = b.readUInt16BE(off + 4);
    if (ulen > skb.len) {
      st.drops.badLength++;
      st.inErrors++;
      return;
    }
    if (ulen === 0) ulen = skb.len;
    if (ulen < UDP_HLEN) {
      st.drops.badLength++;
      st.inErrors++;
      return;
    }
    if (ulen < skb.len) skb.trim(ulen);
    const nh = skb.networkHeader;
    const sOff = nh + IP6H_SADDR_OFF;
    const dOff = nh + IP6H_DADDR_OFF;
    const noCheck = b[off + 6] === 0 && b[off + 7] === 0;
    // udp6_csum_init(): a checksum that is there must be right.
    if (!noCheck && skb.ipSummed === CHECKSUM_NONE && ipv6UpperCsum(b, off, ulen, b, sOff, b, dOff, NEXTHDR_UDP) !== 0) {
      st.inCsumErrors++;
      st.inErrors++;
      return;
    }
    const sport = b.readUInt16BE(off);
    const dport = b.readUInt16BE(off + 2);
    const dif = skb.dev?.ifindex ?? 0;
    if (ipv6AddrIsMulticast(b, dOff)) {
      this.mcastDeliver(skb, sOff, sport, dOff, dport, ulen, dif, noCheck);
      return;
    }
    const sk = this.lookup(b, sOff, sport, b, dOff, dport, dif);
    if (noCheck) {
      // udp6_csum_zero_error(): "udp checksum is 0", socket or not.
      st.drops.zeroChecksum++;
      st.inCsumErrors++;
      st.inErrors++;
      return;
    }
    if (sk !== null) {
      this.enqueue(sk, skb, sport, ulen);
      return;
    }
    st.noPorts++;
    this.inet6.icmp.send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
  }

  /**
   * __udp6_lib_mcast_deliver() with __udp_v6_is_mcast_sock(): every AF_INET6 socket on the port
   * bound to :: or to the group, connected (if at all) to the sender, bound to no other device.
   * (inet6_mc_check passes everything: IPV6_MULTICAST_ALL is on and there are no source filters.)
   */
  private mcastDeliver(skb: SkBuff, sOff: number, sport: number, dOff: number, dport: number, ulen: number, dif: number, noCheck: boolean): void {
    const list = this.table.slot(dport);
    const b = skb.buf;
    let delivered = false;
    if (list) {
      for (const sk of list) {
        if (!this.isMcastSock(sk, b, sOff, sport, dOff, dif)) continue;
        // "If zero checksum and no_check is not on for the socket then skip it."
        if (noCheck) continue;
        this.enqueue(sk, skb, sport, ulen);
        delivered = true;
      }
    }
    if (!delivered) this.stats.ignoredMulti++;
  }

  private isMcastSock(sk: UdpSock, b: Uint8Array, sOff: number, sport: number, dOff: number, dif: number): boolean {
    if (sk.family !== AF_INET6) return false;
    if (sk.dport !== 0 && sk.dport !== sport) return false;
    if (!ipv6AddrAny(sk.v6Daddr, 0) && !ipv6AddrEqual(sk.v6Daddr, 0, b, sOff)) return false;
    if (sk.boundDevIf !== 0 && sk.boundDevIf !== dif) return false;
    return ipv6AddrAny(sk.v6RcvSaddr, 0) || ipv6AddrEqual(sk.v6RcvSaddr, 0, b, dOff);
  }

  /** __udp_enqueue_schedule_skb() for an IPv6 datagram: one allocation for both addresses and the payload. */
  /** udp_queue_rcv_skb() as for IPv4: a super-datagram (UDP GSO) is the datagrams it stands for. */
  private enqueue(sk: UdpSock, skb: SkBuff, sport: number, ulen: number): void {
    const off = skb.data + UDP_HLEN;
    const plen = ulen - UDP_HLEN;
    const g = skb.gsoSize;
    if (g === 0 || plen <= g) return this.enqueueOne(sk, skb, sport, off, plen);
    for (let at = 0; at < plen; at += g) this.enqueueOne(sk, skb, sport, off + at, Math.min(g, plen - at));
  }

  private enqueueOne(sk: UdpSock, skb: SkBuff, sport: number, off: number, len: number): void {
    if (!this.table.rmemSchedule(sk, AF_INET6)) return;
    const b = skb.buf;
    const nh = skb.networkHeader;
    // A copy: the frame may live in the driver's receive ring.
    const mem = Buffer.allocUnsafe(32 + len);
    b.copy(mem, 0, nh + IP6H_SADDR_OFF, nh + IP6H_SADDR_OFF + 32);
    b.copy(mem, 32, off, off + len);
    const dev = skb.dev;
    this.table.queueRcv(sk, {
      data: mem.subarray(32), family: AF_INET6, saddr: 0, daddr: 0, saddr6: mem.subarray(0, 16), daddr6: mem.subarray(16, 32), sport,
      dev: dev?.name ?? '', ifindex: dev?.ifindex ?? 0, truesize: UdpTable.truesize(len),
    });
  }

  /**
   * __udp6_lib_lookup(): AF_INET6 sockets bound to the exact local address first, then those on
   * ::; the best compute_score wins (+1 each for a matching connected port, connected address
   * and bound device), ties to the most recently bound. Addresses are read in place. `dif` −1:
   * device bindings not checked (the ICMPv6 error path, which does not know the device).
   */
  lookup(sa: Uint8Array, sOff: number, sport: number, da: Uint8Array, dOff: number, dport: number, dif = -1): UdpSock | null {
    const list = this.table.slot(dport);
    if (!list) return null;
    return this.lookup2(list, sa, sOff, sport, da, dOff, dif, false) ?? this.lookup2(list, sa, sOff, sport, da, dOff, dif, true);
  }

  private lookup2(list: readonly UdpSock[], sa: Uint8Array, sOff: number, sport: number, da: Uint8Array, dOff: number, dif: number, wildcard: boolean): UdpSock | null {
    let best: UdpSock | null = null;
    let badness = -1;
    for (const sk of list) {
      if (sk.family !== AF_INET6) continue;
      if (wildcard ? !ipv6AddrAny(sk.v6RcvSaddr, 0) : !ipv6AddrEqual(sk.v6RcvSaddr, 0, da, dOff)) continue;
      let score = 0;
      if (sk.dport !== 0) {
        if (sk.dport !== sport) continue;
        score++;
      }
      if (!ipv6AddrAny(sk.v6Daddr, 0)) {
        if (!ipv6AddrEqual(sk.v6Daddr, 0, sa, sOff)) continue;
        score++;
      }
      if (sk.boundDevIf !== 0) {
        if (dif >= 0 && sk.boundDevIf !== dif) continue;
        score++;
      }
      if (score > badness) {
        best = sk;
        badness = score;
      }
    }
    return best;
  }

  // ---- ICMPv6 errors --------------------------------------------------------------------------

  /**
   * __udp6_lib_err(): the socket that sent the quoted datagram (looked up as if the datagram
   * came back: its destination is the remote end) hears about it. A packet too big also lowers
   * the path MTU to its destination (ip6_sk_update_pmtu) and, with IPV6_PMTUDISC_WANT, is a hard
   * error. No socket, or a quote shorter than IPv6 + UDP headers: Icmp6InErrors.
   */
  icmp6Error(type: number, code: number, info: number, _from: Buffer, buf: Buffer, inner: number, innerLen: number): void {
    const icmpStats = this.inet6.icmp.stats;
    if (innerLen < IPV6_HDR_LEN + UDP_HLEN) {
      icmpStats.inErrors++;
      return;
    }
    const th = inner + IPV6_HDR_LEN;
    const sport = buf.readUInt16BE(th);
    const dport = buf.readUInt16BE(th + 2);
    const qs = inner + IP6H_SADDR_OFF;
    const qd = inner + IP6H_DADDR_OFF;
    const sk = this.lookup(buf, qd, dport, buf, qs, sport);
    if (sk === null) {
      icmpStats.inErrors++;
      return;
    }
    let [errno, harderr] = icmpv6ErrConvert(type, code);
    const daddr6 = Buffer.from(buf.subarray(qd, qd + 16));
    if (type === ICMPV6_PKT_TOOBIG) {
      this.updatePmtu(sk, daddr6, info);
      harderr = true;
    }
    sk.user.error({ errno, harderr, family: AF_INET6, daddr: 0, daddr6, dport, icmpType: type, icmpCode: code });
  }

  /** ip6_update_pmtu() for a socket's destination: a cached route with the smaller MTU (at least 1280). */
  private updatePmtu(sk: UdpSock, daddr: Buffer, info: number): void {
    const inet6 = this.inet6;
    const oif = sk.boundDevIf !== 0 ? (inet6.net.devGetByIndex(sk.boundDevIf) ?? null) : null;
    const rt = inet6.fib.lookup(daddr, 0, oif);
    if (rt === null || rt.type === RTN_LOCAL || rt6IsRejectType(rt.type)) return;
    const mtu = Math.max(info >>> 0, IPV6_MIN_MTU);
    if (mtu >= inet6.mtu(rt.dev, rt.mtu)) return;
    inet6.fib.rt6UpdatePmtu(rt.from ?? rt, daddr, mtu, inet6.net.clock.now());
  }

  // ---- binding --------------------------------------------------------------------------------

  /**
   * __inet6_bind() + udp_v6_get_port(): `addr` ::, a v4-mapped address (IPv4's checks; refused
   * on a v6-only socket), one of our addresses (not tentative), or a multicast group. A
   * link-local or link-scope multicast address needs a device: `scopeId` (the zone's ifindex)
   * binds the socket to it. Binding any other IPv6 address makes the socket v6-only, as Linux
   * does. Returns 0 or a negative errno (EINVAL, ENODEV, EADDRNOTAVAIL, EADDRINUSE).
   */
  bind(sk: UdpSock, addr: Uint8Array, port: number, scopeId = 0): number {
    if (sk.dead) return -EBADF;
    if (sk.num !== 0) return -EINVAL;
    const type = ipv6AddrType(addr, 0);
    let v4addr = 0;
    if (type === IPV6_ADDR_MAPPED) {
      if (sk.ipv6Only) return -EINVAL;
      v4addr = ((addr[12] << 24) | (addr[13] << 16) | (addr[14] << 8) | addr[15]) >>> 0;
      const rc = this.table.inet?.bindAddrCheck(v4addr) ?? -EADDRNOTAVAIL;
      if (rc < 0) return rc;
    } else if (type !== IPV6_ADDR_ANY) {
      let dev: NetDevice | null = null;
      if (ipv6TypeNeedsScopeId(type)) {
        // "Override any existing binding, if another one is supplied by user."
        if (scopeId !== 0) sk.boundDevIf = scopeId;
        // "Binding to link-local address requires an interface."
        if (sk.boundDevIf === 0) return -EINVAL;
      }
      if (sk.boundDevIf !== 0) {
        dev = this.inet6.net.devGetByIndex(sk.boundDevIf) ?? null;
        if (dev === null) return -ENODEV;
      }
      v4addr = LOOPBACK4_IPV6;
      if ((type & IPV6_ADDR_MULTICAST) === 0 && this.inet6.addrconf.chkAddr(addr, 0, dev) === null) return -EADDRNOTAVAIL;
    }
    sk.rcvSaddr = v4addr;
    sk.saddr = v4addr;
    sk.v6RcvSaddr.set(addr.subarray(0, 16));
    if ((type & IPV6_ADDR_MULTICAST) === 0) sk.v6Saddr.set(addr.subarray(0, 16));
    const savedV6only = sk.ipv6Only;
    if (type !== IPV6_ADDR_ANY && type !== IPV6_ADDR_MAPPED) sk.ipv6Only = true;
    const rc = this.table.getPort(sk, port);
    if (rc < 0) {
      sk.ipv6Only = savedV6only;
      this.table.resetSaddr(sk);
      return rc;
    }
    sk.bindAddrLocked = type !== IPV6_ADDR_ANY;
    sk.bindPortLocked = port !== 0;
    sk.dport = 0;
    sk.daddr = 0;
    return 0;
  }

  /** inet_autobind(): an ephemeral port on the addresses set so far (:: when unbound). */
  autobind(sk: UdpSock): number {
    return this.table.autobind(sk);
  }

  /** udp_lib_close() with ipv6_sock_mc_close(): the port is free, the queue dropped, the groups left. */
  close(sk: UdpSock): void {
    while (sk.mcList.length > 0) {
      const m = sk.mcList[sk.mcList.length - 1];
      this.mcLeave(sk, m.group, m.ifindex);
    }
    this.table.close(sk);
  }

  // ---- routes, connect ------------------------------------------------------------------------

  /**
   * ip6_dst_lookup_flow() for a socket: the route (with `oif` when the socket or the zone names a
   * device) and the source address — the socket's own, else the route's preferred source, else
   * source selection on the route's device. ::1 and :: lead nowhere (the stack has no loopback
   * device); a v4-mapped source cannot reach an IPv6 destination (EAFNOSUPPORT); reject routes
   * give their errno. Counted in Ip6OutNoRoutes where Linux counts them. 0 (the results in
   * rtOif and rtSaddr) or a negative errno.
   */
  private route(sk: UdpSock, daddr: Uint8Array, oifIndex: number): number {
    const inet6 = this.inet6;
    if (ipv6AddrLoopback(daddr, 0) || ipv6AddrAny(daddr, 0)) {
      inet6.stats.outNoRoutes++;
      return -ENETUNREACH;
    }
    if (ipv6AddrV4mapped(sk.v6Saddr, 0)) return -EAFNOSUPPORT;
    let oif: NetDevice | null = null;
    if (oifIndex !== 0) {
      oif = inet6.net.devGetByIndex(oifIndex) ?? null;
      if (oif === null) return -ENODEV;
    }
    const rt = inet6.fib.lookup(daddr, 0, oif);
    if (rt === null) {
      inet6.stats.outNoRoutes++;
      return -ENETUNREACH;
    }
    if (rt6IsRejectType(rt.type)) {
      inet6.stats.outNoRoutes++;
      return rt6RejectErrno(rt.type);
    }
    const saddr = !ipv6AddrAny(sk.v6Saddr, 0) ? sk.v6Saddr : (rt.prefsrc ?? inet6.addrconf.devGetSaddr(rt.dev, daddr, 0));
    if (saddr === null) {
      inet6.stats.outNoRoutes++;
      return -EADDRNOTAVAIL;
    }
    this.rtOif = oif;
    this.rtSaddr = saddr;
    return 0;
  }

  /**
   * __ip6_datagram_connect(): only datagrams from `addr:port` are delivered from now on, and
   * sends without a destination go there. An unbound socket is bound first; :: means ::1 (which
   * has no route here); a v4-mapped address connects the IPv4 half (ENETUNREACH on a v6-only
   * socket); a link-local address needs a device (the zone, else the bound one: EINVAL without,
   * or when it names another than the bound one) and binds the socket to it; a socket on ::
   * takes the route's source address. Returns 0 or a negative errno.
   */
  connect(sk: UdpSock, addr: Uint8Array, port: number, scopeId = 0): number {
    if (sk.dead) return -EBADF;
    if (this.autobind(sk) < 0) return -EAGAIN;
    const daddr = this.dst;
    daddr.set(addr.subarray(0, 16));
    if (ipv6AddrAny(daddr, 0)) {
      // "connect to self if target is unspecified"
      if (ipv6AddrV4mapped(sk.v6RcvSaddr, 0)) setV4mapped(0x7f000001, daddr);
      else {
        daddr.fill(0);
        daddr[15] = 1;
      }
    }
    const type = ipv6AddrType(daddr, 0);
    if (type & IPV6_ADDR_MAPPED) {
      if (sk.ipv6Only) return -ENETUNREACH;
      const inet = this.table.inet;
      if (inet === null) return -ENETUNREACH;
      const rc = inet.connect(sk, daddr.readUInt32BE(12), port);
      if (rc < 0) return rc;
      setV4mapped(sk.daddr, sk.v6Daddr);
      if (ipv6AddrAny(sk.v6Saddr, 0) || mappedAny(sk.v6Saddr)) setV4mapped(sk.saddr, sk.v6Saddr);
      if (ipv6AddrAny(sk.v6RcvSaddr, 0) || mappedAny(sk.v6RcvSaddr)) setV4mapped(sk.rcvSaddr, sk.v6RcvSaddr);
      return 0;
    }
    if (ipv6TypeNeedsScopeId(type)) {
      if (scopeId !== 0) {
        if (sk.boundDevIf !== 0 && sk.boundDevIf !== scopeId) return -EINVAL;
        sk.boundDevIf = scopeId;
      }
      if (sk.boundDevIf === 0 && type & IPV6_ADDR_MULTICAST) sk.boundDevIf = sk.mcastOif;
      // "Connect to link-local address requires an interface."
      if (sk.boundDevIf === 0) return -EINVAL;
    }
    const oif = sk.boundDevIf !== 0 ? sk.boundDevIf : type & IPV6_ADDR_MULTICAST ? sk.mcastOif : 0;
    const rc = this.route(sk, daddr, oif);
    if (rc < 0) return rc;
    const saddr = this.rtSaddr;
    sk.v6Daddr.set(daddr);
    sk.dport = port;
    if (ipv6AddrAny(sk.v6Saddr, 0)) sk.v6Saddr.set(saddr.subarray(0, 16));
    if (ipv6AddrAny(sk.v6RcvSaddr, 0)) {
      sk.v6RcvSaddr.set(saddr.subarray(0, 16));
      sk.rcvSaddr = LOOPBACK4_IPV6;
    }
    sk.established = true;
    return 0;
  }

  /** __udp_disconnect() (see {@link UdpTable.disconnect}). */
  disconnect(sk: UdpSock): void {
    this.table.disconnect(sk);
  }

  // ---- send -----------------------------------------------------------------------------------

  /**
   * udpv6_sendmsg(): one datagram to `daddr:dport` (`scopeId`: the zone's ifindex, used for
   * link-local and link-scope multicast destinations), or to the connected peer when `daddr` is
   * null. A v4-mapped destination is IPv4's udp_sendmsg (ENETUNREACH on a v6-only socket). The
   * hop limit is IPV6_UNICAST_HOPS or, for multicast, IPV6_MULTICAST_HOPS (default 1), leaving by
   * IPV6_MULTICAST_IF unless the zone or a bound device says otherwise. Returns the payload
   * length or a negative errno: EDESTADDRREQ, EINVAL (port 0), EMSGSIZE (beyond 65527 bytes or
   * the path MTU — nothing is fragmented), ENETUNREACH, EHOSTUNREACH/EACCES (reject routes),
   * EAFNOSUPPORT, EADDRNOTAVAIL, ENOBUFS. With UDP_SEGMENT (sk.gsoSize) a longer send is one
   * super-datagram, EINVAL beyond UDP_MAX_SEGMENTS datagrams.
   */
  sendmsg(sk: UdpSock, data: Uint8Array, daddr: Uint8Array | null, dport: number, scopeId = 0): number {
    if (sk.dead) return -EBADF;
    let oifIndex = 0;
    let dst: Uint8Array;
    if (daddr !== null) {
      if (dport === 0) return -EINVAL;
      dst = daddr;
      if (ipv6AddrV4mapped(dst, 0)) return this.sendMapped(sk, data, (dst[12] << 24) | (dst[13] << 16) | (dst[14] << 8) | dst[15], dport);
      if (scopeId !== 0 && ipv6AddrNeedsScopeId(dst, 0)) oifIndex = scopeId;
    } else {
      if (!sk.established) return -EDESTADDRREQ;
      dst = sk.v6Daddr;
      dport = sk.dport;
      if (ipv6AddrV4mapped(dst, 0)) return this.sendMapped(sk, data, null, 0);
    }
    const len = data.length;
    if (len > UDP6_MAX_PAYLOAD) return -EMSGSIZE;
    if (this.autobind(sk) < 0) return -EAGAIN;
    const mcast = ipv6AddrIsMulticast(dst, 0);
    if (oifIndex === 0) oifIndex = sk.boundDevIf;
    if (oifIndex === 0 && mcast) oifIndex = sk.mcastOif;
    const rrc = this.route(sk, dst, oifIndex);
    if (rrc < 0) return rrc;
    const saddr = this.rtSaddr;
    // UDP_SEGMENT's count rule; the MTU rule is ip6_output's, which judges a super-datagram by
    // its first datagram as udp_v6_send_skb does.
    if (sk.gsoSize !== 0) {
      const grc = udpGsoCheck(sk.gsoSize, IPV6_HDR_LEN + UDP_HLEN, len, 0);
      if (grc < 0) return grc;
    }
    const ulen = UDP_HLEN + len;
    const skb = allocSkb(ulen, LL_RESERVED_SPACE + IPV6_HDR_LEN);
    const o = skb.put(ulen);
    const b = skb.buf;
    b.writeUInt16BE(sk.num, o);
    b.writeUInt16BE(dport, o + 2);
    b.writeUInt16BE(ulen, o + 4);
    b[o + 6] = 0;
    b[o + 7] = 0;
    b.set(data, o + UDP_HLEN);
    const gso = sk.gsoSize;
    if (gso !== 0 && len > gso) {
      // udp_v6_send_skb's csum_partial for a super-datagram: only the pseudo header here.
      const ps = ipv6PseudoSum(saddr, 0, dst, 0, ulen, NEXTHDR_UDP);
      b[o + 6] = ps >>> 8;
      b[o + 7] = ps & 0xff;
      udpGsoMark(skb, o, gso, len);
    } else {
      // udp6_hwcsum_outgoing/udp_csum: mandatory over IPv6; 0 goes out as 0xffff (CSUM_MANGLED_0).
      const check = ipv6UpperCsum(b, o, ulen, saddr, 0, dst, 0, NEXTHDR_UDP) || 0xffff;
      b[o + 6] = check >>> 8;
      b[o + 7] = check & 0xff;
    }
    skb.sk = sk;
    const rc = this.inet6.send(skb, saddr, dst, 0, NEXTHDR_UDP, mcast ? sk.mcastHops : sk.hopLimit, sk.tclass, this.rtOif);
    if (rc < 0) {
      if (rc === -ENOBUFS) this.stats.sndbufErrors++;
      return rc;
    }
    this.stats.outDatagrams++;
    return len;
  }

  /** udpv6_sendmsg's do_udp_sendmsg: a v4-mapped destination goes out as IPv4. */
  private sendMapped(sk: UdpSock, data: Uint8Array, v4: number | null, dport: number): number {
    const inet = this.table.inet;
    if (sk.ipv6Only || inet === null) return -ENETUNREACH;
    return inet.sendmsg(sk, data, v4 === null ? null : v4 >>> 0, dport);
  }

  // ---- multicast membership -------------------------------------------------------------------

  /**
   * ipv6_sock_mc_join(): the device `ifindex` (0: the one the route to the group leaves by)
   * joins `group` for this socket (ipv6_dev_mc_inc: an MLD report when it is new). EINVAL for a
   * unicast address, EADDRINUSE when the socket already joined it there, ENODEV without a device.
   */
  mcJoin(sk: UdpSock, group: Uint8Array, ifindex: number): number {
    if (!ipv6AddrIsMulticast(group, 0)) return -EINVAL;
    for (const m of sk.mcList) if ((ifindex === 0 || m.ifindex === ifindex) && ipv6AddrEqual(m.group, 0, group, 0)) return -EADDRINUSE;
    const inet6 = this.inet6;
    const dev = ifindex !== 0 ? (inet6.net.devGetByIndex(ifindex) ?? null) : (inet6.fib.lookup(group, 0, null)?.dev ?? null);
    if (dev === null) return -ENODEV;
    const idev = in6DevGet(dev);
    if (idev === null) return -EINVAL;
    const g = Buffer.from(group.subarray(0, 16));
    inet6.mcInc(idev, g);
    sk.mcList.push({ ifindex: dev.ifindex, group: g });
    return 0;
  }

  /** ipv6_sock_mc_drop(): leave a group joined with {@link Udpv6.mcJoin} (EADDRNOTAVAIL when not joined). */
  mcLeave(sk: UdpSock, group: Uint8Array, ifindex: number): number {
    if (!ipv6AddrIsMulticast(group, 0)) return -EINVAL;
    const i = sk.mcList.findIndex((m) => (ifindex === 0 || m.ifindex === ifindex) && ipv6AddrEqual(m.group, 0, group, 0));
    if (i < 0) return -EADDRNOTAVAIL;
    const [m] = sk.mcList.splice(i, 1);
    const dev = this.inet6.net.devGetByIndex(m.ifindex);
    const idev = dev ? in6DevGet(dev) : null;
    if (idev !== null) this.inet6.mcDec(idev, m.group);
    return 0;
  }
}
